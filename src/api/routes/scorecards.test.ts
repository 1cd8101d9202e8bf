import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { rowCounts } from '../../../test/support/row-counts.js';
import { B, buildScorecardEstate, DAY1, DAY2, D, ESTATE, type ScorecardEstate } from '../../../test/support/scorecard-estate.js';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../../test/support/stores.js';

describeEachStore('scorecards over HTTP', (kind: StoreKind) => {
  let server: TestServer;
  let estate: ScorecardEstate;
  let clock = DAY1;

  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, status: number, payload?: unknown) => {
    const response = await server.app.inject({ method, url, headers: { 'content-type': 'application/json' }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(status);
    return response.body === '' ? undefined : response.json();
  };
  const get = (url: string, status = 200) => call('GET', url, status);

  beforeEach(async () => {
    clock = DAY1;
    server = await startTestServer(kind, { clock: () => clock, scorecards: { paths: [join(ESTATE, 'scorecards.yaml')] } });
    estate = await buildScorecardEstate(server.lantern, async (issueId) => {
      const requested = await call('POST', '/api/exemptions', 201, { issueId, reason: 'accepted_risk', comment: 'Not reachable.' });
      await call('POST', `/api/exemptions/${requested.id}/approve`, 200, {});
    });
  });
  afterEach(async () => {
    await server.close();
    rmSync(estate.catalogDir, { recursive: true, force: true });
  });

  it('lists every scorecard with its checks and pass rates, the data points and the checks', async () => {
    const { items, problems } = await get('/api/scorecards');
    expect(problems).toEqual([]);
    expect(items.map((s: { id: string; origin: string; readOnly: boolean; entities: number }) => [s.id, s.origin, s.readOnly, s.entities])).toEqual([
      ['security-baseline', 'built-in', true, 3],
      ['operators', 'file', true, 4],
      ['no-data', 'file', true, 3],
      ['pci', 'file', true, 2],
      ['groups', 'file', true, 1],
    ]);
    // full 0, clean 100, no-data without a score (src/scorecards/scorecards.test.ts works them out).
    const noData = items[2];
    expect(noData).toMatchObject({ entities: 3, scored: 2, averageScore: 50, passing: 1, passRate: 50, source: { file: join(ESTATE, 'scorecards.yaml'), document: 2, line: 18 } });
    expect(noData.checks[0]).toEqual({
      id: 'strict',
      name: 'No critical, or fail',
      description: '',
      weight: 1,
      strategy: 'allOf',
      whenNoData: 'fail',
      rules: [{ dataPoint: 'sto.critical', operator: '==', value: 0 }],
      pass: 1,
      fail: 2,
      unknown: 0,
      passRate: 33.3,
    });
    // No entity has a score on groups: team-a's only check is unknown.
    expect(items[4]).toMatchObject({ entities: 1, scored: 0, averageScore: null, passing: 0, passRate: null, checks: [{ id: 'nothing-new', pass: 0, fail: 0, unknown: 1, passRate: null }] });

    const dataPoints = await get('/api/scorecards/data-points');
    expect(dataPoints.map((d: { id: string }) => d.id)).toEqual([
      'sto.critical', 'sto.high', 'sto.medium', 'sto.low', 'sto.info', 'sto.total', 'sto.fixable', 'sto.new', 'sto.exempted', 'sto.days_since_last_scan',
      'sto.oldest_open_days', 'sto.kev', 'sto.epss_max', 'sto.sla_breached', 'sto.sla_compliance', 'sto.mttr_days', 'sto.has_security_data', 'sto.unmatched_links', 'catalog.has_owner', 'catalog.has_sto_annotation', 'catalog.has_source_location',
      'catalog.lifecycle', 'catalog.type', 'catalog.has_tag',
    ]);
    expect(dataPoints.find((d: { id: string }) => d.id === 'catalog.has_tag')).toEqual({
      id: 'catalog.has_tag',
      type: 'boolean',
      description: 'Whether metadata.tags holds the input tag (compared ignoring case).',
      input: { kind: 'tag', required: true, description: 'The tag, e.g. pci.' },
      operators: ['==', '!='],
    });
    expect(dataPoints.find((d: { id: string }) => d.id === 'sto.critical')).toMatchObject({ type: 'number', input: null, operators: ['<', '<=', '==', '!=', '>=', '>'] });

    const checks = await get('/api/scorecards/checks');
    // The baseline's 6, operators' 10, no-data's 4, pci's 2 and groups' 1: all different.
    expect(checks).toHaveLength(23);
    expect(checks.find((c: { id: string }) => c.id === 'recent')).toMatchObject({ standalone: false, scorecards: [{ id: 'pci', name: 'PCI and Java', weight: 2 }] });

    expect(await get('/api/scorecards/pci')).toMatchObject({ id: 'pci', origin: 'file', readOnly: true, filter: { tags: ['pci', 'java'] }, checks: [{ id: 'recent', weight: 2 }, { id: 'young-issues', weight: 1 }] });
    expect((await get('/api/scorecards/nope', 404)).error.message).toBe('No scorecard with id "nope".');
  });

  it('defines a scorecard through the API, evaluates it at once, replaces and deletes it; files stay read-only', async () => {
    const definition = {
      id: 'owned-java',
      name: 'Owned Java services',
      filter: { tags: ['java'] },
      checks: [
        { id: 'owned', name: 'Owned', rules: [{ dataPoint: 'catalog.has_owner', operator: '==', value: true }] },
        { id: 'linked', name: 'Linked', weight: 2, rules: [{ dataPoint: 'catalog.has_sto_annotation', operator: '==', value: true }] },
      ],
    };
    expect(await call('POST', '/api/scorecards', 201, definition)).toMatchObject({ id: 'owned-java', origin: 'api', readOnly: false, source: null, description: '', checks: [{ weight: 1 }, { weight: 2 }] });
    // full: owned, not annotated: 1 of 3; clean: both: 100.
    const results = await get('/api/scorecards/owned-java/results');
    expect(results.items.map((i: { name: string; score: number }) => [i.name, i.score])).toEqual([
      ['full', 33.3],
      ['clean', 100],
    ]);
    expect((await get('/api/insights/entities/component/default/clean/scorecards')).scorecards.map((s: { id: string }) => s.id)).toContain('owned-java');

    expect(await call('POST', '/api/scorecards', 200, { ...definition, checks: [definition.checks[0]] })).toMatchObject({ checks: [{ id: 'owned' }] });
    expect((await get('/api/scorecards/owned-java/results')).items.map((i: { score: number; checks: object }) => [i.score, i.checks])).toEqual([
      [100, { owned: 'pass' }],
      [100, { owned: 'pass' }],
    ]);

    // A bad definition is refused whole, naming each field, and stores nothing.
    const before = await rowCounts(server.lantern.store);
    const refused = await call('POST', '/api/scorecards', 400, { id: 'bad', name: 'Bad', checks: [{ id: 'c', name: 'C', weight: 0, rules: [{ dataPoint: 'sto.crit', operator: '==', value: 0 }] }] });
    expect(refused.error.message).toBe(
      'Invalid scorecard: checks[0].weight: Invalid weight 0: expected a number greater than 0.',
    );
    const unknown = await call('POST', '/api/scorecards', 400, { id: 'bad', name: 'Bad', checks: [{ id: 'c', name: 'C', rules: [{ dataPoint: 'sto.crit', operator: '==', value: 0 }, { dataPoint: 'sto.total', input: 'huge', operator: '<', value: 1 }] }] });
    expect(unknown.error.message).toBe(
      'Invalid scorecard: checks[0].rules[0].dataPoint: Unknown data point "sto.crit": expected one of those GET /api/scorecards/data-points lists, such as sto.critical or catalog.has_owner. checks[0].rules[1].input: Invalid input "huge" for sto.total: expected a severity (critical, high, medium, low, info).',
    );
    expect(await rowCounts(server.lantern.store)).toEqual(before);

    expect((await call('POST', '/api/scorecards', 409, { ...definition, id: 'pci' })).error.message).toBe(
      `The scorecard "pci" is defined in ${join(ESTATE, 'scorecards.yaml')} (document 3): it is read-only through the API; change it in its file.`,
    );
    expect((await call('DELETE', '/api/scorecards/security-baseline', 409)).error.message).toMatch(/^The scorecard "security-baseline" is defined in .*security-baseline\.yaml \(document 1\), shipped with Lantern: it is read-only/);
    await call('DELETE', '/api/scorecards/owned-java', 204);
    expect(await server.lantern.store.db.selectFrom('scorecard_results').select('entity_id').where('scorecard_id', '=', 'owned-java').execute()).toEqual([]);
    expect((await call('DELETE', '/api/scorecards/owned-java', 404)).error.message).toBe('No scorecard with id "owned-java".');
  });

  it('pages a scorecard’s results, filtered by owner, system, kind and lifecycle, and by a check’s status', async () => {
    const base = '/api/scorecards/operators/results';
    const all = await get(base);
    // Scores worked out in src/scorecards/scorecards.test.ts: team-a 33.3, clean 54.5, no-data 60, full 63.6.
    expect(all.items.map((i: { name: string; score: number }) => [i.name, i.score])).toEqual([
      ['team-a', 33.3],
      ['clean', 54.5],
      ['no-data', 60],
      ['full', 63.6],
    ]);
    expect(all.items[3]).toMatchObject({ entityRef: 'component:default/full', kind: 'Component', owner: 'group:default/team-a', system: 'system:default/shop', lifecycle: 'production', passed: 6, failed: 4, unknown: 0, updatedAt: DAY1 });
    expect(all.summary).toMatchObject({ entities: 4, scored: 4, averageScore: 52.9, passing: 0, passRate: 0 });
    expect(all.summary.checks.find((c: { id: string }) => c.id === 'total-le')).toEqual({ id: 'total-le', name: 'total <= 3', weight: 1, pass: 2, fail: 0, unknown: 2, passRate: 100 });

    const names = async (query: string) => (await get(`${base}?${query}`)).items.map((i: { name: string }) => i.name);
    expect(await names('owner=team-a')).toEqual(['clean', 'full']);
    expect(await names('owner=group:default/team-b,team-c')).toEqual(['no-data']);
    expect(await names('system=shop')).toEqual(['no-data', 'full']);
    expect(await names('kind=group')).toEqual(['team-a']);
    expect(await names('lifecycle=production&sort=-score')).toEqual(['full', 'clean']);
    expect(await names('check=owned&status=fail')).toEqual(['team-a']);
    expect(await names('check=production&status=unknown')).toEqual(['team-a']);
    expect(await names('sort=name&q=-')).toEqual(['no-data', 'team-a']);
    const page = await get(`${base}?sort=name&limit=2&offset=1`);
    expect([page.total, page.items.map((i: { name: string }) => i.name)]).toEqual([4, ['full', 'no-data']]);
    // The summary is of the filtered entities, before check/status pick rows.
    expect((await get(`${base}?owner=team-a&check=owned&status=fail`)).summary).toMatchObject({ entities: 2, averageScore: 59.1 });
    expect((await get(`${base}?sort=size`, 400)).error.message).toBe('Invalid sort "size": expected one of score, name, owner, system, failed, with a leading "-" for descending.');
    expect((await get(`${base}?check=nope&status=pass`, 400)).error.message).toMatch(/^The scorecard operators has no check "nope": expected one of total-lt/);
    expect((await get(`${base}?status=maybe`, 400)).error.message).toMatch(/^Invalid request/);
    expect((await get('/api/scorecards/nope/results', 404)).error.message).toBe('No scorecard with id "nope".');
  });

  it('draws the trend per day, and shows an entity’s scorecards with observed values, thresholds and messages', async () => {
    clock = DAY2;
    await estate.ingest('acme/full', 'main', [B, D], '2026-03-13T08:00:00.000Z');
    const { points } = await get('/api/scorecards/no-data/trend?days=2');
    expect(points.map((p: { date: string; averageScore: number; passRate: number }) => [p.date, p.averageScore, p.passRate])).toEqual([
      ['2026-03-12', 50, 50],
      ['2026-03-13', 100, 100],
    ]);
    expect((await get('/api/scorecards/no-data/trend?days=1&owner=team-b')).points).toEqual([
      { date: '2026-03-13', entities: 1, scored: 0, averageScore: null, passing: 0, passRate: null, checks: expect.arrayContaining([{ id: 'lenient', pass: 1, fail: 0, unknown: 0, passRate: 100 }]) },
    ]);

    const view = await get('/api/insights/entities/component/default/no-data/scorecards');
    expect(view.entityRef).toBe('component:default/no-data');
    expect(view.scorecards.map((s: { id: string; score: number }) => [s.id, s.score])).toEqual([
      ['security-baseline', 16.7],
      ['operators', 60],
      ['no-data', null],
    ]);
    expect(view.scorecards[2]).toMatchObject({ noData: true, summary: 'No data: none of the 4 checks has a value for this entity, so it has no score.' });
    expect(view.scorecards[0].checks.find((c: { id: string }) => c.id === 'links-resolve')).toEqual({
      id: 'links-resolve',
      name: 'Every test-target link resolves',
      description: '',
      weight: 1,
      strategy: 'allOf',
      whenNoData: 'unknown',
      status: 'fail',
      noData: false,
      message: "A target link shows nothing; the entity's Vulnerabilities tab says why for each link.",
      rules: [{ dataPoint: 'sto.unmatched_links', input: null, operator: '==', threshold: 0, observed: 1, status: 'fail', sentence: '1 target link that matches nothing; this check wants none.' }],
    });
    expect(view.scorecards[2].checks[0]).toMatchObject({ status: 'fail', noData: true, rules: [{ observed: null, threshold: 0, status: 'noData' }] });
    expect((await get('/api/insights/entities/component/default/nope/scorecards', 404)).error.message).toBe('No entity component:default/nope in the catalog.');
  });

  it('adds the Security baseline score (or another scorecard’s) to the catalog overview, sortable', async () => {
    const rows = async (query: string) => (await get(`/api/insights/overview?kind=component&${query}`)).items.map((r: { name: string; score: number | null }) => [r.name, r.score]);
    expect(await rows('sort=score')).toEqual([
      ['no-data', 16.7],
      ['full', 54.5],
      ['clean', 100],
    ]);
    expect(await rows('sort=-score&scorecard=pci')).toEqual([
      ['clean', 100],
      ['full', 66.7],
      ['no-data', null],
    ]);
    expect((await get('/api/insights/overview?scorecard=nope', 404)).error.message).toBe('No scorecard with id "nope".');
    // The page names the scorecard its scores are on, so the catalog can label the column.
    expect((await get('/api/insights/overview?limit=1')).scorecard).toEqual({ id: 'security-baseline', name: 'Security baseline' });
    expect((await get('/api/insights/overview?limit=1&scorecard=pci')).scorecard).toEqual({ id: 'pci', name: 'PCI and Java' });
  });

  it('scores the overview on the first scorecard without the Security baseline, and on none without any scorecard', async () => {
    const overviewScorecard = async (options: { paths?: string[] }) => {
      const other = await startTestServer(kind, { clock: () => clock, scorecards: { ...options, builtIn: false } });
      try {
        const response = await other.app.inject({ method: 'GET', url: '/api/insights/overview' });
        expect(response.statusCode, response.body).toBe(200);
        return response.json().scorecard;
      } finally {
        await other.close();
      }
    };
    expect(await overviewScorecard({ paths: [join(ESTATE, 'scorecards.yaml')] })).toEqual({ id: 'operators', name: expect.any(String) });
    expect(await overviewScorecard({})).toBeNull();
  });
});
