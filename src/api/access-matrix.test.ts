import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AccessEstate, buildAccessEstate, CATALOG_URL, type PrincipalName } from '../../test/support/access-estate.js';
import { trivyReport } from '../../test/support/reports.js';
import { describeEachStore, type StoreKind } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import { ROUTE_PERMISSIONS } from './permissions.js';
import { registeredRoutes } from '../../test/support/routes.js';

/**
 * Who may call each route, from a table: each row is one entry of ROUTE_PERMISSIONS, with a valid
 * request on an acme.pay object, the least principal that may make it, and principals that may
 * not (403 for a role without the action, 404 for a principal that cannot even read acme.pay
 * where the route reads one object). A route added to the table without a row here fails.
 */
interface Row {
  /** The URL (with its query), given the estate; may first create the object the call consumes. */
  url(e: AccessEstate): string | Promise<string>;
  payload?: (e: AccessEstate) => object | string;
  allow: PrincipalName;
  status: number;
  deny: Array<[PrincipalName, 403 | 404]>;
}
type Entry = Row | { public: true; url: string } | { absent: 'added by the OpenID Connect sign-in' };

const T0 = '2026-05-01T10:00:00.000Z';
const read = (url: (e: AccessEstate) => string, outside = true): Row => ({
  url,
  allow: 'viewer@acme.pay',
  status: 200,
  deny: [['ingester@acme.pay', 403], ...(outside ? ([['viewer@acme.edge', 404]] as Array<[PrincipalName, 404]>) : [])],
});
const list = (url: string | ((e: AccessEstate) => string)): Row => read(typeof url === 'string' ? () => url : url, false);
const entity = (e: AccessEstate) => `component/default/${e.pay.component}`;
const exemptionRequest = (e: AccessEstate) => ({ issueId: e.pay.issueId, reason: 'accepted_risk', comment: 'Behind the gateway.' });
const pendingExemption = async (e: AccessEstate) => (await e.lantern.requestExemption(exemptionRequest(e), await e.actor('developer@acme.pay'))).id;

