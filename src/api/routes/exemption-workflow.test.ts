import { afterEach, describe, expect, it } from 'vitest';
import { type AccessEstate, buildAccessEstate, PAY_CVE, type PrincipalName } from '../../../test/support/access-estate.js';
import { bytes, trivyReport } from '../../../test/support/reports.js';
import { describeEachStore, type StoreKind } from '../../../test/support/stores.js';
import { parseScope } from '../../domain/scope.js';
import type { AuditView } from '../../store/audit.js';

// Summaries are read at the time now: so is the clock the exemptions are requested at.
const T0 = new Date().toISOString();
const days = (n: number) => new Date(Date.parse(T0) + n * 24 * 60 * 60 * 1000).toISOString();

describeEachStore('the exemption workflow: request, preview, queue, decide, cancel, re-open', (kind: StoreKind) => {
  let e: AccessEstate;
  let clock = T0;

  const start = async () => {
    clock = T0;
    e = await buildAccessEstate(kind, { clock: () => clock });
    // Two more targets of acme.pay and one of acme.edge report the same CVE as acme/pay-api.
    for (const [target, scope] of [
      ['acme/pay-worker', 'acme.pay'],
      ['acme/pay-batch', 'acme.pay'],
      ['acme/edge-cache', 'acme.edge'],
    ] as const) {
      await e.lantern.ingest({ report: bytes(trivyReport([PAY_CVE])), source: `${target}.json`, target, targetType: 'repository', variant: 'main', scope: parseScope(scope) });
    }
  };
  afterEach(async () => {
    await e.close();
  });

  const call = (method: string, url: string, as: PrincipalName, payload?: object) =>
    e.server.app.inject({
      method: method as 'GET',
      url,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${e.tokens[as]}` },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
  const ok = async (method: string, url: string, as: PrincipalName, status: number, payload?: object) => {
    const response = await call(method, url, as, payload);
    expect(response.statusCode, `${method} ${url} as ${as}: ${response.body}`).toBe(status);
    return response.body === '' ? undefined : response.json();
  };
  const refused = async (method: string, url: string, as: PrincipalName, status: number, payload: object = {}): Promise<string> => {
    const response = await call(method, url, as, payload);
    expect(response.statusCode, response.body).toBe(status);
    return response.json().error.message;
  };
  const audit = async (action: string): Promise<AuditView[]> => (await ok('GET', `/api/audit?action=${action}`, 'admin@account', 200)).items;
  const exempted = async () => (await ok('GET', `/api/insights/entities/component/default/${e.pay.component}/summary`, 'viewer@acme.pay', 200)).exempted;

  describe('requests', () => {
    it('check reason, justification, link and duration; no expiry only for a false positive; 90 days by default', async () => {
      await start();
      const base = { issueId: e.pay.issueId, comment: 'Behind the gateway.' };
      const dev = 'developer@acme.pay';
      expect(await refused('POST', '/api/exemptions', dev, 400, { ...base, reason: 'wont_fix' })).toBe(
        'Invalid exemption reason "wont_fix": expected one of compensating_control, acceptable_use, accepted_risk, false_positive, fix_unavailable, other.',
      );
      expect(await refused('POST', '/api/exemptions', dev, 400, { ...base, comment: '   ', reason: 'other' })).toBe("An exemption's justification (comment) needs 1 to 4000 characters.");
      expect(await refused('POST', '/api/exemptions', dev, 400, { ...base, reason: 'other', link: 'javascript:alert(1)' })).toBe(
        'Invalid link "javascript:alert(1)": expected an http or https URL of at most 2000 characters.',
      );
      expect(await refused('POST', '/api/exemptions', dev, 400, { ...base, reason: 'acceptable_use', duration: 'none' })).toBe(
        'Only a false_positive exemption may have no expiry (duration none); a acceptable_use one needs 7d, 30d, 90d or expiresAt.',
      );
      expect(await refused('POST', '/api/exemptions', dev, 400, { ...base, reason: 'other', duration: '14d' })).toBe(
        'Invalid duration "14d": expected 7d, 30d, 90d, none, or expiresAt for a custom end.',
      );
      expect(await refused('POST', '/api/exemptions', dev, 400, { ...base, reason: 'other', duration: '7d', expiresAt: days(3) })).toBe('Give either duration or expiresAt (a custom end), not both.');
      expect(await refused('POST', '/api/exemptions', dev, 400, { ...base, reason: 'other', scope: 'acme.edge' })).toBe(
        "An exemption of an issue takes its key and scope from the issue: give issueId and level, without key or scope.",
      );

      const week = await ok('POST', '/api/exemptions', dev, 201, { ...base, reason: 'fix_unavailable', duration: '7d', link: 'https://tickets.example.com/SEC-12' });
      expect(week).toMatchObject({ status: 'pending', level: 'target', reason: 'fix_unavailable', expiresAt: days(7), link: 'https://tickets.example.com/SEC-12', comment: 'Behind the gateway.' });
      expect((await ok('POST', '/api/exemptions', dev, 201, { ...base, reason: 'compensating_control' })).expiresAt).toBe(days(90));
      expect((await ok('POST', '/api/exemptions', dev, 201, { ...base, reason: 'false_positive' })).expiresAt).toBeNull();
      expect((await ok('POST', '/api/exemptions', dev, 201, { ...base, reason: 'other', expiresAt: days(12) })).expiresAt).toBe(days(12));
      const [requested] = await audit('exemption.request');
      expect(requested?.details).toMatchObject({ reason: 'other', expiresAt: days(12) });
    });

    it('preview what an exemption from one issue hides at each level, among the targets the caller may read', async () => {
      await start();
      const preview = (level: string, as: PrincipalName = 'developer@acme.pay') => ok('POST', '/api/exemptions/preview', as, 200, { issueId: e.pay.issueId, level });
      expect(await preview('target')).toEqual({ issues: 1, targets: 1, scope: 'acme.pay', text: 'hides 1 issue in 1 target of acme.pay' });
      expect(await preview('project')).toEqual({ issues: 3, targets: 3, scope: 'acme.pay', text: 'hides 3 issues in 3 targets of acme.pay' });
      // acme/edge-cache has the CVE too, but security of acme.pay cannot read it.
      expect(await ok('POST', '/api/exemptions/preview', 'security@acme.pay', 200, { level: 'project', scope: 'acme.pay', key: PAY_CVE.id })).toMatchObject({ issues: 3, targets: 3 });
      expect((await ok('POST', '/api/exemptions/preview', 'admin@account', 200, { level: 'org', scope: 'acme', key: 'cve-2026-1001' })).text).toBe('hides 4 issues in 4 targets of acme');
      expect((await ok('POST', '/api/exemptions/preview', 'admin@account', 200, { level: 'account', key: PAY_CVE.id })).text).toBe('hides 4 issues in 4 targets of the account');
      // Requesting at the org needs a grant there: a project developer may not.
      expect(await refused('POST', '/api/exemptions/preview', 'developer@acme.pay', 403, { issueId: e.pay.issueId, level: 'org' })).toMatch(/may not request exemptions at acme/);
      expect(await refused('POST', '/api/exemptions/preview', 'developer@acme.edge', 404, { issueId: e.pay.issueId })).toBe(`No issue with id ${e.pay.issueId}.`);
    });
  });

  describe('decisions', () => {
    it('approve widened to the project for 30 days: the counts change, the audit says what changed', async () => {
      await start();
      expect(await exempted()).toBe(0);
      const approved = await ok('POST', `/api/exemptions/${e.pay.exemptionId}/approve`, 'security@acme.pay', 200, { level: 'project', duration: '30d', comment: 'For the project.' });
      expect(approved).toMatchObject({
        status: 'approved',
        level: 'project',
        scope: 'acme.pay',
        key: PAY_CVE.id,
        issueId: null,
        targetId: null,
        sourceIssueId: e.pay.issueId,
        expiresAt: days(30),
        decisionComment: 'For the project.',
        decidedBy: 'security@acme.pay',
      });
      expect(await exempted()).toBe(1);
      const [entry] = await audit('exemption.approve');
      expect(entry?.details).toEqual({
        requestedBy: (await e.actor('developer@acme.pay')).principal.id,
        comment: 'For the project.',
        changed: { from: { level: 'target', scope: 'acme.pay', expiresAt: days(90) }, to: { level: 'project', scope: 'acme.pay', expiresAt: days(30) } },
      });
      // Expiring within 30 days (not within 29).
      expect((await ok('GET', '/api/exemptions?expiringWithinDays=30', 'viewer@acme.pay', 200)).map((x: { id: number }) => x.id)).toEqual([e.pay.exemptionId]);
      expect(await ok('GET', '/api/exemptions?expiringWithinDays=29', 'viewer@acme.pay', 200)).toEqual([]);
      clock = days(31);
      expect((await ok('GET', `/api/exemptions/${e.pay.exemptionId}`, 'viewer@acme.pay', 200)).status).toBe('expired');
    });

    it('widening to the org needs the decider to hold security there; narrowing back to the issue works', async () => {
      await start();
      expect(await refused('POST', `/api/exemptions/${e.pay.exemptionId}/approve`, 'security@acme.pay', 403, { level: 'org' })).toMatch(/may not approve or reject exemptions at acme:/);
      expect((await ok('GET', `/api/exemptions/${e.pay.exemptionId}`, 'viewer@acme.pay', 200)).status).toBe('pending');
      const wide = await ok('POST', '/api/exemptions', 'developer@acme.pay', 201, { issueId: e.pay.issueId, level: 'project', reason: 'acceptable_use', comment: 'Internal only.' });
      expect(wide).toMatchObject({ level: 'project', scope: 'acme.pay', key: PAY_CVE.id, sourceIssueId: e.pay.issueId });
      const narrowed = await ok('POST', `/api/exemptions/${wide.id}/approve`, 'security@acme.pay', 200, { level: 'target' });
      expect(narrowed).toMatchObject({ level: 'target', issueId: e.pay.issueId, targetId: e.pay.targetId, scope: null, key: null });
      expect(await refused('POST', `/api/exemptions/${wide.id}/approve`, 'security@acme.pay', 409, {})).toBe(`Exemption ${wide.id} is approved, not pending: it cannot be approved again.`);
    });

    it('reject with a comment leaves the counts; the requester re-opens it as a new request; cancel is the requester’s', async () => {
      await start();
      expect(await refused('POST', `/api/exemptions/${e.pay.exemptionId}/reject`, 'security@acme.pay', 400, { comment: 'No.', duration: '7d' })).toMatch(/^A rejection takes only a comment/);
      const rejected = await ok('POST', `/api/exemptions/${e.pay.exemptionId}/reject`, 'security@acme.pay', 200, { comment: 'Reachable from the internet.' });
      expect(rejected).toMatchObject({ status: 'rejected', decisionComment: 'Reachable from the internet.', decidedBy: 'security@acme.pay' });
      expect(await exempted()).toBe(0);
      expect(await refused('POST', `/api/exemptions/${e.pay.exemptionId}/cancel`, 'developer@acme.pay', 409)).toBe(`Exemption ${e.pay.exemptionId} is rejected, not pending: only a pending request can be cancelled.`);

      const again = await ok('POST', `/api/exemptions/${e.pay.exemptionId}/reopen`, 'developer@acme.pay', 201, { comment: 'Now behind a WAF.', duration: '7d' });
      expect(again).toMatchObject({ status: 'pending', level: 'target', issueId: e.pay.issueId, reopenedFrom: e.pay.exemptionId, comment: 'Now behind a WAF.', reason: 'accepted_risk', expiresAt: days(7) });
      expect(await refused('POST', `/api/exemptions/${again.id}/reopen`, 'developer@acme.pay', 409)).toBe(`Exemption ${again.id} is pending: only a rejected, expired or cancelled one can be re-opened as a new request.`);
      expect(await refused('POST', `/api/exemptions/${again.id}/cancel`, 'security@acme.pay', 403)).toBe(
        `security@acme.pay may not cancel exemption ${again.id}: only whoever requested it (developer@acme.pay) may; a decider rejects it instead.`,
      );
      const cancelled = await ok('POST', `/api/exemptions/${again.id}/cancel`, 'developer@acme.pay', 200, { comment: 'Fixed instead.' });
      expect(cancelled).toMatchObject({ status: 'cancelled', decisionComment: 'Fixed instead.', decidedBy: 'developer@acme.pay' });
      expect(await refused('POST', `/api/exemptions/${again.id}/approve`, 'security@acme.pay', 409, {})).toBe(`Exemption ${again.id} is cancelled, not pending: it cannot be approved again.`);

      const developer = (await e.actor('developer@acme.pay')).principal.id;
      expect((await audit('exemption.reject')).map((a) => [a.objectId, a.details])).toEqual([[String(e.pay.exemptionId), { requestedBy: developer, comment: 'Reachable from the internet.' }]]);
      expect((await audit('exemption.reopen')).map((a) => [a.objectId, a.principal, a.details['reopenedFrom']])).toEqual([[String(again.id), developer, e.pay.exemptionId]]);
      expect((await audit('exemption.cancel')).map((a) => [a.objectId, a.principal, a.details])).toEqual([[String(again.id), developer, { comment: 'Fixed instead.' }]]);
    });
  });

  describe('the queue', () => {
    it('lists what the caller may decide, filtered, with the actions each caller may take', async () => {
      await start();
      const ids = (list: Array<{ id: number }>) => list.map((x) => x.id);
      const other = await ok('POST', '/api/exemptions', 'admin@acme.pay', 201, { level: 'project', scope: 'acme.pay', key: 'CVE-2026-9999', reason: 'false_positive', comment: 'Not ours.' });
      expect(ids(await ok('GET', '/api/exemptions?decidable=true&status=pending', 'security@acme.pay', 200))).toEqual([other.id, e.pay.exemptionId]);
      expect(ids(await ok('GET', '/api/exemptions?decidable=true', 'security@acme.edge', 200))).toEqual([e.edge.exemptionId]);
      expect(await ok('GET', '/api/exemptions?decidable=true', 'developer@acme.pay', 200)).toEqual([]);
      expect(ids(await ok('GET', '/api/exemptions?reason=false_positive', 'admin@account', 200))).toEqual([other.id]);
      expect(ids(await ok('GET', '/api/exemptions?level=project', 'admin@account', 200))).toEqual([other.id]);
      expect(ids(await ok('GET', '/api/exemptions?scope=acme.edge', 'admin@account', 200))).toEqual([e.edge.exemptionId]);
      expect(ids(await ok('GET', '/api/exemptions?requester=developer@acme.pay', 'admin@account', 200))).toEqual([e.pay.exemptionId]);
      const developer = (await e.actor('developer@acme.pay')).principal.id;
      expect(ids(await ok('GET', `/api/exemptions?requester=${encodeURIComponent(developer)}`, 'admin@account', 200))).toEqual([e.pay.exemptionId]);
      expect((await call('GET', '/api/exemptions?status=maybe', 'admin@account')).statusCode).toBe(400);

      const listed = (as: PrincipalName) => ok('GET', `/api/exemptions/${e.pay.exemptionId}`, as, 200);
      expect(await listed('developer@acme.pay')).toMatchObject({ appliesAt: 'acme.pay', targetName: e.pay.target, issueTitle: expect.stringContaining(PAY_CVE.id), actions: ['cancel'] });
      expect((await listed('security@acme.pay')).actions).toEqual(['approve', 'reject', 'revoke']);
      expect((await listed('viewer@acme.pay')).actions).toEqual([]);
      expect((await call('GET', `/api/exemptions/${e.pay.exemptionId}`, 'viewer@acme.edge')).statusCode).toBe(404);
    });
  });
});
