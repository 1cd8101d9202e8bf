import { join } from 'node:path';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { cacheControlFor, findWebRoot, webRoutes } from './web.js';

const BUILD = join(import.meta.dirname, 'testdata', 'web');

describe('web UI serving', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves index.html at / uncached and hashed assets cached for a year', async () => {
    server = await startTestServer('sqlite', {}, { webRoot: BUILD });
    const index = await server.app.inject({ method: 'GET', url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.body).toContain('Lantern test build');

    const asset = await server.app.inject({ method: 'GET', url: '/assets/main-Bx4f2a9c.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.body).toContain('lantern test asset');
  });

  it('answers any page of the app with index.html, and unknown API routes and assets with JSON 404s', async () => {
    server = await startTestServer('sqlite', {}, { webRoot: BUILD });
    for (const url of ['/catalog?kind=component&sort=-critical', '/catalog/component/default/payments/vulnerabilities?severity=critical&issue=12', '/targets/3', '/registry.acme.io']) {
      const page = await server.app.inject({ method: 'GET', url });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['cache-control'], url).toBe('no-cache');
      expect(page.body, url).toContain('Lantern test build');
    }
    const api = await server.app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(api.statusCode).toBe(404);
    expect(api.json().error).toEqual({ name: 'NotFoundError', message: 'No route GET /api/nothing-here; the API is described at /api/openapi.json.' });
    const asset = await server.app.inject({ method: 'GET', url: '/assets/gone-1234abcd.js' });
    expect(asset.statusCode).toBe(404);
    expect(asset.json().error.name).toBe('NotFoundError');
    const post = await server.app.inject({ method: 'POST', url: '/catalog', payload: {} });
    expect(post.statusCode).toBe(404);
    expect((await server.app.inject({ method: 'GET', url: '/api/targets' })).statusCode).toBe(200);
  });

  it('without a build answers only the API, and says in its log that the UI is not built', async () => {
    const lines: string[] = [];
    const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } } }).withTypeProvider<TypeBoxTypeProvider>();
    app.get('/api/ping', async () => ({ ok: true }));
    expect(await webRoutes(app, undefined)).toBe(false);
    expect(lines.filter((l) => l.includes('The web UI is not built') && l.includes('serving the API only'))).toHaveLength(1);
    expect((await app.inject({ method: 'GET', url: '/api/ping' })).json()).toEqual({ ok: true });
    const page = await app.inject({ method: 'GET', url: '/catalog' });
    expect(page.statusCode).toBe(404);
    expect(page.json().error.message).toBe('No route GET /catalog; the API is described at /api/openapi.json.');
    await app.close();
  });

  it('finds the build in the first folder that has an index.html', () => {
    expect(findWebRoot([join(BUILD, 'assets'), BUILD])).toBe(BUILD);
    expect(findWebRoot([join(BUILD, 'assets')])).toBeUndefined();
  });

  it('caches only what sits under assets/', () => {
    expect(cacheControlFor('/srv/lantern/dist/web/assets/index-CdOQRy7l.js')).toBe('public, max-age=31536000, immutable');
    expect(cacheControlFor('/srv/lantern/dist/web/index.html')).toBe('no-cache');
    expect(cacheControlFor('/srv/lantern/dist/web/favicon.svg')).toBe('no-cache');
  });
});