const MATRIX: Record<string, Entry> = {
  'GET /api/health': { public: true, url: '/api/health' },
  'GET /api/health/live': { public: true, url: '/api/health/live' },
  'GET /api/health/ready': { public: true, url: '/api/health/ready' },
  'GET /api/metrics': { url: () => '/api/metrics', allow: 'viewer@account', status: 200, deny: [['viewer@acme.pay', 403], ['ingester@acme.pay', 403]] },
  'GET /api/openapi.json': { public: true, url: '/api/openapi.json' },
  'GET /api/auth/me': { public: true, url: '/api/auth/me' },
  'GET /api/auth/login': { absent: 'added by the OpenID Connect sign-in' },
  'GET /api/auth/callback': { absent: 'added by the OpenID Connect sign-in' },
  'POST /api/auth/logout': { absent: 'added by the OpenID Connect sign-in' },
  'GET /api/tokens': { url: () => '/api/tokens', allow: 'admin@acme.pay', status: 200, deny: [['security@acme.pay', 403], ['viewer@account', 403]] },
  'POST /api/tokens': {
    url: () => '/api/tokens',
    payload: () => ({ name: 'pay-ci', role: 'ingester', scope: 'acme.pay' }),
    allow: 'admin@acme.pay',
    status: 201,
    deny: [['security@acme.pay', 403], ['admin@acme.edge', 403]],
  },
  'DELETE /api/tokens/:id': {
    url: async (e) => `/api/tokens/${(await e.lantern.createToken({ name: 'doomed', role: 'viewer', scope: 'acme.pay' })).view.id}`,
    allow: 'admin@acme.pay',
    status: 200,
    deny: [['security@acme.pay', 403], ['admin@acme.edge', 404]],
  },
  'GET /api/audit': { url: () => '/api/audit', allow: 'admin@acme.pay', status: 200, deny: [['security@acme.pay', 403], ['viewer@account', 403]] },

  'POST /api/scans': {
    url: () => '/api/scans?target=acme/pay-ci&type=repository&variant=main&scope=acme.pay',
    payload: () => trivyReport([{ id: 'CVE-2026-3003', pkg: 'ci-lib', version: '1.0.0', severity: 'LOW' }]),
    allow: 'ingester@acme.pay',
    status: 201,
    deny: [['viewer@acme.pay', 403], ['security@acme.pay', 403], ['admin@acme.edge', 403]],
  },
  'GET /api/targets': list('/api/targets'),
  'GET /api/targets/:id': read((e) => `/api/targets/${e.pay.targetId}`),
  'PUT /api/targets/:id/baseline': {
    url: (e) => `/api/targets/${e.pay.targetId}/baseline`,
    payload: () => ({ variant: 'main' }),
    allow: 'security@acme.pay',
    status: 204,
    deny: [['developer@acme.pay', 403], ['viewer@acme.pay', 403], ['security@acme.edge', 404]],
  },
  'GET /api/targets/:id/scans': read((e) => `/api/targets/${e.pay.targetId}/scans`),
  'GET /api/scans/:id': read((e) => `/api/scans/${e.pay.scanId}`),
  'POST /api/gate': { ...read(() => '/api/gate'), payload: () => ({ target: 'acme/pay-api', variant: 'main', scope: 'acme.pay', failOn: 'kev' }) },
  'GET /api/scans/:id/issues': read((e) => `/api/scans/${e.pay.scanId}/issues?part=new`),

  'GET /api/catalog/entities': list('/api/catalog/entities'),
  'GET /api/catalog/entities/by-query': list('/api/catalog/entities/by-query'),
  'POST /api/catalog/entities/by-refs': { ...list('/api/catalog/entities/by-refs'), payload: (e) => ({ entityRefs: [`component:default/${e.pay.component}`] }) },
  'GET /api/catalog/entities/by-name/:kind/:namespace/:name': read((e) => `/api/catalog/entities/by-name/${entity(e)}`),
  'GET /api/catalog/entities/by-name/:kind/:namespace/:name/target-links': read((e) => `/api/catalog/entities/by-name/${entity(e)}/target-links`),
  'GET /api/catalog/entities/by-uid/:uid': read((e) => `/api/catalog/entities/by-uid/${e.pay.entityUid}`),
  'GET /api/catalog/entity-facets': list('/api/catalog/entity-facets?facet=kind'),
  'GET /api/catalog/locations': list('/api/catalog/locations'),
  'GET /api/catalog/locations/:id': read((e) => `/api/catalog/locations/${e.pay.locationId}`),
  'GET /api/catalog/locations/by-entity/:kind/:namespace/:name': read((e) => `/api/catalog/locations/by-entity/${entity(e)}`),
  'POST /api/catalog/locations': {
    url: () => '/api/catalog/locations',
    payload: () => ({ target: CATALOG_URL, scope: 'acme.pay' }),
    allow: 'admin@acme.pay',
    status: 201,
    deny: [['security@acme.pay', 403], ['admin@acme.edge', 403]],
  },
  'DELETE /api/catalog/locations/:id': {
    url: async (e) => `/api/catalog/locations/${(await e.lantern.registerLocation(e.catalogFolder('doomed'), parseScope('acme.pay'))).location.id}`,
    allow: 'admin@acme.pay',
    status: 204,
    deny: [['security@acme.pay', 403], ['admin@acme.edge', 404]],
  },
  // Every location at once is an account-wide change.
  'POST /api/catalog/refresh': { url: () => '/api/catalog/refresh', payload: () => ({}), allow: 'admin@account', status: 200, deny: [['admin@acme.pay', 403], ['security@acme.pay', 403]] },

  'GET /api/insights/entities/:kind/:namespace/:name/summary': read((e) => `/api/insights/entities/${entity(e)}/summary`),
  'GET /api/insights/entities/:kind/:namespace/:name/sla': read((e) => `/api/insights/entities/${entity(e)}/sla`),
  'GET /api/insights/entities/:kind/:namespace/:name/issues': read((e) => `/api/insights/entities/${entity(e)}/issues`),
  'GET /api/insights/entities/:kind/:namespace/:name/scorecards': read((e) => `/api/insights/entities/${entity(e)}/scorecards`),
  'GET /api/insights/entities/:kind/:namespace/:name/rollup': read((e) => `/api/insights/entities/system/default/${e.pay.system}/rollup`),
  'GET /api/insights/issues': list('/api/insights/issues?q=CVE-2026'),
  'GET /api/insights/issues/:id': read((e) => `/api/insights/issues/${e.pay.issueId}`),
  'GET /api/insights/overview': list('/api/insights/overview'),
  'GET /api/insights/trend': list('/api/insights/trend'),
  'GET /api/insights/sla-compliance': list('/api/insights/sla-compliance?days=30'),

  'GET /api/exemptions': list('/api/exemptions'),
  'GET /api/exemptions/:id': read((e) => `/api/exemptions/${e.pay.exemptionId}`),
  'POST /api/exemptions/preview': {
    url: () => '/api/exemptions/preview',
    payload: (e) => ({ issueId: e.pay.issueId, level: 'project' }),
    allow: 'developer@acme.pay',
    status: 200,
    deny: [['viewer@acme.pay', 403], ['developer@acme.edge', 404]],
  },
  'POST /api/exemptions/:id/cancel': {
    url: async (e) => `/api/exemptions/${await pendingExemption(e)}/cancel`,
    payload: () => ({}),
    allow: 'developer@acme.pay',
    status: 200,
    deny: [['viewer@acme.pay', 403], ['security@acme.pay', 403], ['developer@acme.edge', 404]],
  },
  'POST /api/exemptions/:id/reopen': {
    url: async (e) => {
      const id = await pendingExemption(e);
      await e.lantern.decideExemption(id, 'rejected', await e.actor('security@acme.pay'));
      return `/api/exemptions/${id}/reopen`;
    },
    payload: () => ({ comment: 'Asked again.' }),
    allow: 'developer@acme.pay',
    status: 201,
    deny: [['viewer@acme.pay', 403], ['developer@acme.edge', 404]],
  },
  'POST /api/exemptions': {
    url: () => '/api/exemptions',
    payload: exemptionRequest,
    allow: 'developer@acme.pay',
    status: 201,
    deny: [['viewer@acme.pay', 403], ['ingester@acme.pay', 403], ['developer@acme.edge', 404]],
  },
  'POST /api/exemptions/:id/approve': {
    url: async (e) => `/api/exemptions/${await pendingExemption(e)}/approve`,
    payload: () => ({}),
    allow: 'security@acme.pay',
    status: 200,
    deny: [['developer@acme.pay', 403], ['viewer@acme.pay', 403], ['security@acme.edge', 404]],
  },
  'POST /api/exemptions/:id/reject': {
    url: async (e) => `/api/exemptions/${await pendingExemption(e)}/reject`,
    payload: () => ({ comment: 'Reachable after all.' }),
    allow: 'security@acme.pay',
    status: 200,
    deny: [['developer@acme.pay', 403], ['viewer@acme.pay', 403], ['security@acme.edge', 404]],
  },
  'POST /api/exemptions/:id/revoke': {
    url: async (e) => `/api/exemptions/${await pendingExemption(e)}/revoke`,
    payload: () => ({ comment: 'The fix shipped.' }),
    allow: 'security@acme.pay',
    status: 204,
    deny: [['developer@acme.pay', 403], ['viewer@acme.pay', 403], ['security@acme.edge', 404]],
  },
  'DELETE /api/exemptions/:id': {
    url: async (e) => `/api/exemptions/${await pendingExemption(e)}`,
    allow: 'security@acme.pay',
    status: 204,
    deny: [['developer@acme.pay', 403], ['security@acme.edge', 404]],
  },

  'GET /api/notifications/deliveries': { url: () => '/api/notifications/deliveries', allow: 'admin@account', status: 200, deny: [['admin@acme.pay', 403], ['security@acme.pay', 403]] },

  'GET /api/scorecards': list('/api/scorecards'),
  'GET /api/scorecards/data-points': list('/api/scorecards/data-points'),
  'GET /api/feeds': list('/api/feeds'),
  'GET /api/scorecards/checks': list('/api/scorecards/checks'),
  'GET /api/scorecards/:id': list('/api/scorecards/owned'),
  'POST /api/scorecards': {
    url: () => '/api/scorecards',
    payload: () => ({ id: 'matrix', name: 'Matrix', checks: [{ id: 'linked', name: 'Linked', rules: [{ dataPoint: 'catalog.has_sto_annotation', operator: '==', value: true }] }] }),
    allow: 'admin@account',
    status: 201,
    deny: [['admin@acme.pay', 403], ['viewer@account', 403]],
  },
  'DELETE /api/scorecards/:id': {
    url: async (e) => {
      await e.lantern.defineScorecard({ id: 'doomed', name: 'Doomed', checks: [{ id: 'owner', name: 'Owner', rules: [{ dataPoint: 'catalog.has_owner', operator: '==', value: true }] }] });
      return '/api/scorecards/doomed';
    },
    allow: 'admin@account',
    status: 204,
    deny: [['admin@acme.pay', 403], ['viewer@account', 403]],
  },
  'GET /api/scorecards/:id/results': list('/api/scorecards/owned/results'),
  'GET /api/scorecards/:id/trend': list('/api/scorecards/owned/trend'),
};

