import { request as httpRequest } from 'node:http';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * POSTs chunks to a listening server as they are made, with http.request (so this process never
 * holds the whole body), and resolves with the answer; rejects if the connection closes first.
 * The answer may come before the body is sent: writing then stops.
 */
export function post(url: string, chunks: Iterable<Buffer>, options: { delayMs?: number } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream' } }, (response) => {
      answered = true;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => (body += text));
      response.on('end', () => {
        // A client answered before it sent everything stops sending.
        if (!request.writableEnded) request.destroy();
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
      });
      response.on('error', reject);
    });
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
    const iterator = chunks[Symbol.iterator]();
    const writeMore = () => {
      while (!answered && !request.destroyed) {
        const next = iterator.next();
        if (next.done) return void request.end();
        const more = request.write(next.value);
        if (options.delayMs !== undefined) return void setTimeout(writeMore, options.delayMs);
        if (!more) return void request.once('drain', writeMore);
      }
    };
    writeMore();
  });
}
