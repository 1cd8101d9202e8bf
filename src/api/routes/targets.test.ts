import { afterEach, beforeEach, expect, it } from 'vitest';
import { bytes, grypeReport, trivyReport, type Vulnerability } from '../../../test/support/reports.js';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../../test/support/stores.js';
import { DEFAULT_PROJECT_SCOPE, parseScope } from '../../domain/scope.js';

const lodash: Vulnerability = { id: 'CVE-2021-23337', pkg: 'lodash', version: '4.17.20', severity: 'HIGH', fixed: '4.17.21' };
const minimist: Vulnerability = { id: 'CVE-2021-44906', pkg: 'minimist', version: '1.2.5', severity: 'CRITICAL' };
const qs: Vulnerability = { id: 'CVE-2022-24999', pkg: 'qs', version: '6.5.2', severity: 'MEDIUM' };

describeEachStore('HTTP API: targets and scans', (kind: StoreKind) => {
  let server: TestServer;
  let ids: { first: number; second: number };
  beforeEach(async () => {
    server = await startTestServer(kind);
    const ingest = (report: string, variant: string, over: { target?: string; scope?: string } = {}) =>
      server.lantern.ingest({
        report: bytes(report),
        source: 'r.json',
        target: over.target ?? 'acme/payments',
        targetType: 'repository',
        variant,
        scope: over.scope ? parseScope(over.scope) : DEFAULT_PROJECT_SCOPE,
      });
    const first = await ingest(trivyReport([lodash, minimist]), 'main');
    const second = await ingest(trivyReport([lodash, qs]), 'main');
    await ingest(trivyReport([qs]), 'feature-x');
    await ingest(trivyReport([qs]), 'main', { target: 'registry.acme.io/web', scope: 'acme.web' });
    ids = { first: first.scanId, second: second.scanId };
  });
  afterEach(async () => {
    await server.close();
  });
  const get = (url: string) => server.app.inject({ method: 'GET', url });

  it('lists targets, filtered by scope, type and name', async () => {
    const all = (await get('/api/targets')).json();
    expect(all.map((t: { scope: string; name: string }) => `${t.scope} ${t.name}`)).toEqual(['acme.web registry.acme.io/web', 'default.default acme/payments']);
    expect(all[1]).toMatchObject({ type: 'repository', variants: 2, scans: 3, baselineVariant: null, lastScanAt: expect.any(String) });
    expect((await get('/api/targets?scope=acme.web')).json()).toHaveLength(1);
    expect((await get('/api/targets?name=PAYM')).json()).toHaveLength(1);
    expect((await get('/api/targets?type=container')).json()).toEqual([]);
    expect((await get('/api/targets?scope=a.b.c')).statusCode).toBe(400);
  });

  it('lists each target with the open issues of the variant it shows, each issue once at its worst', async () => {
    const counts = async () => Object.fromEntries((await get('/api/targets')).json().map((t: { name: string; counts: unknown }) => [t.name, t.counts]));
    // main (no baseline set: the conventional default branch) shows the second scan: lodash and qs.
    expect(await counts()).toEqual({
      'registry.acme.io/web': { critical: 0, high: 0, medium: 1, low: 0, info: 0, total: 1 },
      'acme/payments': { critical: 0, high: 1, medium: 1, low: 0, info: 0, total: 2 },
    });
    // Grype calls lodash critical on main: still one issue, now at its worst.
    await server.lantern.ingest({ report: bytes(grypeReport([{ ...lodash, severity: 'CRITICAL' }])), source: 'g.json', target: 'acme/payments', targetType: 'repository', variant: 'main', scope: DEFAULT_PROJECT_SCOPE });
    expect((await counts())['acme/payments']).toEqual({ critical: 1, high: 0, medium: 1, low: 0, info: 0, total: 2 });
    expect((await get('/api/targets')).json()[0].entities).toEqual([]);
  });

  it('shows a target with its variants and the baseline in use, and sets the baseline', async () => {
    const id = (await get('/api/targets?name=payments')).json()[0].id;
    const detail = (await get(`/api/targets/${id}`)).json();
    expect(detail).toMatchObject({ name: 'acme/payments', scope: 'default.default', baseline: { variant: null, regex: null, shown: 'main', reason: 'conventional', note: null } });
    expect(detail.variants.map((v: { name: string }) => v.name)).toEqual(['main', 'feature-x']);

    const set = await server.app.inject({ method: 'PUT', url: `/api/targets/${id}/baseline`, payload: { variant: 'feature-x' } });
    expect(set.statusCode).toBe(204);
    expect((await get(`/api/targets/${id}`)).json().baseline).toMatchObject({ variant: 'feature-x', shown: 'feature-x', reason: 'explicit' });
    const unscanned = await server.app.inject({ method: 'PUT', url: `/api/targets/${id}/baseline`, payload: { variant: 'nope' } });
    expect(unscanned.statusCode).toBe(400);
    expect(unscanned.json().error.message).toBe('Target "acme/payments" was never scanned as variant "nope"; its scanned variants are: main, feature-x. Give one of those, or allow a variant not scanned yet (--allow-unscanned, or "allowUnscanned": true in the API).');
    expect((await get(`/api/targets/${id}`)).json().baseline.variant).toBe('feature-x');
    const allowed = await server.app.inject({ method: 'PUT', url: `/api/targets/${id}/baseline`, payload: { variant: 'release', allowUnscanned: true } });
    expect(allowed.statusCode).toBe(204);
    expect((await get(`/api/targets/${id}`)).json().baseline.variant).toBe('release');
    const badRegex = await server.app.inject({ method: 'PUT', url: `/api/targets/${id}/baseline`, payload: { regex: '(' } });
    expect(badRegex.statusCode).toBe(400);
    expect(badRegex.json().error.message).toBe('Invalid baseline regex "(": error parsing regexp: missing closing ): `(`. Baseline patterns use RE2 syntax (no look-around or back-references), e.g. ^v\\d+\\.\\d+\\.\\d+$.');
    // JavaScript takes a look-ahead; the linear-time engine that matches baselines does not.
    const lookahead = await server.app.inject({ method: 'PUT', url: `/api/targets/${id}/baseline`, payload: { regex: '^v(?=1)' } });
    expect(lookahead.statusCode).toBe(400);
    expect(lookahead.json().error.message).toMatch(/^Invalid baseline regex "\^v\(\?=1\)": error parsing regexp: invalid or unsupported Perl syntax/);
  });

  it('refuses an upload whose type differs from the existing target type with 400, writing nothing', async () => {
    const upload = await server.app.inject({
      method: 'POST',
      url: '/api/scans?target=acme%2Fpayments&type=container&variant=main',
      payload: trivyReport([minimist]),
      headers: { 'content-type': 'application/json' },
    });
    expect(upload.statusCode).toBe(400);
    expect(upload.json().error.message).toBe('Target "acme/payments" in default.default is a repository target, not a container one: give the type repository, or another target name for the container.');
    expect((await get('/api/targets?name=payments')).json()[0]).toMatchObject({ type: 'repository', scans: 3 });
  });

  it('lists scans of a target variant and shows one scan', async () => {
    const id = (await get('/api/targets?name=payments')).json()[0].id;
    const scans = (await get(`/api/targets/${id}/scans?variant=main`)).json();
    expect(scans.map((s: { scanId: number }) => s.scanId)).toEqual([ids.second, ids.first]);
    expect(scans[0]).toMatchObject({ variant: 'main', scanner: 'trivy', counts: { high: 1, medium: 1, total: 2 }, new: 1, common: 1, remediated: 1, comparedScanId: ids.first });
    expect((await get(`/api/targets/${id}/scans`)).json()).toHaveLength(3);
    expect((await get(`/api/scans/${ids.second}`)).json()).toEqual(scans[0]);
    const missingVariant = await get(`/api/targets/${id}/scans?variant=nope`);
    expect(missingVariant.statusCode).toBe(404);
    expect(missingVariant.json().error.message).toBe('Target "acme/payments" has no variant named "nope"; its variants are: main, feature-x.');
  });

  it("pages each part of a scan's issues: new, common and remediated, with every part's total", async () => {
    const part = async (name: string, query = '') => (await get(`/api/scans/${ids.second}/issues?part=${name}${query}`)).json();
    const names = (page: { items: { vulnerabilityId: string }[] }) => page.items.map((i) => i.vulnerabilityId);
    const totals = { new: 1, common: 1, remediated: 1 };
    expect(await part('new')).toMatchObject({ total: 1, nextCursor: null, totals });
    expect(names(await part('new'))).toEqual([qs.id]);
    expect(names(await part('common'))).toEqual([lodash.id]);
    const remediated = await part('remediated');
    expect(names(remediated)).toEqual([minimist.id]);
    expect(remediated.items[0]).toMatchObject({ severity: 'critical', package: 'minimist', scanners: ['trivy'] });

    const first = (await get(`/api/scans/${ids.first}/issues?part=new&limit=1`)).json();
    expect(first).toMatchObject({ total: 2, totals: { new: 2, common: 0, remediated: 0 } });
    expect(first.items).toHaveLength(1);
    const second = (await get(`/api/scans/${ids.first}/issues?part=new&limit=1&cursor=${first.nextCursor}`)).json();
    expect(second).toMatchObject({ total: 2, nextCursor: null });
    expect([...names(first), ...names(second)].sort()).toEqual([lodash.id, minimist.id].sort());

    expect((await get(`/api/scans/${ids.second}/issues`)).json().error.message).toBe("Invalid request: querystring must have required property 'part'.");
    expect((await get(`/api/scans/${ids.second}/issues?part=new&limit=501`)).json().error.message).toBe('Invalid request: querystring/limit must be <= 500.');
    expect((await get(`/api/scans/${ids.second}/issues?part=new&cursor=nope`)).statusCode).toBe(400);
  });

  it('answers unknown ids with 404s that name them', async () => {
    expect((await get('/api/targets/999')).json().error.message).toBe('No target with id 999.');
    expect((await get('/api/scans/999')).statusCode).toBe(404);
    expect((await get('/api/scans/abc')).statusCode).toBe(400);
  });
});