it('has a row for every route in ROUTE_PERMISSIONS, and no other', () => {
  expect(Object.keys(MATRIX).sort()).toEqual(Object.keys(ROUTE_PERMISSIONS).sort());
});

describeEachStore('who may call each route', (kind: StoreKind) => {
  let e: AccessEstate;
  let clock = T0;
  /** Tokens that would be account admins, but are revoked or expired. */
  let revoked: string;
  let expired: string;

  const call = (method: string, url: string, token: string | undefined, payload?: object | string) =>
    e.server.app.inject({
      method: method as 'GET',
      url,
      // A JSON content type, as browsers must send on changes (so no-credential calls reach the 401, not the cross-site 403).
      headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
    });

  beforeAll(async () => {
    clock = T0;
    e = await buildAccessEstate(kind, { clock: () => clock });
    revoked = (await e.lantern.createToken({ name: 'revoked-admin', role: 'admin' })).token;
    const revokedId = (await e.lantern.tokens.verify(revoked))?.id.replace('token:', '');
    await e.lantern.revokeToken(Number(revokedId));
    expired = (await e.lantern.createToken({ name: 'expired-admin', role: 'admin', expires: '1m' })).token;
    clock = '2026-05-01T10:02:00.000Z';
    await e.server.app.ready();
  });
  afterAll(async () => {
    await e.close();
  });

  for (const [key, entry] of Object.entries(MATRIX)) {
    const [method, route] = key.split(' ') as [string, string];
    it(key, async () => {
      if ('absent' in entry) {
        expect(registeredRoutes(e.server.app), `${key} is registered: give it a row`).not.toContain(key);
        return;
      }
      if ('public' in entry) {
        const response = await call(method, entry.url, undefined);
        expect(response.statusCode, response.body).toBe(200);
        return;
      }
      expect(registeredRoutes(e.server.app)).toContain(`${method} ${route}`);
      const url = await entry.url(e);
      const payload = entry.payload?.(e);
      for (const [name, status] of entry.deny) {
        const denied = await call(method, url, e.tokens[name], payload);
        expect(denied.statusCode, `${name}: ${denied.body}`).toBe(status);
        if (status === 403) expect(denied.json().error.message).toMatch(/ may not /);
      }
      const nobody = await call(method, url, undefined, payload);
      expect(nobody.statusCode, nobody.body).toBe(401);
      expect(nobody.headers['www-authenticate']).toBe('Bearer realm="lantern"');
      expect(nobody.json().error.message).toBe('Authentication is required: send an API token as "Authorization: Bearer <token>", or sign in to the web UI.');
      for (const token of [revoked, expired, `lnt_AAAAAAAAAAAA_${'A'.repeat(43)}`, 'not-a-token']) {
        const refused = await call(method, url, token, payload);
        expect(refused.statusCode, refused.body).toBe(401);
        expect(refused.json().error.message).toBe('The API token is not valid: it is unknown, revoked or expired.');
      }
      const allowed = await call(method, url, e.tokens[entry.allow], payload);
      expect(allowed.statusCode, `${entry.allow}: ${allowed.body}`).toBe(entry.status);
    });
  }
});
