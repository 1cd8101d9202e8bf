import { afterEach, beforeEach, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../test/support/stores.js';
import { leastRoleFor } from '../access/roles.js';
import { ROUTE_PERMISSIONS } from './permissions.js';
import { registeredRoutes } from '../../test/support/routes.js';

describeEachStore('every API route declares who may call it', (kind: StoreKind) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer(kind, {}, { auth: {}, webRoot: false });
    await server.app.ready();
  });
  afterEach(async () => {
    await server.close();
  });

  it('has an entry in ROUTE_PERMISSIONS for each registered /api route, HEAD answering as its GET', () => {
    const routes = registeredRoutes(server.app);
    const api = routes.filter((r) => r.split(' ')[1]?.startsWith('/api/'));
    // The walk found the routes (a broken walk would pass vacuously).
    expect(api).toContain('GET /api/targets/:id');
    expect(api).toContain('HEAD /api/targets/:id');
    expect(api).toContain('DELETE /api/exemptions/:id');
    expect(api.length).toBeGreaterThan(60);
    const undeclared = api.filter((r) => ROUTE_PERMISSIONS[r.replace(/^HEAD /, 'GET ')] === undefined);
    expect(undeclared).toEqual([]);
    // And the table names no route that does not exist, but the sign-in routes an identity provider adds.
    const registered = new Set(api);
    const stale = Object.keys(ROUTE_PERMISSIONS).filter((r) => !registered.has(r));
    expect(stale).toEqual(['GET /api/auth/login', 'GET /api/auth/callback', 'POST /api/auth/logout']);
  });

  it('refuses to start with an /api route that is not in the table, naming it', async () => {
    const app = (await startTestServer(kind, {}, { auth: {}, webRoot: false })) as TestServer;
    try {
      const start = async () => {
        await app.app.register(async (plugin) => {
          plugin.get('/api/undeclared/:id', async () => ({ secret: true }));
        });
        await app.app.ready();
      };
      await expect(start()).rejects.toThrow('The route GET /api/undeclared/:id declares no permission: add it to src/api/permissions.ts.');
    } finally {
      await app.lantern.close();
    }
  });

  it('names the security schemes, and each non-public operation’s security and role, in the OpenAPI document', async () => {
    const doc = (await server.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.components.securitySchemes).toEqual({
      bearerToken: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      sessionCookie: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'lantern_session' }),
    });
    let operations = 0;
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { security?: unknown; 'x-lantern-permission'?: unknown; description?: string }>>)) {
      for (const [method, operation] of Object.entries(item)) {
        const key = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;
        const permission = ROUTE_PERMISSIONS[key];
        expect(permission, key).toBeDefined();
        if (!permission) continue;
        operations++;
        if (permission.action === 'public') {
          expect(operation.security, key).toBeUndefined();
          expect(operation['x-lantern-permission'], key).toBeUndefined();
          continue;
        }
        const role = leastRoleFor(permission.action);
        expect(operation.security, key).toEqual([{ bearerToken: [] }, { sessionCookie: [] }]);
        expect(operation['x-lantern-permission'], key).toEqual({ action: permission.action, role, where: permission.where });
        expect(operation.description, key).toContain(`Requires the \`${role}\` role (or one above it)`);
      }
    }
    // Every documented route but the hidden openapi.json and metrics (and the three sign-in routes, absent without OpenID Connect).
    expect(operations).toBe(Object.keys(ROUTE_PERMISSIONS).length - 5);
    expect(doc.paths['/api/targets/{id}'].get['x-lantern-permission']).toEqual({ action: 'read', role: 'viewer', where: 'object' });
    expect(doc.paths['/api/scans'].post['x-lantern-permission']).toEqual({ action: 'ingest', role: 'ingester', where: 'object' });
    expect(doc.paths['/api/audit'].get['x-lantern-permission']).toEqual({ action: 'read-audit', role: 'admin', where: 'filtered' });
  });
});
