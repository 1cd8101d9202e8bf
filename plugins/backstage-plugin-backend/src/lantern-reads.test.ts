import { LanternClient, type EntitySummary, type FetchLike, type IssuePage } from '@lantern-security/backstage-plugin-common';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPluginEstate, type PluginEstate } from '../../../test/support/plugin-estate.js';
import { describeEachStore, type StoreKind } from '../../../test/support/stores.js';
import { createLanternReads } from './lantern-reads';

/** The backend plugin's reads against a real Lantern on a loopback port, with a viewer token. */
describeEachStore('the backend plugin forwarding to Lantern', (kind: StoreKind) => {
  let lantern: PluginEstate;
  const upstream: string[] = [];
  const counting: FetchLike = (url, init) => {
    upstream.push(new URL(url).pathname + new URL(url).search);
    return fetch(url, init);
  };
  beforeAll(async () => {
    lantern = await startPluginEstate(kind);
  });
  afterAll(async () => {
    await lantern?.close();
  });

  /** Users by name and the entity refs each may read, as Backstage's permission framework would say. */
  const readable: Record<string, string[]> = { owner: ['component:default/full', 'component:default/clean'], stranger: [] };
  const reads = (token = lantern.token, now = () => 0) =>
    createLanternReads<string>({
      lantern: new LanternClient({ baseUrl: `${lantern.url}/api/insights`, token, fetch: counting }),
      canRead: async (ref, user) => readable[user]?.includes(ref) ?? false,
      now,
    });
  const direct = async (path: string) => {
    const response = await lantern.server.app.inject({ url: `/api/insights${path}`, headers: { authorization: `Bearer ${lantern.token}` } });
    return response.json();
  };

  it('answers a readable entity summary as Lantern does, from the cache until it expires', async () => {
    let now = 0;
    const plugin = reads(lantern.token, () => now);
    upstream.length = 0;
    const first = await plugin.read({ path: '/entities/component/default/full/summary', query: {} }, 'owner');
    expect(first).toMatchObject({ status: 200, cached: false });
    expect(first.body).toEqual(await direct('/entities/component/default/full/summary'));
    const body = first.body as EntitySummary;
    expect(body.hasData).toBe(true);
    expect(body.counts).toEqual({ critical: 1, high: 0, medium: 0, low: 1, info: 1, total: 3 });
    expect(await plugin.read({ path: '/entities/Component/default/full/summary', query: {} }, 'owner')).toMatchObject({ status: 200, cached: true });
    now = 30_000;
    expect(await plugin.read({ path: '/entities/component/default/full/summary', query: {} }, 'owner')).toMatchObject({ status: 200, cached: false });
    expect(upstream).toEqual(['/api/insights/entities/component/default/full/summary', '/api/insights/entities/component/default/full/summary']);
  });

  it('refuses a user who may not read the entity, before anything is asked of Lantern, cached or not', async () => {
    const plugin = reads();
    await plugin.read({ path: '/entities/component/default/full/summary', query: {} }, 'owner');
    upstream.length = 0;
    for (const path of ['/entities/component/default/full/summary', '/entities/component/default/full/issues']) {
      const answer = await plugin.read({ path, query: {} }, 'stranger');
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ error: { name: 'NotAllowedError', message: 'You may not read the entity component:default/full in the catalog, so its security results are not shown.' } });
    }
    expect((await plugin.read({ path: '/issues/1', query: { entity: 'component:default/full' } }, 'stranger')).status).toBe(403);
    expect(upstream).toEqual([]);
  });

  it('forwards the issue filters Lantern knows, and no other parameter', async () => {
    const plugin = reads();
    upstream.length = 0;
    const answer = await plugin.read({ path: '/entities/component/default/full/issues', query: { severity: 'critical,low', sort: 'title', token: 'x', limit: '1' } }, 'owner');
    expect(answer.status).toBe(200);
    const page = answer.body as IssuePage;
    expect(page.total).toBe(2);
    expect(page.items.map((i) => i.package)).toEqual(['a']);
    expect(page).toEqual(await direct('/entities/component/default/full/issues?severity=critical%2Clow&sort=title&limit=1'));
    expect(upstream).toEqual(['/api/insights/entities/component/default/full/issues?severity=critical%2Clow&sort=title&limit=1']);
  });

  it("answers an issue of the entity's targets, and 404 for an issue of another entity's", async () => {
    const plugin = reads();
    const [issue] = ((await plugin.read({ path: '/entities/component/default/full/issues', query: { severity: 'critical' } }, 'owner')).body as IssuePage).items;
    const answer = await plugin.read({ path: `/issues/${issue!.id}`, query: { entity: 'component:default/full' } }, 'owner');
    expect(answer).toMatchObject({ status: 200, body: { id: issue!.id, title: issue!.title, targetName: 'acme/full' } });
    const elsewhere = await plugin.read({ path: `/issues/${issue!.id}`, query: { entity: 'component:default/clean' } }, 'owner');
    expect(elsewhere).toMatchObject({ status: 404, body: { error: { message: `Issue ${issue!.id} is not one of the issues of component:default/clean.` } } });
  });

  it('says what is wrong with bad input, an unknown entity, and a token Lantern refuses', async () => {
    const plugin = reads();
    expect(await plugin.read({ path: '/issues/abc', query: { entity: 'component:default/full' } }, 'owner')).toMatchObject({ status: 400, body: { error: { message: 'Invalid issue id "abc": expected a whole number from 1.' } } });
    expect(await plugin.read({ path: '/issues/1', query: {} }, 'owner')).toMatchObject({ status: 400, body: { error: { name: 'InputError' } } });
    expect(await plugin.read({ path: '/entities/component/default/full/issues', query: { severity: 'worst' } }, 'owner')).toMatchObject({ status: 400, body: { error: { name: 'InputError' } } });
    expect(await plugin.read({ path: '/scans/1', query: {} }, 'owner')).toMatchObject({ status: 404 });
    readable.owner!.push('component:default/ghost');
    expect(await plugin.read({ path: '/entities/component/default/ghost/summary', query: {} }, 'owner')).toMatchObject({ status: 404, body: { error: { name: 'NotFoundError' } } });
    const refused = await reads('lnt_not-a-token').read({ path: '/entities/component/default/full/summary', query: {} }, 'owner');
    expect(refused.status).toBe(502);
    expect((refused.body as { error: { message: string } }).error.message).toMatch(/^Lantern refused the token in lantern\.token \(HTTP 401\)/);
    expect(JSON.stringify(refused.body)).not.toContain('lnt_not-a-token');
  });

  it('answers 502 naming Lantern when it cannot be reached', async () => {
    const gone = createLanternReads<string>({
      lantern: new LanternClient({ baseUrl: 'http://127.0.0.1:9/api/insights', token: 't', fetch }),
      canRead: async () => true,
    });
    expect(await gone.read({ path: '/entities/component/default/full/summary', query: {} }, 'owner')).toMatchObject({
      status: 502,
      body: { error: { name: 'LanternUnavailableError', message: 'Lantern at http://127.0.0.1:9/api/insights could not be reached.' } },
    });
  });
});
