import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for a Backstage backend's catalog API on a loopback port: GET
 * /api/catalog/entities/by-query with Backstage's answer shape (`items`, `totalItems`,
 * `pageInfo.nextCursor`), opaque cursors, and the bearer token check of Backstage's auth. Tests
 * change `entities` between reads, and `answer` replaces the answer to one page.
 */

export type FakeEntity = Record<string, unknown> & { kind: string; metadata: Record<string, unknown> & { name: string } };

export interface FakeRequest {
  path: string;
  limit: string | null;
  cursor: string | null;
  authorization: string | undefined;
}

export interface FakeBackstage {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The location to register: `backstage+http://127.0.0.1:PORT/` */
  location: string;
  entities: FakeEntity[];
  requests: FakeRequest[];
  /** Answers page `page` (1-based) itself when it returns true. */
  answer: ((page: number, response: ServerResponse, request: IncomingMessage) => boolean) | undefined;
  close(): Promise<void>;
}

export async function startFakeBackstage(options: { token: string; entities: FakeEntity[]; host?: string }): Promise<FakeBackstage> {
  const host = options.host ?? '127.0.0.1';
  const fake: FakeBackstage = { url: '', location: '', entities: options.entities, requests: [], answer: undefined, close: async () => undefined };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://backstage');
    const limitText = url.searchParams.get('limit');
    const cursorText = url.searchParams.get('cursor');
    fake.requests.push({ path: url.pathname, limit: limitText, cursor: cursorText, authorization: request.headers.authorization });
    const json = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.headers.authorization !== `Bearer ${options.token}`) {
      return void json(401, { error: { name: 'AuthenticationError', message: 'Missing or invalid credentials' } });
    }
    if (url.pathname !== '/api/catalog/entities/by-query') return void json(404, { error: { name: 'NotFoundError', message: 'Not found' } });
    const limit = Number(limitText ?? 20);
    const offset = cursorText === null ? 0 : (JSON.parse(Buffer.from(cursorText, 'base64url').toString('utf8')) as { offset: number }).offset;
    const page = Math.floor(offset / limit) + 1;
    if (fake.answer?.(page, response, request)) return;
    const items = fake.entities.slice(offset, offset + limit);
    const next = offset + limit < fake.entities.length ? Buffer.from(JSON.stringify({ offset: offset + limit, orderFields: [] })).toString('base64url') : undefined;
    json(200, { items, totalItems: fake.entities.length, pageInfo: next === undefined ? {} : { nextCursor: next } });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://${host}:${port}`;
  fake.location = `backstage+${fake.url}/`;
  fake.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      // A page a test left unanswered must not hold the server open.
      server.closeAllConnections();
    });
  return fake;
}

/**
 * An entity as Backstage's catalog serves it: as written, plus what Backstage adds (uid, etag,
 * the location, origin, view and edit annotations, a source location, relations and status).
 */
export function asServed(entity: FakeEntity, file: string): FakeEntity {
  const folder = file.replace(/[^/]*$/, '');
  const metadata = entity.metadata;
  return {
    ...entity,
    metadata: {
      namespace: 'default',
      ...metadata,
      uid: `uid-${metadata.name}`,
      etag: `etag-${metadata.name}`,
      annotations: {
        'backstage.io/managed-by-location': `url:${file}`,
        'backstage.io/managed-by-origin-location': 'url:https://github.com/acme/catalog/blob/main/all.yaml',
        'backstage.io/view-url': file,
        'backstage.io/edit-url': file.replace('/blob/', '/edit/'),
        'backstage.io/source-location': `url:${folder}`,
        ...(metadata.annotations as Record<string, string> | undefined),
      },
    },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/someone-else' }],
    status: { items: [] },
  };
}
