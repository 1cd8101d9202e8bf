import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildRollupEstate, LOG4SHELL } from '../../../test/support/rollup-estate.js';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../../test/support/stores.js';

const counts = (critical: number, high: number, medium: number, low: number) => ({ critical, high, medium, low, info: 0, total: critical + high + medium + low });

/** Roll-ups of a System, Domain and Group, the dashboard's distinct totals and the search across entities. */
describeEachStore('roll-ups and the search across entities', (kind: StoreKind) => {
  let server: TestServer;
  let cleanup: () => void;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer(kind, {}, { auth: {}, webRoot: false });
    cleanup = await buildRollupEstate(server.lantern);
    for (const [name, scope] of [
      ['account', 'account'],
      ['shop', 'acme.shop'],
    ] as const) {
      tokens[name] = (await server.lantern.createToken({ name: `viewer-${name}`, role: 'viewer', scope })).token;
    }
  }, 60_000);
  afterAll(async () => {
    await server.close();
    cleanup();
  });

  const get = async (url: string, as = 'account', status = 200) => {
    const response = await server.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens[as]}` } });
    expect(response.statusCode, `${url}: ${response.body}`).toBe(status);
    return response.json();
  };
  const memberRefs = (rollup: { members: Array<{ entityRef: string }> }) => rollup.members.map((m) => m.entityRef);

  it("rolls a system's members up with each shared issue once, and each member's own counts", async () => {
    const rollup = await get('/api/insights/entities/system/default/checkout/rollup');
    expect(memberRefs(rollup)).toEqual(['component:default/cart', 'component:default/other-api', 'component:default/shop-api']);
    // acme/shop-image (2) + acme/shop-api (2) + acme/other-api (1).
    expect(rollup.summary.counts).toEqual(counts(3, 1, 0, 1));
    expect(rollup.summary.hasData).toBe(true);
    expect(rollup.summary.targets.map((t: { name: string }) => t.name).sort()).toEqual(['acme/other-api', 'acme/shop-api', 'acme/shop-image']);
    expect(rollup.summary.unmatchedLinks).toBe(1);
    const cart = rollup.members.find((m: { name: string }) => m.name === 'cart');
    expect(cart).toMatchObject({ hasData: false, counts: null, links: 1, unmatchedLinks: 1 });
    expect(rollup.members.find((m: { name: string }) => m.name === 'shop-api').counts).toEqual(counts(2, 1, 0, 1));
  });

  it("rolls a domain up over its systems' members, and a group over what it owns", async () => {
    const domain = await get('/api/insights/entities/domain/default/commerce/rollup');
    expect(memberRefs(domain).sort()).toEqual(['component:default/cart', 'component:default/other-api', 'component:default/shop-api', 'component:default/shop-web', 'system:default/checkout', 'system:default/storefront']);
    expect(domain.members.find((m: { name: string }) => m.name === 'shop-web').via).toBe('system:default/storefront');
    // The members' own totals add up to 8; shop-image is shown by two of them, so 6 distinct issues.
    const ownTotals = domain.members.reduce((sum: number, m: { counts: { total: number } | null }) => sum + (m.counts?.total ?? 0), 0);
    expect(ownTotals).toBe(8);
    expect(domain.summary.counts).toEqual(counts(3, 1, 1, 1));
    const group = await get('/api/insights/entities/group/default/team-shop/rollup');
    expect(group.summary.counts).toEqual(counts(3, 1, 1, 1));
    expect(memberRefs(group)).toContain('domain:default/commerce');
  });

  it("counts only the members in the caller's scopes", async () => {
    const rollup = await get('/api/insights/entities/system/default/checkout/rollup', 'shop');
    expect(memberRefs(rollup)).toEqual(['component:default/cart', 'component:default/shop-api']);
    expect(rollup.summary.counts).toEqual(counts(2, 1, 0, 1));
    // A roll-up of an entity outside the caller's scopes does not exist for that caller.
    await get('/api/insights/entities/component/default/other-api/summary', 'shop', 404);
  });

  it('refuses a roll-up of a kind that has no members, and names it', async () => {
    const refused = await get('/api/insights/entities/component/default/cart/rollup', 'account', 400);
    expect(refused.error.message).toContain('component:default/cart is a Component');
    await get('/api/insights/entities/system/default/nowhere/rollup', 'account', 404);
  });

  it('totals distinct issues across entities on the dashboard, and keeps each row its own', async () => {
    const overview = await get('/api/insights/overview');
    expect(overview.totals.counts).toEqual(counts(3, 1, 1, 1));
    const rowsTotal = overview.items.reduce((sum: number, i: { counts: { total: number } | null }) => sum + (i.counts?.total ?? 0), 0);
    expect(rowsTotal).toBe(8);
    expect(overview.byOwner).toEqual([expect.objectContaining({ owner: 'group:default/team-shop', counts: counts(3, 1, 1, 1) })]);
    expect(overview.bySystem.find((s: { system: string }) => s.system === 'system:default/checkout').counts).toEqual(counts(3, 1, 0, 1));
    expect(overview.byDomain).toEqual([expect.objectContaining({ domain: 'domain:default/commerce', counts: counts(3, 1, 1, 1) })]);
    expect((await get('/api/insights/overview', 'shop')).totals.counts).toEqual(counts(2, 1, 1, 1));
  });

  it('says which trend days have data: none before the first scan, not zero issues', async () => {
    const points = (await get('/api/insights/trend?days=3')).points;
    expect(points[0]).toMatchObject({ withData: 0, total: 0 });
    expect(points.at(-1)).toMatchObject({ withData: 3 });
  });

  it('finds entities in the catalog by an issue they have', async () => {
    const names = async (q: string, as = 'account') => (await get(`/api/insights/overview?q=${encodeURIComponent(q)}`, as)).items.map((i: { name: string }) => i.name).sort();
    expect(await names(LOG4SHELL)).toEqual(['other-api', 'shop-api', 'shop-web']);
    expect(await names('spring-beans')).toEqual(['shop-api']);
    expect(await names(LOG4SHELL, 'shop')).toEqual(['shop-api', 'shop-web']);
  });

  it("totals a text's entities with each shared issue once, as the dashboard does", async () => {
    // The CVE finds every entity with data; shop-api and shop-web both show acme/shop-image.
    const found = await get(`/api/insights/overview?q=${LOG4SHELL}`);
    expect(found.total).toBe(3);
    expect(found.items.reduce((sum: number, i: { counts: { total: number } | null }) => sum + (i.counts?.total ?? 0), 0)).toBe(8);
    expect(found.totals.counts).toEqual(counts(3, 1, 1, 1));
    expect(found.byOwner).toEqual([expect.objectContaining({ owner: 'group:default/team-shop', entities: 3, counts: counts(3, 1, 1, 1) })]);
    expect(found.byDomain).toEqual([expect.objectContaining({ domain: 'domain:default/commerce', counts: counts(3, 1, 1, 1) })]);
    // Every entity with data is found: each system's counts are the dashboard's.
    const dashboard = await get('/api/insights/overview');
    const bySystem = (answer: { bySystem: Array<{ system: string; counts: unknown }> }) => answer.bySystem.map((s) => [s.system, s.counts]);
    expect(bySystem(found)).toEqual(bySystem(dashboard));
    expect(found.bySystem.length).toBeGreaterThan(1);
    const shop = await get(`/api/insights/overview?q=${LOG4SHELL}`, 'shop');
    expect(shop.total).toBe(2);
    expect(shop.totals.counts).toEqual(counts(2, 1, 1, 1));
  });

  it('finds a CVE in every entity, target and variant that has it, within the caller’s scopes', async () => {
    const found = await get(`/api/insights/issues?q=${LOG4SHELL.toLowerCase()}`);
    expect(found.counts).toEqual(counts(3, 0, 0, 0));
    expect(found.entities.map((e: { entityRef: string }) => e.entityRef)).toEqual(['component:default/shop-api', 'component:default/other-api', 'component:default/shop-web']);
    expect(found.entities[0]).toMatchObject({ counts: counts(2, 0, 0, 0), targets: 2 });
    expect(found.targets).toBe(3);
    expect(found.variants).toBe(3);
    const image = found.rows.find((r: { targetName: string }) => r.targetName === 'acme/shop-image');
    expect(image).toMatchObject({ vulnerabilityId: LOG4SHELL, variant: 'latest', severity: 'critical', scanners: ['trivy'], entities: ['component:default/shop-api', 'component:default/shop-web'] });
    // By package, and only what the caller may read.
    expect((await get('/api/insights/issues?q=log4j-core')).counts.total).toBe(3);
    const scoped = await get('/api/insights/issues?q=log4j', 'shop');
    expect(scoped.counts.total).toBe(2);
    expect(scoped.rows.map((r: { targetName: string }) => r.targetName).sort()).toEqual(['acme/shop-api', 'acme/shop-image']);
    expect(JSON.stringify(scoped)).not.toContain('other-api');
    // A severity filter narrows rows and counts alike.
    const high = await get('/api/insights/issues?q=CVE-2022&severity=high');
    expect(high.rows.map((r: { vulnerabilityId: string }) => r.vulnerabilityId)).toEqual(['CVE-2022-0778']);
    expect(high.counts).toEqual(counts(0, 1, 0, 0));
  });

  it('answers a search too short or with a bad severity with a 400 naming the input', async () => {
    expect((await get('/api/insights/issues?q=ab', 'account', 400)).error.message).toContain('querystring/q');
    expect((await get('/api/insights/issues?q=log4j&severity=urgent', 'account', 400)).error.message).toContain('"urgent"');
    expect((await get('/api/insights/issues?q=no-such-thing')).rows).toEqual([]);
  });
});
