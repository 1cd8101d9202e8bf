import { LanternClient, type EntitySummary } from '@lantern-security/backstage-plugin-common';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DATA_POINTS, readEntityFacts } from '../../../src/scorecards/data-points.js';
import { startPluginEstate, type PluginEstate } from '../../../test/support/plugin-estate.js';
import { describeEachStore, type StoreKind } from '../../../test/support/stores.js';
import { FACTS, summaryFacts } from './facts';
import { retrieveLanternFacts } from './retrieve';

/** The fact retriever against a real Lantern on a loopback port: its facts are Lantern's own data points. */
describeEachStore('Lantern facts for Tech Insights', (kind: StoreKind) => {
  let lantern: PluginEstate;
  let client: LanternClient;
  beforeAll(async () => {
    lantern = await startPluginEstate(kind);
    client = new LanternClient({ baseUrl: `${lantern.url}/api/insights`, token: lantern.token, fetch });
  });
  afterAll(async () => {
    await lantern?.close();
  });

  const entities = [
    { kind: 'Component', metadata: { name: 'full' } },
    { kind: 'Component', metadata: { name: 'clean', namespace: 'default' } },
    { kind: 'Component', metadata: { name: 'no-data' } },
    { kind: 'Group', metadata: { name: 'team-a' } },
  ];

  it("equal Lantern's data points for every entity, a missing value absent rather than 0", async () => {
    const facts = await retrieveLanternFacts({ entities, lantern: client, now: lantern.now });
    const expected = new Map((await readEntityFacts(lantern.server.lantern.store.db)).map((e) => [e.ref, e]));
    for (const { entity, facts: published } of facts) {
      const ref = `${entity.kind.toLowerCase()}:${entity.namespace}/${entity.name}`;
      const own = expected.get(ref)!;
      const lanterns: Record<string, number | boolean> = {};
      for (const point of DATA_POINTS.filter((d) => d.id.startsWith('sto.'))) {
        const value = point.read(own, undefined, lantern.now);
        if (value !== null) lanterns[point.id] = value as number | boolean;
      }
      expect(published, ref).toEqual(lanterns);
    }
    const byName = Object.fromEntries(facts.map((f) => [f.entity.name, f.facts]));
    // clean has security data and no issue: zeros. no-data has a link that matches nothing: no count at all.
    expect(byName.clean).toMatchObject({ 'sto.has_security_data': true, 'sto.critical': 0, 'sto.total': 0 });
    expect(byName['no-data']).toEqual({ 'sto.has_security_data': false, 'sto.unmatched_links': 1 });
    expect(byName.full).toMatchObject({ 'sto.has_security_data': true, 'sto.critical': 1, 'sto.high': 0, 'sto.exempted': 1 });
    expect(Object.keys(byName.full!).sort()).toEqual(Object.keys(FACTS).sort());
  });

  it('publishes "no data" for an entity Lantern does not know, and stops when Lantern fails', async () => {
    const [ghost] = await retrieveLanternFacts({ entities: [{ kind: 'Component', metadata: { name: 'ghost' } }], lantern: client, now: lantern.now });
    expect(ghost).toEqual({ entity: { namespace: 'default', kind: 'Component', name: 'ghost' }, facts: { 'sto.has_security_data': false } });
    const refused = new LanternClient({ baseUrl: `${lantern.url}/api/insights`, token: 'lnt_wrong', fetch });
    await expect(retrieveLanternFacts({ entities, lantern: refused, now: lantern.now })).rejects.toMatchObject({ status: 401 });
  });
});

it('counts days from the summary at the time given, and an entity with no open issue has 0 oldest-open days', () => {
  const summary = {
    hasData: true,
    counts: { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 },
    fixable: 0,
    new: 0,
    exempted: 2,
    lastScanAt: '2026-03-01T10:00:00.000Z',
    unmatchedLinks: 0,
    breakdown: { fixable: { critical: 0, high: 0, medium: 0, low: 0, info: 0 }, oldestOpen: { critical: null, high: null, medium: null, low: null, info: null } },
  } as unknown as EntitySummary;
  const facts = summaryFacts(summary, Date.parse('2026-03-08T09:59:59.000Z'));
  expect(facts['sto.days_since_last_scan']).toBe(6);
  expect(facts['sto.oldest_open_days']).toBe(0);
  expect(facts['sto.exempted']).toBe(2);
});
