import { createServer, type Server, type Socket, connect } from 'node:net';

/** A TCP proxy on loopback in front of a server, which a test cuts (a database outage) and restores. */
export interface TcpProxy {
  readonly port: number;
  /** Destroys every connection through the proxy and refuses new ones (ECONNREFUSED) until restored. */
  cut(): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(host: string, port: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // Either end may be reset by the other's destruction: that is the outage, not a test failure.
    socket.on('error', () => undefined);
  };
  const listen = async (on: number): Promise<Server> => {
    const server = createServer((client) => {
      const upstream = connect(port, host);
      track(client);
      track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(on, '127.0.0.1', () => resolve());
    });
    return server;
  };
  let server: Server | undefined = await listen(0);
  const proxyPort = (server.address() as { port: number }).port;
  const stop = async () => {
    const closing = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  return {
    port: proxyPort,
    cut: stop,
    restore: async () => {
      server ??= await listen(proxyPort);
    },
    close: stop,
  };
}
