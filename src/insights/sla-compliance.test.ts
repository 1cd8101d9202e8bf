import { afterEach, beforeEach, expect, it } from 'vitest';
import { buildSlaHistory, SLA_HISTORY_NOW } from '../../test/support/sla-history.js';
import { ANONYMOUS_ADMIN, startTestServer, type TestServer } from '../../test/support/server.js';
import { describeEachStore } from '../../test/support/stores.js';
import { buildServer } from '../api/server.js';
import { Lantern } from '../lantern.js';
import type { SlaCompliance } from './sla-compliance.js';
import type { EntitySla } from './sla-clock.js';

const tally = (fixed: number, fixedWithinSla: number, fixedLate: number, slaCompliance: number | null, mttrDays: number | null) => ({ fixed, fixedWithinSla, fixedLate, slaCompliance, mttrDays });
const NONE = tally(0, 0, 0, null, null);

describeEachStore('SLA compliance across the catalog', (kind) => {
  let server: TestServer;
  const clock = { now: SLA_HISTORY_NOW };
  let cleanup: () => void;
  const get = async <T>(app: TestServer['app'], url: string): Promise<T> => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as T;
  };

  beforeEach(async () => {
    server = await startTestServer(kind, { clock: () => clock.now, allowSelfApproval: true });
    cleanup = await buildSlaHistory(server.lantern, clock);
  });
  afterEach(async () => {
    await server.close();
    cleanup();
  });

  it('gives compliance per owner, system and domain and MTTR per severity from the fixes of the period, false positives left out', async () => {
    const quarter = await get<SlaCompliance>(server.app, '/api/insights/sla-compliance?days=90');
    expect(quarter.period).toEqual({ from: '2024-01-16T00:00:00.000Z', to: SLA_HISTORY_NOW, days: 90 });
    expect(quarter.overall).toEqual(tally(4, 2, 2, 50, 16.8));
    expect(quarter.bySeverity).toEqual({ critical: tally(2, 1, 1, 50, 11.5), high: tally(1, 0, 1, 0, 40), medium: tally(1, 1, 0, 100, 4), low: NONE, info: NONE });
    // team-b's fix is shown by two of its entities and counts once; team-c fixed only a false positive: no data.
    expect(quarter.byOwner).toEqual([
      { owner: 'group:default/team-b', ...tally(1, 0, 1, 0, 19) },
      { owner: 'group:default/team-a', ...tally(3, 2, 1, 66.7, 16) },
      { owner: 'group:default/team-c', ...NONE },
    ]);
    expect(quarter.bySystem).toEqual([{ system: 'system:default/billing', ...tally(4, 2, 2, 50, 16.8) }]);
    expect(quarter.byDomain).toEqual([{ domain: 'domain:default/money', ...tally(4, 2, 2, 50, 16.8) }]);

    // Fixes without a kept verdict (rebuilt by migration 0015, not swept yet) are judged when read, alike.
    await server.lantern.store.db.updateTable('sla_clocks').set({ due_date: null, fixed_within_sla: null, days_to_fix: null, paused_days: null, judged_at: null }).execute();
    expect(await get<SlaCompliance>(server.app, '/api/insights/sla-compliance?days=90')).toEqual(quarter);

    // From 03-16: HIGH (04-10) and CRIT2 (03-20), both late.
    const month = await get<SlaCompliance>(server.app, '/api/insights/sla-compliance?days=30');
    expect(month.overall).toEqual(tally(2, 0, 2, 0, 29.5));
    expect(month.byOwner.map((o) => [o.owner, o.slaCompliance])).toEqual([
      ['group:default/team-a', 0],
      ['group:default/team-b', 0],
    ]);
    expect((await server.app.inject({ method: 'GET', url: '/api/insights/sla-compliance?days=45' })).statusCode).toBe(400);
  });

  it('counts only what the caller may read', async () => {
    const outsider = await buildServer(server.lantern, { auth: { anonymous: { role: 'viewer', scope: 'other' } } });
    try {
      const seen = await get<SlaCompliance>(outsider, '/api/insights/sla-compliance');
      expect(seen.overall).toEqual(NONE);
      expect([...seen.byOwner, ...seen.bySystem, ...seen.byDomain]).toEqual([]);
    } finally {
      await outsider.close();
    }
  });

  it('keeps each verdict made at the fix: a later, stricter policy does not rewrite history', async () => {
    const stricter = new Lantern(server.lantern.store, { clock: () => clock.now, sla: { account: { days: { critical: 1, high: 1, medium: 1, low: 1, info: null }, kevDueDateCap: false }, scopes: {} } });
    const app = await buildServer(stricter, { auth: ANONYMOUS_ADMIN });
    try {
      expect((await get<SlaCompliance>(app, '/api/insights/sla-compliance')).overall).toEqual(tally(4, 2, 2, 50, 16.8));
      const sla = await get<EntitySla>(app, '/api/insights/entities/component/default/app/sla');
      expect(sla.remediated.map((r) => [r.package, r.dueDate, r.fixedWithinSla])).toEqual([
        ['high', '2024-03-31', false],
        ['crit', '2024-03-08', true],
        ['med', '2024-05-30', true],
        // Exempted (a false positive) from 03-02 to its fix on 03-05: 3 days paused.
        ['noise', '2024-04-03', true],
      ]);
      // A fix made under the stricter policy is judged by it.
      clock.now = '2024-04-16T00:00:00.000Z';
      await stricter.ingest({ report: Buffer.from('{"SchemaVersion":2,"ArtifactName":".","ArtifactType":"filesystem","Results":[]}'), source: 'empty.json', target: 'acme/api', targetType: 'repository', variant: 'main', scope: { level: 'project', org: 'acme', project: 'pay' }, scannedAt: clock.now });
      const later = await get<EntitySla>(app, '/api/insights/entities/component/default/api/sla');
      expect(later.remediated.map((r) => [r.package, r.dueDate, r.fixedWithinSla])).toEqual([
        ['low', '2024-03-02', false],
        ['crit2', '2024-03-08', false],
      ]);
    } finally {
      await app.close();
    }
  });
});
