import { coreServices, createServiceFactory, type PermissionsService } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { AuthorizePermissionRequest } from '@backstage/plugin-permission-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginEstate, type PluginEstate } from '../../../test/support/plugin-estate.js';
import lanternPlugin from './index';

/**
 * The backend plugin started in Backstage's test backend, forwarding to a real Lantern on a
 * loopback port with a viewer token; Backstage's permission framework lets alice read
 * component:default/full only.
 */
describe('the Lantern backend plugin in a Backstage backend', () => {
  let lantern: PluginEstate;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const asked: Array<{ permission: string; resourceRef: string | undefined; user: string | undefined }> = [];

  beforeAll(async () => {
    lantern = await startPluginEstate('sqlite');
    // Backstage's permission framework as a policy would decide it (jest's mocks are not available under vitest).
    const authorize: PermissionsService['authorize'] = async (requests, { credentials }) => {
      const user = (credentials.principal as { userEntityRef?: string }).userEntityRef;
      return (requests as AuthorizePermissionRequest[]).map((r) => {
          const resourceRef = 'resourceRef' in r ? (r.resourceRef as string) : undefined;
          asked.push({ permission: r.permission.name, resourceRef, user });
          return { result: user === 'user:default/alice' && resourceRef === 'component:default/full' ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
        });
    };
    const permissions = createServiceFactory({
      service: coreServices.permissions,
      deps: {},
      factory: (): PermissionsService => ({ authorize, authorizeConditional: async () => [] }),
    });
    backend = await startTestBackend({
      features: [lanternPlugin, permissions, mockServices.rootConfig.factory({ data: { lantern: { baseUrl: lantern.url, token: lantern.token } } })],
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await lantern?.close();
  });

  it("answers a user who may read the entity with Lantern's summary, and refuses one who may not", async () => {
    const alice = await request(backend.server).get('/api/lantern/entities/component/default/full/summary').set('authorization', mockCredentials.user.header('user:default/alice'));
    expect(alice.status).toBe(200);
    const direct = await lantern.server.app.inject({ url: '/api/insights/entities/component/default/full/summary', headers: { authorization: `Bearer ${lantern.token}` } });
    expect(alice.body).toEqual(direct.json());
    expect(JSON.stringify(alice.body)).not.toContain(lantern.token);

    const bob = await request(backend.server).get('/api/lantern/entities/component/default/full/summary').set('authorization', mockCredentials.user.header('user:default/bob'));
    expect(bob.status).toBe(403);
    expect(bob.body.error).toMatchObject({ name: 'NotAllowedError' });
    expect(asked).toContainEqual({ permission: 'catalog.entity.read', resourceRef: 'component:default/full', user: 'user:default/bob' });
  });

  it('forwards the issue list, and refuses a caller whose credentials Backstage refuses, before any permission check', async () => {
    const page = await request(backend.server).get('/api/lantern/entities/component/default/full/issues?severity=critical').set('authorization', mockCredentials.user.header('user:default/alice'));
    expect(page.status).toBe(200);
    expect(page.body.items.map((i: { package: string }) => i.package)).toEqual(['a']);
    const before = asked.length;
    // (The test backend takes a request without a header as its default user, user:default/mock.)
    const forged = await request(backend.server).get('/api/lantern/entities/component/default/full/summary').set('authorization', mockCredentials.user.invalidHeader());
    expect(forged.status).toBe(401);
    expect(asked.slice(before)).toEqual([]);
    expect((await request(backend.server).get('/api/lantern/health')).status).toBe(200);
  });
});
