import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EntityRollup, IssueSearch } from '../../web/src/api/rollup-types.js';
import type { IssuePage, Overview } from '../../web/src/api/types.js';
import { buildRollupEstate, LOG4SHELL } from '../support/rollup-estate.js';
import type { TestServer } from '../support/server.js';
import { type BrowserSession, describeBrowser, screenshot, startWebUiSuite, type WebUiSuite } from './browser.js';

/**
 * The catalog at 1280 px, the roll-ups of a System, a Domain and a Group, the dashboard's distinct
 * totals, "Where is an issue?" and the exports, in Chromium against the estate of
 * test/support/rollup-estate.ts, where one image target is shown by two components.
 */

describeBrowser('catalog, roll-ups, search and exports in Chromium', () => {
  let suite: WebUiSuite;
  let server: TestServer;
  let session: BrowserSession;
  let base: string;
  let page: Page;

  const api = <T>(path: string) => suite.api<T>(path);
  const open = (path: string) => suite.open(path);
  const rowKeys = (table: string) => page.locator(`[data-testid="${table}"] tbody tr`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
  /** Every entity's own issue ids, from the API (the Vulnerabilities tab's list). */
  const issuesOf = async (entityRef: string): Promise<IssuePage['items']> => {
    const [kind, rest] = entityRef.split(':') as [string, string];
    return (await api<IssuePage>(`/api/insights/entities/${kind}/${rest}/issues?limit=500`)).items;
  };
  const distinctIssues = async (entityRefs: string[]) => new Set((await Promise.all(entityRefs.map(issuesOf))).flat().map((i) => i.id)).size;
  const downloaded = async (testId: string): Promise<string> => {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
    return readFileSync((await file.path()) as string, 'utf8');
  };
  const csvFirstColumn = (csv: string) =>
    csv
      .trim()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(',')[0]);

  beforeAll(async () => {
    suite = await startWebUiSuite({}, (server) => buildRollupEstate(server.lantern), {}, { width: 1280, height: 900 });
    ({ server, session, page, base } = suite);
  }, 120_000);

  afterAll(() => suite?.close());

  it('fits the catalog in 1280 px with no horizontal scroll, the name sticky, a Total column, and the kinds with security data first', async () => {
    await open('/catalog');
    const overview = await api<Overview>('/api/insights/overview?kind=Component,API,Resource,System');
    await expect.poll(() => rowKeys('catalog-table')).toEqual(overview.items.map((i) => i.entityRef));
    expect(overview.items.map((i) => i.kind).every((k) => ['Component', 'API', 'Resource', 'System'].includes(k))).toBe(true);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1280);
    const box = page.locator('.table-scroll').filter({ has: page.getByTestId('catalog-table') });
    const [scrollWidth, clientWidth] = await box.evaluate((el) => [el.scrollWidth, el.clientWidth]);
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    // Expressions evaluated in the page are strings: this project compiles without the DOM library.
    expect(await page.evaluate<string>(`getComputedStyle(document.querySelector('[data-testid="catalog-table"] thead th')).position`)).toBe('sticky');
    // The Total column, and an entity whose only link matched nothing says so rather than "No data".
    const shopApi = page.locator('[data-testid="catalog-table"] tr[data-key="component:default/shop-api"]');
    // Total is followed by KEV, Breached and Last scan.
    expect(await shopApi.locator('td').nth(-4).textContent()).toBe(String(overview.items.find((i) => i.name === 'shop-api')?.counts?.total));
    expect(await page.locator('[data-testid="catalog-table"] tr[data-key="component:default/cart"]').textContent()).toContain('1 link unmatched');
    expect(await page.locator('[data-testid="catalog-table"] tr[data-key="system:default/checkout"]').textContent()).toContain('No data');
    // All kinds are one click away.
    await page.getByTestId('all-kinds').click();
    await expect.poll(() => rowKeys('catalog-table')).toContain('group:default/team-shop');
    expect(new URL(page.url()).search).toBe('?kind=all');
    await screenshot(page, 'catalog-1280-all-kinds');
  });

  it("shows a system's roll-up: distinct member issues, each member's own counts, and its domain labelled as such", async () => {
    const rollup = await api<EntityRollup>('/api/insights/entities/system/default/checkout/rollup');
    await open('/catalog/system/default/checkout');
    const card = page.getByTestId('security-summary');
    await card.getByTestId('summary-total').waitFor();
    const distinct = await distinctIssues(rollup.members.map((m) => m.entityRef));
    expect(distinct).toBe(5);
    expect(await card.getByTestId('summary-total').textContent()).toBe(String(distinct));
    expect(await card.textContent()).not.toContain('add the annotation');
    await expect.poll(() => rowKeys('rollup-members')).toEqual(rollup.members.map((m) => m.entityRef));
    const own = page.locator('[data-testid="rollup-members"] tr[data-key="component:default/shop-api"] [data-testid="member-total"]');
    expect(await own.textContent()).toBe(String((await issuesOf('component:default/shop-api')).length));
    expect(await page.locator('[data-testid="rollup-members"] tr[data-key="component:default/cart"]').textContent()).toContain('1 link unmatched');
    const facts = await page.locator('.entity-header .facts').textContent();
    expect(facts).toContain('Domaincommerce');
    expect(facts).not.toMatch(/System.*domain:/);
    await screenshot(page, 'system-rollup');

    // A group's page: the same card over what it owns, and no advice to annotate the group.
    await open('/catalog/group/default/team-shop');
    await page.getByTestId('summary-total').waitFor();
    const group = await api<EntityRollup>('/api/insights/entities/group/default/team-shop/rollup');
    expect(await page.getByTestId('summary-total').textContent()).toBe(String(await distinctIssues(group.members.map((m) => m.entityRef))));
    expect(await page.getByTestId('security-summary').textContent()).not.toContain('annotation');
  });

  it('totals distinct issues on the dashboard, and links to the search', async () => {
    await open('/dashboard');
    await page.getByTestId('dashboard-total').waitFor();
    const overview = await api<Overview>('/api/insights/overview?limit=200');
    const everyEntity = overview.items.filter((i) => i.hasData).map((i) => i.entityRef);
    const distinct = await distinctIssues(everyEntity);
    expect(distinct).toBe(6);
    expect(await page.getByTestId('dashboard-total').textContent()).toBe(String(distinct));
    // The trend counts distinct issues too: its last day is the total beside it, not the rows' 8.
    await page.getByText('Show the numbers').click();
    expect(await page.locator('.trend-numbers tbody tr').last().locator('td').last().textContent()).toBe(String(distinct));
    await page.getByRole('link', { name: 'Where is an issue?' }).click();
    await page.waitForURL(/\/issues$/);
  });

  it('finds a CVE in every entity that has it, with its targets and variants', async () => {
    await open(`/issues?q=${LOG4SHELL}`);
    await page.getByTestId('affected-entities').waitFor();
    const all = await api<Overview>('/api/insights/overview?limit=200');
    const having: string[] = [];
    for (const item of all.items) if ((await issuesOf(item.entityRef)).some((i) => i.vulnerabilityId === LOG4SHELL)) having.push(item.entityRef);
    expect(having.sort()).toEqual(['component:default/other-api', 'component:default/shop-api', 'component:default/shop-web']);
    expect(((await rowKeys('affected-entities')) as string[]).sort()).toEqual(having);
    const found = await api<IssueSearch>(`/api/insights/issues?q=${LOG4SHELL}`);
    expect(await rowKeys('affected-rows')).toHaveLength(found.rows.length);
    await screenshot(page, 'issue-search');
  });

  it('exports exactly the rows the filters show, as CSV and JSON, with formula cells neutralised', async () => {
    await open('/catalog?kind=component&q=shop');
    await expect.poll(() => rowKeys('catalog-table')).toEqual(['component:default/shop-api', 'component:default/shop-web']);
    const csv = await downloaded('catalog-export-csv');
    expect(csvFirstColumn(csv)).toEqual(await rowKeys('catalog-table'));
    const json = JSON.parse(await downloaded('catalog-export-json')) as Array<{ entityRef: string; total: number | null }>;
    expect(json.map((r) => r.entityRef)).toEqual(await rowKeys('catalog-table'));

    // The Vulnerabilities tab, filtered on a severity.
    await open('/catalog/component/default/shop-web/vulnerabilities?severity=critical,medium');
    const expected = (await api<IssuePage>('/api/insights/entities/component/default/shop-web/issues?severity=critical,medium&sort=priority&limit=500')).items;
    await expect.poll(() => rowKeys('issues-table')).toEqual(expected.map((i) => String(i.id)));
    const issues = JSON.parse(await downloaded('issues-export-json')) as Array<{ id: number; package: string }>;
    expect(issues.map((i) => i.id)).toEqual(expected.map((i) => i.id));
    // A package named like a formula stays text in the CSV (and as written in the JSON).
    expect(issues.map((i) => i.package)).toContain('=cmd|moment');
    const issuesCsv = await downloaded('issues-export-csv');
    expect(issuesCsv).toContain(",'=cmd|moment,");
    expect(issuesCsv).not.toMatch(/(^|,)=cmd/m);

    // The search across entities.
    await open('/issues?q=log4j&severity=critical');
    await page.getByTestId('affected-rows').waitFor();
    const searched = JSON.parse(await downloaded('issue-search-export-json')) as Array<{ target: string; variant: string }>;
    expect(searched.map((r) => `${r.target} ${r.variant}`)).toEqual(['acme/other-api latest', 'acme/shop-api latest', 'acme/shop-image latest']);
    expect(session.errors).toEqual([]);
  });
});
