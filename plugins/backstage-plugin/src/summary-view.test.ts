import { lanternEntityName, type FetchLike } from '@lantern-security/backstage-plugin-common';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPluginEstate, type PluginEstate } from '../../../test/support/plugin-estate.js';
import { describeEachStore, type StoreKind } from '../../../test/support/stores.js';
import { INITIAL_ISSUE_TABLE, issueQuery, nextPage, pageNumber, previousPage, withFilter } from './issue-table-state';
import { createLanternApi, type LanternApi } from './lantern-api';
import { columnSortKey, columnView, summaryView } from './summary-view';

/**
 * What the card, the tab and the column show, read through the frontend's API from a real Lantern
 * on a loopback port. Backstage's fetchApi adds the user's token for the backend plugin, which
 * answers Lantern's paths (its own tests show it); here a fetch adding Lantern's token stands in.
 */
describeEachStore('the frontend plugin reading Lantern', (kind: StoreKind) => {
  let lantern: PluginEstate;
  let api: LanternApi;
  const asked: string[] = [];
  beforeAll(async () => {
    lantern = await startPluginEstate(kind);
    const fetchWithToken: FetchLike = (url, init) => {
      asked.push(new URL(url).pathname);
      return fetch(url, { ...init, headers: { ...init?.headers, authorization: `Bearer ${lantern.token}` } });
    };
    api = createLanternApi({ discoveryApi: { getBaseUrl: async (id) => `${lantern.url}/api/${id === 'lantern' ? 'insights' : id}` }, fetchApi: { fetch: fetchWithToken } });
  });
  afterAll(async () => {
    await lantern?.close();
  });
  const entity = (name: string) => lanternEntityName({ kind: 'Component', metadata: { name } });
  const direct = async (path: string) =>
    (await lantern.server.app.inject({ url: `/api/insights${path}`, headers: { authorization: `Bearer ${lantern.token}` } })).json();

  it("shows the summary's numbers as Lantern's API gives them, with shapes' severities in order", async () => {
    const summary = await api.summary(entity('full'));
    const lanterns = await direct('/entities/component/default/full/summary');
    const view = summaryView(summary);
    expect(view.state).toBe('data');
    if (view.state !== 'data') return;
    expect(view.severities.map((s) => [s.severity, s.count])).toEqual(['critical', 'high', 'medium', 'low', 'info'].map((s) => [s, lanterns.counts[s]]));
    expect([view.total, view.fixable, view.new, view.exempted, view.lastScanAt]).toEqual([lanterns.counts.total, lanterns.fixable, lanterns.new, lanterns.exempted, lanterns.lastScanAt]);
    expect(view.targets).toEqual([{ name: 'acme/full', variant: 'main', note: null, total: lanterns.counts.total }]);
    expect(columnView(summary)).toEqual({ state: 'data', counts: expect.any(Array), text: '1 critical, 0 high, 0 medium, 1 low' });
  });

  it('keeps "no data" apart from zero issues, with the unmatched link and why', async () => {
    const clean = await api.summary(entity('clean'));
    expect(summaryView(clean)).toMatchObject({ state: 'data', total: 0 });
    expect(columnView(clean).text).toBe('No issues');
    const none = await api.summary(entity('no-data'));
    const view = summaryView(none);
    expect(view).toMatchObject({ state: 'no-data', linkCount: 1, unmatched: [{ link: 'acme/missing in acme.apps', origin: 'from harness.io/sto-test-target' }] });
    expect(view.unmatched[0]!.diagnostics.length).toBeGreaterThan(0);
    expect(columnView(none)).toEqual({ state: 'no-data', text: 'No data (1 unmatched)' });
    // Sorting the column puts no data after every entity with data, zero issues included.
    expect([none, clean].map(columnSortKey).sort((a, b) => a[0]! - b[0]!)[0]).toEqual([-1]);
  });

  it('reads a summary once for the card, the tab and the column', async () => {
    asked.length = 0;
    await Promise.all([api.summary(entity('clean')), api.summary(entity('Clean'))]);
    await api.summary(entity('clean'));
    expect(asked).toEqual([]);
  });

  it('filters, sorts and pages the issue table as Lantern does', async () => {
    let state = withFilter(INITIAL_ISSUE_TABLE, { pageSize: 1, sort: 'package' });
    const first = await api.issues(entity('full'), issueQuery(state));
    expect(first.total).toBe(3);
    expect(first.items.map((i) => i.package)).toEqual(['a']);
    state = nextPage(state, first.nextCursor);
    expect(pageNumber(state)).toBe(2);
    expect((await api.issues(entity('full'), issueQuery(state))).items.map((i) => i.package)).toEqual(['d']);
    state = previousPage(state);
    expect(issueQuery(state).cursor).toBeUndefined();
    const lows = await api.issues(entity('full'), issueQuery(withFilter(state, { severity: ['low', 'info'] })));
    expect(lows.items.map((i) => i.severity)).toEqual(['low']);
    expect(lows.total).toBe(2);
    const exempted = await api.issues(entity('full'), issueQuery(withFilter(state, { status: 'exempted', pageSize: 20 })));
    expect(exempted.items.map((i) => i.package)).toEqual(['b']);
    // No KEV feed is loaded: known-exploited is unknown, not 0 (the card shows "—"); past SLA is the
    // issue list's own count of breached issues, which the estate's old findings make non-zero.
    const counted = await api.summary(entity('full'));
    expect(counted.knownExploited).toBeNull();
    const breached = (await api.issues(entity('full'), { sla: 'breached', limit: 1 })).total;
    expect(breached).toBeGreaterThan(0);
    expect(counted.slaBreached).toBe(breached);
    const issue = await api.issue(first.items[0]!.id, entity('full'));
    expect(issue).toMatchObject({ id: first.items[0]!.id, targetName: 'acme/full', package: 'a', fixedVersion: '1.0.1' });
  });
});

it('a changed filter starts again at the first page', () => {
  const paged = nextPage(nextPage(INITIAL_ISSUE_TABLE, 'c1'), 'c2');
  expect(issueQuery(paged)).toMatchObject({ cursor: 'c2' });
  const filtered = withFilter(paged, { q: ' log4j ', knownExploited: true });
  expect(issueQuery(filtered)).toEqual({ q: 'log4j', kev: 'listed', sort: '-severity', limit: 20 });
  expect(nextPage(filtered, null)).toBe(filtered);
});
