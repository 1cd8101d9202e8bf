import { afterEach, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../test/support/stores.js';

describeEachStore('HTTP API: request logs', (kind: StoreKind) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const logsOf = async (level: string) => {
    const lines: string[] = [];
    server = await startTestServer(kind, {}, { logger: { level, stream: { write: (line: string) => void lines.push(line) } } });
    lines.length = 0;
    await server.app.inject({ method: 'GET', url: '/api/targets?scope=acme.pay' });
    await server.app.inject({ method: 'GET', url: '/api/targets/12345' });
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  };

  it('logs no request at info, only the rejected one (errors stay at info)', async () => {
    expect((await logsOf('info')).map(({ msg, statusCode }) => ({ msg, statusCode }))).toEqual([{ msg: 'request rejected', statusCode: 404 }]);
  });

  it('logs one line per request at debug: method, route, status and milliseconds', async () => {
    const logs = (await logsOf('debug')).filter((line) => line.msg === 'request');
    expect(logs.map(({ method, route, status, msg }) => ({ method, route, status, msg }))).toEqual([
      { method: 'GET', route: '/api/targets', status: 200, msg: 'request' },
      { method: 'GET', route: '/api/targets/:id', status: 404, msg: 'request' },
    ]);
    for (const line of logs) expect(line.ms).toEqual(expect.any(Number));
  });
});
