import { afterAll, beforeAll, expect, it } from 'vitest';
import { type AccessEstate, buildAccessEstate, type PrincipalName } from '../../test/support/access-estate.js';
import { describeEachStore, type StoreKind } from '../../test/support/stores.js';

/** A viewer of acme.pay reads acme.pay, and nothing of acme.edge: not in lists, not by id, not by count. */
describeEachStore('scoped reads leak nothing of other projects', (kind: StoreKind) => {
  let e: AccessEstate;
  beforeAll(async () => {
    e = await buildAccessEstate(kind);
  });
  afterAll(async () => {
    await e.close();
  });

  const get = async (url: string, as: PrincipalName = 'viewer@acme.pay', status = 200) => {
    const response = await e.server.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${e.tokens[as]}` } });
    expect(response.statusCode, `${url}: ${response.body}`).toBe(status);
    return response.json();
  };
  const refs = (entities: Array<{ kind: string; metadata: { name: string } }>) => entities.map((x) => `${x.kind}:${x.metadata.name}`).sort();
  const PAY_REFS = ['Component:pay-api', 'System:payments'];

  it('lists only acme.pay targets, exemptions, entities, facets and locations', async () => {
    expect((await get('/api/targets')).map((t: { name: string; scope: string }) => `${t.scope} ${t.name}`)).toEqual(['acme.pay acme/pay-api']);
    // Asking for the other project by name is an empty answer, not a refusal.
    expect(await get('/api/targets?scope=acme.edge')).toEqual([]);
    expect((await get('/api/exemptions')).map((x: { id: number }) => x.id)).toEqual([e.pay.exemptionId]);
    expect(await get(`/api/exemptions?targetId=${e.edge.targetId}`)).toEqual([]);

    expect(refs(await get('/api/catalog/entities'))).toEqual(PAY_REFS);
    const byQuery = await get('/api/catalog/entities/by-query');
    expect(refs(byQuery.items)).toEqual(PAY_REFS);
    expect(byQuery.totalItems).toBe(2);
    expect(refs((await get('/api/catalog/entities/by-query?fullTextFilterTerm=edge')).items)).toEqual([]);

    const byRefs = await e.server.app.inject({
      method: 'POST',
      url: '/api/catalog/entities/by-refs',
      headers: { authorization: `Bearer ${e.tokens['viewer@acme.pay']}` },
      payload: { entityRefs: ['component:default/pay-api', 'component:default/edge-proxy', 'system:default/edge'] },
    });
    expect(byRefs.json().items.map((x: { metadata: { name: string } } | null) => x?.metadata.name ?? null)).toEqual(['pay-api', null, null]);

    const facets = await get('/api/catalog/entity-facets?facet=kind&facet=spec.owner&facet=metadata.name');
    expect(facets.facets).toEqual({
      kind: [expect.objectContaining({ value: 'Component', count: 1 }), expect.objectContaining({ value: 'System', count: 1 })].sort(),
      'spec.owner': [{ value: 'team-pay', count: 2 }],
      'metadata.name': expect.arrayContaining([{ value: 'pay-api', count: 1 }, { value: 'payments', count: 1 }]),
    });
    expect(facets.facets['metadata.name']).toHaveLength(2);

    const locations = await get('/api/catalog/locations');
    expect(locations.map((l: { data: { id: string; scope: string } }) => [l.data.id, l.data.scope])).toEqual([[String(e.pay.locationId), 'acme.pay']]);
  });

  it('counts only acme.pay in the overview (items, totals, by owner, system and domain) and the trend', async () => {
    const overview = await get('/api/insights/overview');
    expect(overview.items.map((i: { name: string }) => i.name).sort()).toEqual(['pay-api', 'payments']);
    expect(overview.total).toBe(2);
    // No KEV feed is loaded: known-exploited is unknown, not 0.
    expect(overview.totals).toEqual({ entities: 2, withData: 1, counts: { critical: 0, high: 1, medium: 0, low: 0, info: 0, total: 1 }, knownExploited: null, slaBreached: 0 });
    expect(overview.byOwner.map((o: { owner: string }) => o.owner)).toEqual(['group:default/team-pay']);
    expect(overview.bySystem.map((o: { system: string }) => o.system)).toEqual(['system:default/payments']);
    expect(overview.byDomain.map((o: { domain: string }) => o.domain)).toEqual(['domain:default/money']);
    // An admin of the account sees both, which shows the numbers above are filtered, not absent.
    const all = await get('/api/insights/overview', 'viewer@account');
    expect(all.totals).toEqual({ entities: 4, withData: 2, counts: { critical: 1, high: 1, medium: 0, low: 0, info: 0, total: 2 }, knownExploited: null, slaBreached: 0 });
    expect(all.byDomain.map((o: { domain: string }) => o.domain).sort()).toEqual(['domain:default/money', 'domain:default/network']);

    const trend = (await get('/api/insights/trend?days=1')).points;
    expect(trend.at(-1)).toMatchObject({ critical: 0, high: 1, total: 1 });
    expect((await get('/api/insights/trend?days=1', 'viewer@account')).points.at(-1)).toMatchObject({ critical: 1, high: 1, total: 2 });
  });

  it('counts only readable entities in scorecard pass rates, results and trend', async () => {
    const owned = (await get('/api/scorecards')).items.find((s: { id: string }) => s.id === 'owned');
    expect(owned).toMatchObject({ entities: 2, passing: 2 });
    expect((await get('/api/scorecards', 'viewer@account')).items.find((s: { id: string }) => s.id === 'owned')).toMatchObject({ entities: 4, passing: 4 });
    const results = await get('/api/scorecards/owned/results');
    expect(results.items.map((i: { name: string }) => i.name).sort()).toEqual(['pay-api', 'payments']);
    expect(results.total).toBe(2);
    const trend = (await get('/api/scorecards/owned/trend?days=1')).points;
    expect(trend.at(-1)).toMatchObject({ entities: 2 });
  });

  it('answers 404, never 403, for every by-id read of an acme.edge object', async () => {
    const edge = `component/default/${e.edge.component}`;
    const urls = [
      `/api/targets/${e.edge.targetId}`,
      `/api/targets/${e.edge.targetId}/scans`,
      `/api/scans/${e.edge.scanId}`,
      `/api/scans/${e.edge.scanId}/issues?part=new`,
      `/api/insights/issues/${e.edge.issueId}`,
      `/api/catalog/entities/by-name/${edge}`,
      `/api/catalog/entities/by-name/${edge}/target-links`,
      `/api/catalog/entities/by-uid/${e.edge.entityUid}`,
      `/api/catalog/locations/${e.edge.locationId}`,
      `/api/catalog/locations/by-entity/${edge}`,
      `/api/insights/entities/${edge}/summary`,
      `/api/insights/entities/${edge}/issues`,
      `/api/insights/entities/${edge}/scorecards`,
      `/api/insights/trend?entity=component:default/${e.edge.component}`,
    ];
    for (const url of urls) {
      const hidden = await get(url, 'viewer@acme.pay', 404);
      // The same answer as for something that does not exist: nothing says it is there.
      expect(hidden.error.name, url).toBe('NotFoundError');
      expect(hidden.error.message, url).not.toMatch(/may not|role|acme\.edge/);
      await get(url, 'viewer@acme.edge');
    }
    // An acme.pay issue seen through an acme.edge entity's repository: the entity is hidden.
    expect((await get(`/api/insights/issues/${e.pay.issueId}?entity=component:default/${e.edge.component}`, 'viewer@acme.pay', 404)).error.message).toBe(
      'No entity component:default/edge-proxy in the catalog.',
    );
  });

  it('shows an admin of one project only that project’s audit entries', async () => {
    const scopes = (items: Array<{ scope: string }>) => [...new Set(items.map((i) => i.scope))].sort();
    expect(scopes((await get('/api/audit', 'admin@acme.pay')).items)).toEqual(['acme.pay']);
    expect(scopes((await get('/api/audit', 'admin@acme.edge')).items)).toEqual(['acme.edge']);
    expect(scopes((await get('/api/audit', 'admin@account')).items)).toEqual(['account', 'acme.edge', 'acme.pay']);
    const tokens = await get('/api/tokens', 'admin@acme.pay');
    expect(tokens.map((t: { name: string }) => t.name)).toEqual(['admin@acme.pay', 'security@acme.pay', 'developer@acme.pay', 'viewer@acme.pay', 'ingester@acme.pay']);
  });
});
