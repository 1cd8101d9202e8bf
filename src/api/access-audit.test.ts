import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AccessEstate, buildAccessEstate, CATALOG_URL, type PrincipalName } from '../../test/support/access-estate.js';
import { trivyReport } from '../../test/support/reports.js';
import { whereStored } from '../../test/support/secrets.js';
import { describeEachStore, type StoreKind } from '../../test/support/stores.js';
import type { LanternOptions } from '../lantern.js';
import type { AuditView } from '../store/audit.js';

const T0 = '2026-05-01T10:00:00.000Z';
const CLIENT = '198.51.100.9';


describeEachStore('exemptions, tokens and the audit log, as principals', (kind: StoreKind) => {
  let e: AccessEstate;
  let clock = T0;
  let logs: string[];

  const start = async (options: LanternOptions = {}) => {
    clock = T0;
    logs = [];
    e = await buildAccessEstate(kind, { clock: () => clock, catalog: { minRefreshIntervalMs: 0 }, ...options }, { logger: { level: 'debug', stream: { write: (line) => void logs.push(line) } } });
  };
  afterEach(async () => {
    await e.close();
  });

  const call = async (method: string, url: string, as: PrincipalName | string | undefined, payload?: object | string) => {
    const token = as === undefined ? undefined : as.startsWith('lnt_') ? as : e.tokens[as as PrincipalName];
    return e.server.app.inject({
      method: method as 'GET',
      url,
      remoteAddress: CLIENT,
      headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
    });
  };
  const ok = async (method: string, url: string, as: PrincipalName | string, status: number, payload?: object | string) => {
    const response = await call(method, url, as, payload);
    expect(response.statusCode, `${method} ${url} as ${as}: ${response.body}`).toBe(status);
    return response.body === '' ? undefined : response.json();
  };
  const audit = async (query = ''): Promise<AuditView[]> => (await ok('GET', `/api/audit${query}`, 'admin@account', 200)).items;
  const principalId = async (name: PrincipalName) => (await e.actor(name)).principal.id;

  describe('exemptions', () => {
    it('takes requester and decider from the tokens, refuses self-approval, and audits both steps', async () => {
      await start();
      const requested = await ok('POST', '/api/exemptions', 'developer@acme.pay', 201, {
        issueId: e.pay.issueId,
        reason: 'false_positive',
        comment: 'Not used.',
        requestedBy: 'somebody else',
        by: 'somebody else',
      });
      expect(requested).toMatchObject({ status: 'pending', requestedBy: 'developer@acme.pay', requestedById: await principalId('developer@acme.pay'), decidedBy: null });
      const approved = await ok('POST', `/api/exemptions/${requested.id}/approve`, 'security@acme.pay', 200, { comment: 'Agreed.', decidedBy: 'somebody else' });
      expect(approved).toMatchObject({ status: 'approved', requestedBy: 'developer@acme.pay', decidedBy: 'security@acme.pay', decidedById: await principalId('security@acme.pay') });

      // A security principal that requested cannot decide its own request.
      const own = await ok('POST', '/api/exemptions', 'security@acme.pay', 201, { level: 'project', scope: 'acme.pay', key: 'CVE-2026-1001', reason: 'accepted_risk', comment: 'Mine.' });
      const before = await audit();
      const refused = await call('POST', `/api/exemptions/${own.id}/approve`, 'security@acme.pay', {});
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.message).toBe(
        `security@acme.pay requested exemption ${own.id} and may not approve it too; another principal with the security role at acme.pay must decide (or set allowSelfApproval: true in the config file).`,
      );
      expect(await audit()).toEqual(before);
      expect((await ok('GET', '/api/exemptions?status=pending', 'viewer@acme.pay', 200)).map((x: { id: number }) => x.id)).toContain(own.id);

      const requests = await audit('?action=exemption.request');
      expect(requests.map((a) => [a.principal, a.principalName, a.objectId, a.scope, a.clientAddress])).toEqual([
        [await principalId('security@acme.pay'), 'security@acme.pay', String(own.id), 'acme.pay', CLIENT],
        [await principalId('developer@acme.pay'), 'developer@acme.pay', String(requested.id), 'acme.pay', CLIENT],
        // The estate's own requests, made through Lantern as the tokens' principals.
        [await principalId('developer@acme.edge'), 'developer@acme.edge', String(e.edge.exemptionId), 'acme.edge', '203.0.113.7'],
        [await principalId('developer@acme.pay'), 'developer@acme.pay', String(e.pay.exemptionId), 'acme.pay', '203.0.113.7'],
      ]);
      const approvals = await audit('?action=exemption.approve');
      expect(approvals).toEqual([
        {
          id: expect.any(Number),
          at: T0,
          principal: await principalId('security@acme.pay'),
          principalName: 'security@acme.pay',
          action: 'exemption.approve',
          objectType: 'exemption',
          objectId: String(requested.id),
          scope: 'acme.pay',
          clientAddress: CLIENT,
          details: { requestedBy: await principalId('developer@acme.pay'), comment: 'Agreed.' },
        },
      ]);
    });

    it('lets the requester approve too with allowSelfApproval', async () => {
      await start({ allowSelfApproval: true });
      const own = await ok('POST', '/api/exemptions', 'security@acme.pay', 201, { issueId: e.pay.issueId, reason: 'accepted_risk', comment: 'Mine.' });
      expect(await ok('POST', `/api/exemptions/${own.id}/approve`, 'security@acme.pay', 200, {})).toMatchObject({ status: 'approved', requestedBy: 'security@acme.pay', decidedBy: 'security@acme.pay' });
    });
  });

  describe('tokens', () => {
    it('never stores or logs a token in clear; revoked and expired tokens are refused at once; last use is recorded', async () => {
      await start();
      const created = await ok('POST', '/api/tokens', 'admin@acme.pay', 201, { name: 'pay-ci', role: 'ingester', scope: 'acme.pay', expires: '1m' });
      expect(created).toMatchObject({ name: 'pay-ci', role: 'ingester', scope: 'acme.pay', createdBy: await principalId('admin@acme.pay'), expiresAt: '2026-05-01T10:01:00.000Z', lastUsedAt: null, revokedAt: null });
      expect(created.token).toMatch(/^lnt_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
      // The list never holds the token.
      const listed = await ok('GET', '/api/tokens', 'admin@acme.pay', 200);
      expect(JSON.stringify(listed)).not.toContain(created.token.slice(17));

      const upload = `/api/scans?target=acme/pay-ci&type=repository&variant=main&scope=acme.pay`;
      await ok('POST', upload, created.token, 201, trivyReport([{ id: 'CVE-2026-3003', pkg: 'ci-lib', version: '1.0.0', severity: 'LOW' }]));
      await vi.waitFor(async () => {
        const row = (await ok('GET', '/api/tokens', 'admin@acme.pay', 200)).find((t: { id: number }) => t.id === created.id);
        expect(row.lastUsedAt).toBe(T0);
      });

      const secrets = [created.token, created.token.slice(17), ...Object.values(e.tokens), ...Object.values(e.tokens).map((t) => t.slice(17))];
      expect(await whereStored(e.lantern.store, secrets)).toEqual([]);
      // The search does find what is stored (the token's key, and its name in the token and audit tables).
      expect(await whereStored(e.lantern.store, [created.token.slice(4, 16)])).toContain('api_tokens.key');
      expect(await whereStored(e.lantern.store, ['pay-ci'])).toEqual(expect.arrayContaining(['api_tokens.name', 'audit_log.details', ...(kind === 'sqlite' ? ['file'] : [])]));
      // The token's hash is what is stored.
      const row = await e.lantern.store.db.selectFrom('api_tokens').select(['hash', 'key']).where('id', '=', created.id).executeTakeFirstOrThrow();
      expect(row.key).toBe(created.token.slice(4, 16));
      expect(row.hash).toMatch(/^[0-9a-f]{64}$/);

      // Expired: a minute later by the server's clock.
      clock = '2026-05-01T10:01:00.000Z';
      expect((await call('POST', upload.replace('main', 'next'), created.token, trivyReport([]))).statusCode).toBe(401);

      // Revoked: refused by the very next request.
      const viewer = await ok('POST', '/api/tokens', 'admin@acme.pay', 201, { name: 'pay-viewer', role: 'viewer', scope: 'acme.pay' });
      await ok('GET', '/api/targets', viewer.token, 200);
      expect(await ok('DELETE', `/api/tokens/${viewer.id}`, 'admin@acme.pay', 200)).toMatchObject({ id: viewer.id, revokedAt: clock });
      const revoked = await call('GET', '/api/targets', viewer.token);
      expect(revoked.statusCode).toBe(401);
      expect(revoked.headers['www-authenticate']).toBe('Bearer realm="lantern"');
      expect((await call('DELETE', `/api/tokens/${viewer.id}`, 'admin@acme.pay')).statusCode).toBe(409);

      // Debug logs of all of the above name no token.
      expect(logs.length).toBeGreaterThan(10);
      expect(logs.filter((line) => line.includes('"reqId"'))).not.toEqual([]);
      expect(logs.filter((line) => secrets.some((s) => line.includes(s)) || line.includes(viewer.token.slice(17)))).toEqual([]);
    });
  });

  describe('the audit log', () => {
    it('holds exactly one entry per change made over HTTP, with principal, object, scope and address', async () => {
      await start();
      const changes: Array<{ as: PrincipalName; method: string; url: () => Promise<string> | string; payload?: object | string; status: number; action: string; objectType: string; scope: string }> = [
        { as: 'ingester@acme.pay', method: 'POST', url: () => '/api/scans?target=acme/pay-api&type=repository&variant=next&scope=acme.pay', payload: trivyReport([]), status: 201, action: 'scan.ingest', objectType: 'scan', scope: 'acme.pay' },
        { as: 'security@acme.pay', method: 'PUT', url: () => `/api/targets/${e.pay.targetId}/baseline`, payload: { variant: 'main' }, status: 204, action: 'target.baseline', objectType: 'target', scope: 'acme.pay' },
        { as: 'developer@acme.pay', method: 'POST', url: () => '/api/exemptions', payload: { issueId: e.pay.issueId, reason: 'other', comment: 'Why not.' }, status: 201, action: 'exemption.request', objectType: 'exemption', scope: 'acme.pay' },
        { as: 'security@acme.pay', method: 'POST', url: () => `/api/exemptions/${e.pay.exemptionId}/approve`, payload: {}, status: 200, action: 'exemption.approve', objectType: 'exemption', scope: 'acme.pay' },
        { as: 'security@acme.edge', method: 'POST', url: () => `/api/exemptions/${e.edge.exemptionId}/reject`, payload: {}, status: 200, action: 'exemption.reject', objectType: 'exemption', scope: 'acme.edge' },
        { as: 'security@acme.pay', method: 'POST', url: () => `/api/exemptions/${e.pay.exemptionId}/revoke`, payload: { comment: 'The fix shipped.' }, status: 204, action: 'exemption.revoke', objectType: 'exemption', scope: 'acme.pay' },
        { as: 'admin@acme.pay', method: 'POST', url: () => '/api/catalog/locations', payload: { target: CATALOG_URL, scope: 'acme.pay' }, status: 201, action: 'catalog.register', objectType: 'location', scope: 'acme.pay' },
        { as: 'admin@acme.pay', method: 'POST', url: () => '/api/catalog/refresh', payload: { locationId: String(e.pay.locationId) }, status: 200, action: 'catalog.refresh', objectType: 'location', scope: 'acme.pay' },
        { as: 'admin@acme.edge', method: 'DELETE', url: () => `/api/catalog/locations/${e.edge.locationId}`, status: 204, action: 'catalog.unregister', objectType: 'location', scope: 'acme.edge' },
        { as: 'admin@account', method: 'POST', url: () => '/api/scorecards', payload: { id: 'linked', name: 'Linked', checks: [{ id: 'l', name: 'L', rules: [{ dataPoint: 'catalog.has_sto_annotation', operator: '==', value: true }] }] }, status: 201, action: 'scorecard.create', objectType: 'scorecard', scope: 'account' },
        { as: 'admin@account', method: 'DELETE', url: () => '/api/scorecards/linked', status: 204, action: 'scorecard.delete', objectType: 'scorecard', scope: 'account' },
        { as: 'admin@acme.pay', method: 'POST', url: () => '/api/tokens', payload: { name: 'short-lived', role: 'viewer', scope: 'acme.pay' }, status: 201, action: 'token.create', objectType: 'token', scope: 'acme.pay' },
        { as: 'admin@acme.pay', method: 'DELETE', url: async () => `/api/tokens/${(await e.lantern.store.db.selectFrom('api_tokens').select('id').where('name', '=', 'short-lived').executeTakeFirstOrThrow()).id}`, status: 200, action: 'token.revoke', objectType: 'token', scope: 'acme.pay' },
      ];
      for (const change of changes) {
        const [newest] = await audit('?limit=1');
        const url = await change.url();
        await ok(change.method, url, change.as, change.status, change.payload);
        const added = await audit(`?limit=5`);
        const fresh = added.filter((a) => a.id > (newest?.id ?? 0));
        expect(fresh.map((a) => [a.action, a.principal, a.principalName, a.objectType, a.scope, a.clientAddress]), `${change.method} ${url}`).toEqual([
          [change.action, await principalId(change.as), change.as, change.objectType, change.scope, CLIENT],
        ]);
        expect(fresh[0]?.objectId, change.action).toMatch(/^[\w-]+$/);
      }
    });

    it('writes nothing for a change that fails', async () => {
      await start();
      const before = await audit();
      expect((await call('POST', '/api/scans?target=acme/pay-api&type=repository&variant=main&scope=acme.pay', 'ingester@acme.pay', '{"Results": [')).statusCode).toBe(400);
      expect((await call('POST', '/api/scans?target=acme/pay-api&type=repository&variant=main&scope=acme.edge', 'ingester@acme.pay', trivyReport([]))).statusCode).toBe(403);
      expect((await call('POST', `/api/exemptions/${e.pay.exemptionId}/approve`, 'developer@acme.pay', {})).statusCode).toBe(403);
      // A revocation says why.
      expect((await call('POST', `/api/exemptions/${e.pay.exemptionId}/revoke`, 'security@acme.pay', {})).statusCode).toBe(400);
      expect((await call('POST', `/api/exemptions/${e.pay.exemptionId}/revoke`, 'security@acme.pay', { comment: '  ' })).statusCode).toBe(400);
      expect((await call('PUT', `/api/targets/${e.pay.targetId}/baseline`, 'security@acme.pay', { regex: '(' })).statusCode).toBe(400);
      expect((await call('POST', '/api/scorecards', 'admin@account', { id: 'bad', name: 'Bad', checks: [{ id: 'c', name: 'C', rules: [{ dataPoint: 'sto.nope', operator: '==', value: 0 }] }] })).statusCode).toBe(400);
      expect((await call('POST', '/api/tokens', 'admin@acme.pay', { name: 'too-much', role: 'admin', scope: 'account' })).statusCode).toBe(403);
      expect((await call('DELETE', `/api/scorecards/owned`, 'admin@acme.pay')).statusCode).toBe(403);
      expect(await audit()).toEqual(before);
    });

    it('filters by principal, action, object type and time, and pages with a cursor', async () => {
      await start();
      clock = '2026-05-02T10:00:00.000Z';
      await ok('POST', '/api/scans?target=acme/pay-api&type=repository&variant=late&scope=acme.pay', 'ingester@acme.pay', 201, trivyReport([]));
      const all = await audit('?limit=500');
      // 11 tokens, 2 registrations, 2 ingests, 2 requests, the scorecard, then the late ingest.
      expect(all.map((a) => a.action)).toEqual([
        'scan.ingest',
        'scorecard.create',
        'exemption.request', 'scan.ingest', 'catalog.register',
        'exemption.request', 'scan.ingest', 'catalog.register',
        ...Array(11).fill('token.create'),
      ]);
      expect(all.map((a) => a.id)).toEqual([...all.map((a) => a.id)].sort((x, y) => y - x));

      const ingester = await principalId('ingester@acme.pay');
      expect((await audit(`?principal=${encodeURIComponent(ingester)}`)).map((a) => a.action)).toEqual(['scan.ingest']);
      expect((await audit('?action=catalog.register')).map((a) => a.scope)).toEqual(['acme.edge', 'acme.pay']);
      expect((await audit('?objectType=scorecard')).map((a) => [a.action, a.objectId])).toEqual([['scorecard.create', 'owned']]);
      expect((await audit('?since=2026-05-02T00:00:00Z')).map((a) => a.principal)).toEqual([ingester]);
      expect(await audit('?until=2026-05-01T10:00:00.000Z')).toEqual([]);
      expect(await audit('?until=2026-05-02T00:00:00Z')).toEqual(all.slice(1));

      const pages: AuditView[][] = [];
      let cursor: string | null = '';
      while (cursor !== null) {
        const page: { items: AuditView[]; nextCursor: string | null } = await ok('GET', `/api/audit?limit=7${cursor ? `&cursor=${cursor}` : ''}`, 'admin@account', 200);
        pages.push(page.items);
        cursor = page.nextCursor;
      }
      expect(pages.map((p) => p.length)).toEqual([7, 7, 5]);
      expect(pages.flat()).toEqual(all);

      expect((await call('GET', '/api/audit?since=yesterday', 'admin@account')).json().error.message).toBe('Invalid since "yesterday": expected an ISO 8601 time.');
      expect((await call('GET', '/api/audit?cursor=abc', 'admin@account')).json().error.message).toBe('Invalid cursor "abc": pass the nextCursor of the previous page.');
    });
  });
});
