import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DemoClock } from '../../src/demo/estate.js';
import type { EntityScorecards, EntitySummary, IssueDetail, IssuePage, Overview, Scan, ScanIssuePage, ScorecardList, ScorecardResults, ScorecardTrend, Target } from '../../web/src/api/types.js';
import { formatScore } from '../../web/src/ui/format.js';
import { bytes, trivyReport } from '../support/reports.js';
import type { TestServer } from '../support/server.js';
import { type BrowserSession, describeBrowser, screenshot, startWebUiSuite, watch, type WebUiSuite } from './browser.js';
import { buildEstate, estateOptions, REPOSITORY_COMMIT } from './estate.js';

/**
 * The web UI in Chromium against a real server on the estate of estate.ts: every number the UI
 * shows is compared with what the API answers for the same view.
 */

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

// The test scorecard's name, as its YAML writes it (testdata/scorecards.yaml): HTML that must stay text.
const RELEASE_NAME = 'Release <img src=x onerror="window.__scorecardXss=1"> readiness';

// Expressions evaluated in the page are strings: this project compiles without the DOM library.
const focused = (page: Page, attribute: string) => page.evaluate<string | null>(`document.activeElement?.getAttribute(${JSON.stringify(attribute)}) ?? null`);
/** The overview the catalog shows by default: the kinds that can have security data. */
const CATALOG_VIEW = '/api/insights/overview?kind=Component,API,Resource,System';
const pageWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

describeBrowser('web UI in Chromium', () => {
  let suite: WebUiSuite;
  let server: TestServer;
  let session: BrowserSession;
  let base: string;
  let page: Page;

  const api = <T>(path: string) => suite.api<T>(path);
  const open = async (path: string) => {
    await page.goto(`${base}${path}`);
  };
  const path = () => suite.path();
  const rowKeys = (table: string) => page.locator(`[data-testid="${table}"] tbody tr`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
  /** Waits until the table shows exactly these rows (the previous view's rows stay while the next load). */
  const expectRows = async (table: string, keys: string[]) => {
    await expect.poll(() => rowKeys(table), { timeout: 10_000 }).toEqual(keys);
  };

  beforeAll(async () => {
    const clock = new DemoClock();
    suite = await startWebUiSuite(estateOptions(clock), (server) => buildEstate(server.lantern, clock));
    ({ server, session, page, base } = suite);
  }, 120_000);

  afterAll(() => suite?.close());

  it('opens the catalog with the entities that have criticals first', async () => {
    const overview = await api<Overview>(CATALOG_VIEW);
    await open('/');
    await expectRows('catalog-table', overview.items.map((i) => i.entityRef));
    expect(overview.items[0]?.entityRef).toBe('component:default/payments');
    const first = page.locator('[data-testid="catalog-table"] tbody tr').first();
    await expect.poll(() => first.locator('td').nth(8).textContent()).toBe(String(overview.items[0]?.counts?.critical));
    // Entities without data say so, rather than showing zeros.
    await expect.poll(() => page.locator('[data-testid="catalog-table"] tr[data-key="component:default/ledger"]').textContent()).toContain('1 link unmatched');
    expect(await page.locator('[data-testid="catalog-totals"]').textContent()).toBe(`${overview.totals.entities} entities, ${overview.totals.withData} with security data`);
    // Kind, type and owner have their own columns here; the line under the name is for phones.
    expect(await first.locator('.phone-only').isVisible()).toBe(false);
    expect(await first.locator('td').nth(1).isVisible()).toBe(true);
    await screenshot(page, 'catalog');
  });

  it('filters and sorts the catalog, and keeps the view in the URL', async () => {
    await open('/catalog?kind=all');
    await page.locator('summary', { hasText: 'Kind' }).click();
    await page.getByRole('checkbox', { name: 'Component', exact: true }).check();
    await expect.poll(path).toBe('/catalog?kind=Component');
    const components = await api<Overview>('/api/insights/overview?kind=Component');
    await expectRows('catalog-table', components.items.map((i) => i.entityRef));
    expect(components.items.every((i) => i.kind === 'Component')).toBe(true);

    await page.getByLabel('Security data').selectOption('false');
    await expect.poll(path).toBe('/catalog?kind=Component&hasData=false');
    await expectRows('catalog-table', (await api<Overview>('/api/insights/overview?kind=Component&hasData=false')).items.map((i) => i.entityRef));

    await page.getByRole('button', { name: 'Name' }).click();
    await expect.poll(path).toBe('/catalog?kind=Component&hasData=false&sort=name');
    const byName = await api<Overview>('/api/insights/overview?kind=Component&hasData=false&sort=name');
    await expectRows('catalog-table', byName.items.map((i) => i.entityRef));
    expect(await page.locator('th[aria-sort="ascending"]').textContent()).toContain('Name');
    await page.getByRole('button', { name: 'Name' }).click();
    await expect.poll(path).toContain('sort=-name');
    await expectRows('catalog-table', [...byName.items].reverse().map((i) => i.entityRef));

    await page.getByRole('searchbox', { name: /Search entities/ }).fill('ledg');
    await expect.poll(path).toBe('/catalog?kind=Component&hasData=false&q=ledg&sort=-name');
    await expectRows('catalog-table', ['component:default/ledger']);
    await screenshot(page, 'catalog-filtered');

    // The shared URL opens the same view.
    await open('/catalog?kind=Component&hasData=false&q=ledg&sort=-name');
    await expectRows('catalog-table', ['component:default/ledger']);
    await expect.poll(() => page.getByLabel('Security data').inputValue()).toBe('false');
  });

  it('moves through the catalog with the keyboard and opens an entity with Enter', async () => {
    const overview = await api<Overview>(CATALOG_VIEW);
    await open('/catalog');
    await expectRows('catalog-table', overview.items.map((i) => i.entityRef));
    await page.locator('[data-testid="catalog-table"] tbody tr').first().focus();
    await page.keyboard.press('ArrowDown');
    expect(await focused(page, 'data-key')).toBe(overview.items[1]?.entityRef);
    await page.keyboard.press('Enter');
    const second = overview.items[1];
    await expect.poll(path).toBe(`/catalog/${second?.kind.toLowerCase()}/${second?.namespace}/${second?.name}`);
  });

  it("shows the entity's header and a security card whose numbers are the API's", async () => {
    const summary = await api<EntitySummary>('/api/insights/entities/component/default/payments/summary');
    await open('/catalog/component/default/payments');
    const card = page.locator('[data-testid="security-summary"]');
    await card.locator('[data-testid="summary-total"]').waitFor();
    for (const s of SEVERITIES) {
      expect(await card.locator(`[data-testid="summary-count-${s}"]`).textContent(), s).toBe(String(summary.counts[s]));
      const percent = summary.percentages[s];
      expect(await card.locator(`[data-testid="summary-percent-${s}"]`).textContent(), s).toBe(summary.counts[s] > 0 && percent < 1 ? '<1%' : `${percent}%`);
      expect(await card.locator(`[data-testid="summary-fixable-${s}"]`).textContent(), s).toBe(String(summary.breakdown.fixable[s]));
    }
    expect(await card.locator('[data-testid="summary-total"]').textContent()).toBe(String(summary.counts.total));
    expect(await card.locator('[data-testid="summary-fixable"]').textContent()).toBe(String(summary.fixable));
    expect(await card.locator('[data-testid="summary-new"]').textContent()).toBe(String(summary.new));
    expect(await card.locator('[data-testid="summary-exempted"]').textContent()).toBe(String(summary.exempted));
    // One row per linked target, with the variant shown.
    const targets = card.locator('[data-testid="summary-targets"] tbody tr');
    expect(await targets.count()).toBe(summary.targets.length);
    for (const [i, target] of summary.targets.entries()) {
      expect(await targets.nth(i).textContent()).toContain(target.name);
      expect(await targets.nth(i).textContent()).toContain(target.variant ?? '');
    }

    const header = page.locator('.entity-header');
    expect(await header.locator('h1').textContent()).toContain('Payments');
    expect(await header.textContent()).toContain('team-a');
    expect(await header.textContent()).toContain('default.default');
    expect(await page.getByTestId('source-repository').getAttribute('href')).toBe('https://github.com/acme/payments/tree/main/');
    expect(await page.locator('.tab.is-current').textContent()).toBe('Overview');
    await screenshot(page, 'entity-page', { also: process.env.LANTERN_UPDATE_DOCS_SCREENSHOTS ? 'docs/screenshots/entity-page.png' : undefined });
  });

  it('explains a link that matched nothing, in plain words and with the change to make', async () => {
    const summary = await api<EntitySummary>('/api/insights/entities/component/default/payments/summary');
    const unmatched = summary.links.find((l) => !l.matched);
    expect(unmatched?.name).toBe('acme/payments-config');
    await open('/catalog/component/default/payments');
    const diagnostic = page.getByTestId(`diagnostic-${unmatched?.diagnostics[0]?.code}`);
    await diagnostic.waitFor();
    expect(await diagnostic.textContent()).toContain(unmatched?.diagnostics[0]?.message);
    expect(await diagnostic.textContent()).toContain('No scans of “acme/payments-config” yet');

    // ledger's only link has a typo: no data, and a suggestion.
    await open('/catalog/component/default/ledger');
    const similar = page.getByTestId('diagnostic-similar-target');
    await similar.waitFor();
    expect(await similar.textContent()).toContain('did you mean “acme/ledger”?');
    expect(await similar.locator('pre').textContent()).toContain('- name: acme/ledger');
    expect(await page.locator('[data-testid="security-summary"]').textContent()).toContain('No security data');
    await screenshot(page, 'entity-no-data');
  });

  it('lists the issues, filters critical, and opens one in a drawer', async () => {
    // The tab's default order is priority (docs/prioritisation.md).
    const all = await api<IssuePage>('/api/insights/entities/component/default/payments/issues?sort=priority');
    await open('/catalog/component/default/payments');
    await page.getByRole('link', { name: /Vulnerabilities/ }).click();
    await expect.poll(path).toBe('/catalog/component/default/payments/vulnerabilities');
    await expectRows('issues-table', all.items.map((i) => String(i.id)));

    await page.getByRole('button', { name: 'Critical' }).click();
    await expect.poll(path).toBe('/catalog/component/default/payments/vulnerabilities?severity=critical');
    const critical = await api<IssuePage>('/api/insights/entities/component/default/payments/issues?severity=critical&sort=priority');
    await expectRows('issues-table', critical.items.map((i) => String(i.id)));
    expect(critical.total).toBe(2);
    const severities = await page.locator('[data-testid="issues-table"] tbody tr td.col-severity').allTextContents();
    expect(severities).toEqual(critical.items.map(() => 'Critical'));
    expect(await page.getByRole('button', { name: 'Critical' }).getAttribute('aria-pressed')).toBe('true');
    await screenshot(page, 'vulnerabilities-critical');

    const first = critical.items[0];
    await page.locator(`[data-testid="issues-table"] tr[data-key="${first?.id}"] td`).nth(1).click();
    await expect.poll(path).toBe(`/catalog/component/default/payments/vulnerabilities?severity=critical&issue=${first?.id}`);
    const detail = await api<IssueDetail>(`/api/insights/issues/${first?.id}?entity=component:default/payments`);
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.locator('h2').textContent()).toBe(detail.title);
    expect(await focused(page, 'aria-label')).toBe('Close');
    expect(await dialog.getByTestId('issue-fixed-version').textContent()).toBe(detail.fixedVersion);
    const cve = dialog.getByTestId('identifier-link').filter({ hasText: detail.vulnerabilityId ?? '' });
    expect(await cve.locator('xpath=..').getAttribute('href')).toBe(`https://nvd.nist.gov/vuln/detail/${detail.vulnerabilityId}`);
    await screenshot(page, 'issue-drawer', { fullPage: false });

    // Tab stays in the dialog; Esc closes it and gives focus back to the row.
    for (let i = 0; i < 25; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate<boolean>('!!document.activeElement?.closest(\'[role="dialog"]\')')).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(path).toBe('/catalog/component/default/payments/vulnerabilities?severity=critical');
    expect(await dialog.count()).toBe(0);
    expect(await focused(page, 'data-key')).toBe(String(first?.id));
  });

  it("links an occurrence to the exact file and lines in the entity's repository", async () => {
    const found = await api<IssuePage>('/api/insights/entities/component/default/payments/issues?q=sqli');
    expect(found.items).toHaveLength(1);
    await open('/catalog/component/default/payments/vulnerabilities?q=sqli');
    await expectRows('issues-table', found.items.map((i) => String(i.id)));
    await page.locator('[data-testid="issues-table"] tbody tr').first().focus();
    await page.keyboard.press('Enter');
    const link = page.getByRole('dialog').getByTestId('occurrence-source-link');
    await link.waitFor();
    // DESIGN.md, Source links: GitHub …/blob/REF/PATH#L10-L12, at the scan's commit.
    expect(await link.locator('xpath=..').getAttribute('href')).toBe(`https://github.com/acme/payments/blob/${REPOSITORY_COMMIT}/src/main/java/acme/PaymentRepository.java#L42-L44`);
    expect(await link.textContent()).toBe('src/main/java/acme/PaymentRepository.java:42-44');
    // The scanner's message is shown as text: its <b> is not markup.
    expect(await page.getByRole('dialog').locator('.markdown b').count()).toBe(0);
    await screenshot(page, 'issue-drawer-code', { fullPage: false });
  });

  it('shows the security dashboard with the totals, owners and systems the API gives', async () => {
    const overview = await api<Overview>('/api/insights/overview?limit=1');
    await open('/dashboard');
    await page.getByTestId('dashboard-total').waitFor();
    for (const s of SEVERITIES) expect(await page.getByTestId(`dashboard-total-${s}`).textContent(), s).toBe(String(overview.totals.counts[s]));
    expect(await page.getByTestId('dashboard-total').textContent()).toBe(String(overview.totals.counts.total));
    await expect.poll(() => page.locator('[data-testid="rollup-group"] tbody tr').count()).toBe(overview.byOwner.length);
    await expect.poll(() => page.locator('[data-testid="rollup-system"] tbody tr').count()).toBe(overview.bySystem.length);
    await expect.poll(() => page.locator('[data-testid="top-entities"] tbody tr').count()).toBe(overview.totals.withData);
    await page.locator('[data-testid="trend-chart"] canvas').waitFor();
    await screenshot(page, 'dashboard');
  });

  it('shows the Security baseline score in the catalog, no score apart from 0, and sorts by it', async () => {
    const overview = await api<Overview>(CATALOG_VIEW);
    await open('/catalog');
    await expectRows('catalog-table', overview.items.map((i) => i.entityRef));
    const scoreOf = (ref: string) => page.locator(`[data-testid="catalog-table"] tr[data-key="${ref}"] td`).nth(7).textContent();
    // payments: 5 of 11 weighted points (docs/scorecards.md); an API has no Security baseline score.
    expect(await scoreOf('component:default/payments')).toBe('45.5%');
    expect(await scoreOf('api:default/payments-api')).toBe('—');
    for (const row of overview.items) expect(await scoreOf(row.entityRef), row.entityRef).toBe(row.score === null ? '—' : formatScore(row.score));
    expect(overview.items.filter((i) => i.score !== null).map((i) => i.entityRef).sort()).toEqual(['component:default/billing', 'component:default/ledger', 'component:default/payments']);

    await page.getByRole('button', { name: 'Score' }).click();
    await expect.poll(path).toBe('/catalog?sort=score');
    const worstFirst = await api<Overview>(`${CATALOG_VIEW}&sort=score`);
    await expectRows('catalog-table', worstFirst.items.map((i) => i.entityRef));
    expect(worstFirst.items.slice(0, 3).map((i) => i.entityRef)).toEqual(['component:default/ledger', 'component:default/billing', 'component:default/payments']);
    expect(await page.locator('th[aria-sort="ascending"]').textContent()).toContain('Score');
    await screenshot(page, 'catalog-by-score');

    // Another scorecard's scores, chosen by name (its HTML stays text), kept in the URL.
    const scoreOn = page.getByLabel('Score on');
    await expect.poll(() => scoreOn.inputValue()).toBe('security-baseline');
    await scoreOn.selectOption({ label: RELEASE_NAME });
    await expect.poll(path).toBe('/catalog?sort=score&scorecard=release-readiness');
    const release = await api<Overview>(`${CATALOG_VIEW}&sort=score&scorecard=release-readiness`);
    expect(release.scorecard).toEqual({ id: 'release-readiness', name: RELEASE_NAME });
    await expectRows('catalog-table', release.items.map((i) => i.entityRef));
    for (const row of release.items) await expect.poll(() => scoreOf(row.entityRef), { message: row.entityRef }).toBe(row.score === null ? '—' : formatScore(row.score));
    expect(await page.getByTestId('catalog-table').locator('th').nth(7).locator('span').first().getAttribute('title')).toBe(`The entity's score on ${RELEASE_NAME}`);
    await page.goBack();
    await expect.poll(path).toBe('/catalog?sort=score');

    // The score leads to the checks behind it.
    await page.locator('[data-testid="catalog-table"] tr[data-key="component:default/payments"] td').nth(7).getByRole('link').click();
    await expect.poll(path).toBe('/catalog/component/default/payments/scorecards');
  });

  it("shows an entity's scorecards: each check passed, failed or unknown, with what was observed and its message", async () => {
    const expected = await api<EntityScorecards>('/api/insights/entities/component/default/ledger/scorecards');
    await open('/catalog/component/default/ledger');
    await page.getByRole('link', { name: 'Scorecards', exact: true }).and(page.locator('.tab')).click();
    await expect.poll(path).toBe('/catalog/component/default/ledger/scorecards');
    expect(await page.locator('.tab.is-current').textContent()).toBe('Scorecards');
    const cards = page.getByTestId('entity-scorecard');
    await expect.poll(() => cards.count()).toBe(expected.scorecards.length);
    expect(expected.scorecards.map((s) => s.id)).toEqual(['security-baseline', 'release-readiness']);

    const baseline = page.locator('[data-testid="entity-scorecard"][data-scorecard="security-baseline"]');
    // ledger's only link has a typo: no security data. 1 of 6 decided weighted points.
    expect(await baseline.getByTestId('entity-score').textContent()).toBe('16.7%');
    const check = (id: string) => baseline.locator(`tr[data-check="${id}"]`);
    expect(await check('has-owner').locator('td').first().textContent()).toBe('Pass');
    expect(await check('has-owner').locator('td').nth(1).textContent()).toBe('met: catalog.has_owner = true, expected = true');
    expect(await check('has-security-data').locator('td').first().textContent()).toBe('Fail');
    expect(await check('has-security-data').locator('td').nth(1).textContent()).toBe('not met: sto.has_security_data = false, expected = true');
    expect(await check('has-security-data').getByTestId('check-message').textContent()).toBe(
      'No scan results are linked to this component; add a harness.io/sto-test-target annotation or scan its repository.',
    );
    // No data is unknown, never 0.
    expect(await check('no-critical').locator('td').first().textContent()).toBe('Unknown');
    expect(await check('no-critical').locator('td').nth(1).textContent()).toBe('no data: sto.critical: no data, expected = 0');
    expect(await check('no-critical').getByTestId('check-message').textContent()).toBe('No value for critical issues: the entity has no security data. The check is unknown.');
    // Decided for lack of data by whenNoData: fail, and said so.
    expect(await check('scanned-recently').locator('td').first().textContent()).toBe('Fail(no data)');
    for (const result of expected.scorecards[0]?.checks ?? []) {
      expect(await check(result.id).getAttribute('data-status'), result.id).toBe(result.status);
      expect(await check(result.id).getByTestId('check-message').textContent(), result.id).toBe(result.message);
    }
    await screenshot(page, 'entity-scorecards');

    // payments has the data ledger lacks: the observed count against its threshold.
    await open('/catalog/component/default/payments/scorecards');
    const paymentsBaseline = page.locator('[data-testid="entity-scorecard"][data-scorecard="security-baseline"]');
    await paymentsBaseline.waitFor();
    expect(await paymentsBaseline.locator('tr[data-check="no-critical"] td').nth(1).textContent()).toBe('not met: sto.critical = 2, expected = 0');
    expect(await paymentsBaseline.locator('tr[data-check="no-fixable-high"] td').nth(1).textContent()).toBe('not met: sto.fixable(high) = 4, expected = 0');
    // Both rules of an anyOf check, each with its outcome.
    const pci = page.locator('[data-testid="entity-scorecard"][data-scorecard="release-readiness"] tr[data-check="pci-without-criticals"]');
    expect(await pci.locator('li').allTextContents()).toEqual(['not met: catalog.has_tag(pci) = true, expected = false', 'not met: sto.critical = 2, expected = 0']);

    // An API: no scorecard applies to it.
    await open('/catalog/api/default/payments-api/scorecards');
    await page.getByText('No scorecard applies to this entity.').waitFor();
    expect(await page.getByTestId('entity-scorecard').count()).toBe(0);
  });

  it('shows scorecard names and messages written with HTML as text', async () => {
    await open('/catalog/component/default/ledger/scorecards');
    const release = page.locator('[data-testid="entity-scorecard"][data-scorecard="release-readiness"]');
    await release.waitFor();
    expect(await release.locator('h3').textContent()).toBe(RELEASE_NAME);
    expect(await release.locator('p').first().textContent()).toBe('What a component needs before a <b>release</b>.');
    expect(await release.locator('tr[data-check="owned"]').getByTestId('check-message').textContent()).toBe('Owned, as <img src=x onerror="window.__scorecardXss=2"> every release must be.');
    await open('/scorecards');
    await page.locator('[data-testid="scorecard-card"][data-scorecard="release-readiness"] h2').waitFor();
    expect(await page.locator('[data-testid="scorecard-card"][data-scorecard="release-readiness"] h2').textContent()).toBe(RELEASE_NAME);
    await open('/scorecards/release-readiness');
    await expect.poll(() => page.locator('h1').textContent()).toContain(RELEASE_NAME);
    expect(await page.title()).toBe(`${RELEASE_NAME} · Scorecards · Lantern`);
    expect(await page.locator('main img, main b').count()).toBe(0);
    expect(await page.evaluate<unknown>('window.__scorecardXss')).toBeUndefined();
  });

  it('lists the scorecards with their pass rates, and shows one with its entities, filters and trend', async () => {
    const list = await api<ScorecardList>('/api/scorecards');
    await open('/catalog');
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Scorecards' }).click();
    await expect.poll(path).toBe('/scorecards');
    const cards = page.getByTestId('scorecard-card');
    await expect.poll(() => cards.count()).toBe(list.items.length);
    for (const item of list.items) {
      const card = page.locator(`[data-testid="scorecard-card"][data-scorecard="${item.id}"]`);
      expect(await card.getByTestId('scorecard-pass-rate').textContent(), item.id).toBe(item.passRate === null ? '—' : formatScore(item.passRate));
      expect(await card.getByTestId('scorecard-entities').textContent(), item.id).toBe(String(item.entities));
      expect(await card.locator('[data-testid="scorecard-checks"] tbody tr').count(), item.id).toBe(item.checks.length);
    }
    // ledger and billing pass every decided check of release-readiness, payments does not.
    const release = page.locator('[data-testid="scorecard-card"][data-scorecard="release-readiness"]');
    expect(await release.getByTestId('scorecard-pass-rate').textContent()).toBe('66.7%');
    expect(await release.getByTestId('scorecard-passing').textContent()).toBe('2 of 3');
    expect(await release.locator('tr[data-check="few-high"] [data-testid="check-pass-rate"]').textContent()).toBe('0%');
    await screenshot(page, 'scorecards');

    await release.getByRole('link', { name: RELEASE_NAME }).click();
    await expect.poll(path).toBe('/scorecards/release-readiness');
    const all = await api<ScorecardResults>('/api/scorecards/release-readiness/results');
    await expectRows('scorecard-results', all.items.map((i) => i.entityRef));
    expect(all.items.map((i) => i.entityRef)).toEqual(['component:default/payments', 'component:default/billing', 'component:default/ledger']);
    expect(await page.getByTestId('scorecard-pass-rate').textContent()).toBe('66.7%');
    expect(await page.locator('[data-testid="scorecard-results"] tr[data-key="component:default/payments"] td').nth(3).textContent()).toBe('25%');

    // The owner filter changes the table, the figures and the URL.
    await page.locator('summary', { hasText: 'Owner' }).click();
    await page.getByRole('checkbox', { name: 'team-b', exact: true }).check();
    await expect.poll(path).toBe('/scorecards/release-readiness?owner=group%3Adefault%2Fteam-b');
    const teamB = await api<ScorecardResults>('/api/scorecards/release-readiness/results?owner=group:default/team-b');
    expect(teamB.items.map((i) => i.entityRef)).toEqual(['component:default/billing', 'component:default/ledger']);
    await expectRows('scorecard-results', teamB.items.map((i) => i.entityRef));
    await expect.poll(() => page.getByTestId('scorecard-pass-rate').textContent()).toBe('100%');
    await page.getByRole('checkbox', { name: 'team-b', exact: true }).uncheck();
    await page.getByRole('checkbox', { name: 'team-a', exact: true }).check();
    await expect.poll(path).toBe('/scorecards/release-readiness?owner=group%3Adefault%2Fteam-a');
    await expectRows('scorecard-results', ['component:default/payments']);
    await expect.poll(() => page.getByTestId('scorecard-pass-rate').textContent()).toBe('0%');
    await page.keyboard.press('Escape');

    // The shared URL opens the same view; a check's count shows the entities with that result.
    await open('/scorecards/security-baseline?system=checkout');
    const checkout = await api<ScorecardResults>('/api/scorecards/security-baseline/results?system=checkout');
    await expectRows('scorecard-results', checkout.items.map((i) => i.entityRef));
    expect(checkout.items.map((i) => i.entityRef)).toEqual(['component:default/ledger', 'component:default/payments']);
    await page.locator('[data-testid="scorecard-checks"] tr[data-check="no-critical"]').getByRole('link', { name: /unknown/ }).click();
    await expect.poll(path).toBe('/scorecards/security-baseline?system=checkout&check=no-critical&status=unknown');
    await expectRows('scorecard-results', ['component:default/ledger']);
    expect(await page.getByTestId('check-filter').textContent()).toContain('Entities that are unknown on “No critical vulnerabilities”');

    // The trend over the days the estate was built, drawn and in numbers.
    const trend = await api<ScorecardTrend>('/api/scorecards/security-baseline/trend?days=30&system=checkout');
    expect(trend.points.filter((p) => p.entities > 0).length).toBe(11);
    await page.locator('[data-testid="scorecard-trend-chart"] canvas').waitFor();
    expect(await page.getByTestId('scorecard-trend-summary').textContent()).toMatch(/^Pass rate 0% on .+, 0% on .+\.$/);
    await screenshot(page, 'scorecard');

    // An entity leads to its Scorecards tab.
    await page.locator('[data-testid="scorecard-results"] tr[data-key="component:default/ledger"]').getByRole('link', { name: /Ledger/ }).click();
    await expect.poll(path).toBe('/catalog/component/default/ledger/scorecards');
    await page.getByTestId('entity-scorecard').first().waitFor();
  });

  it("lists targets, shows a scan's new, common and remediated issues, and uploads a report", async () => {
    const targets = await api<Target[]>('/api/targets');
    await open('/targets');
    await expectRows('targets-table', targets.map((t) => String(t.id)));
    const image = targets.find((t) => t.name === 'registry.acme.io/payments');
    await page.locator(`[data-testid="targets-table"] tr[data-key="${image?.id}"] td`).nth(1).click();
    await expect.poll(path).toBe(`/targets/${image?.id}`);
    const scans = await api<Scan[]>(`/api/targets/${image?.id}/scans`);
    await expectRows('scans-table', scans.map((s) => String(s.scanId)));
    const trivy = scans.find((s) => s.scanner === 'trivy' && s.comparedScanId !== null);
    await page.locator(`[data-testid="scans-table"] tr[data-key="${trivy?.scanId}"] td`).first().click();
    for (const group of ['new', 'common', 'remediated'] as const) {
      const part = await api<ScanIssuePage>(`/api/scans/${trivy?.scanId}/issues?part=${group}`);
      await expect.poll(() => page.locator(`[data-testid="scan-${group}"] li`).count(), { message: group }).toBe(part.items.length);
      if (group === 'remediated') expect(part.items.map((i) => i.vulnerabilityId)).toEqual(['CVE-2021-44906']);
    }
    await screenshot(page, 'target-scan');

    await open('/targets?upload=true');
    await page.getByLabel('Report file').setInputFiles({ name: 'trivy.json', mimeType: 'application/json', buffer: Buffer.from(bytes(trivyReport([{ id: 'CVE-2022-0155', pkg: 'follow-redirects', version: '1.14.0', severity: 'MEDIUM', fixed: '1.14.7' }]))) });
    await page.getByLabel('Target', { exact: true }).fill('acme/billing');
    await page.getByLabel('Variant', { exact: true }).fill('main');
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    const result = page.getByTestId('upload-result');
    await expect.poll(() => result.textContent(), { timeout: 10_000 }).toContain('Ingested as scan');
    expect(await result.textContent()).toContain('acme/billing');
    const after = await api<Target[]>('/api/targets');
    expect(after.map((t) => t.name)).toContain('acme/billing');
    await expectRows('targets-table', after.map((t) => String(t.id)));
    await screenshot(page, 'targets-upload');
  });

  it('works on a 390 px phone screen', async () => {
    const phone = await session.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const small = await phone.newPage();
    watch(small, session.errors);
    const overview = await api<Overview>(CATALOG_VIEW);
    await small.goto(`${base}/catalog`);
    await expect.poll(() => small.locator('[data-testid="catalog-table"] tbody tr').count()).toBe(overview.items.length);
    const row = small.locator('[data-testid="catalog-table"] tr[data-key="component:default/payments"]');
    expect(await row.locator('.phone-only').textContent()).toBe('Component · service · team-a');
    expect(await row.locator('td').nth(1).isVisible()).toBe(false);
    // The scorecard picker, as wide as its longest name, comes after the rows.
    await small.getByLabel('Score on').waitFor();
    // The page itself never scrolls sideways; wide tables scroll inside their own box.
    expect(await pageWidth(small)).toBeLessThanOrEqual(390);
    await screenshot(small, 'phone-catalog');
    await small.goto(`${base}/catalog/component/default/payments`);
    await small.getByTestId('summary-total').waitFor();
    expect(await pageWidth(small)).toBeLessThanOrEqual(390);
    await screenshot(small, 'phone-entity-page');
    await small.goto(`${base}/catalog/component/default/payments/vulnerabilities?severity=critical`);
    await small.locator('[data-testid="issues-table"] tbody tr').first().click();
    await small.getByRole('dialog').locator('h2').waitFor();
    expect(await pageWidth(small)).toBeLessThanOrEqual(390);
    await screenshot(small, 'phone-issue-drawer', { fullPage: false });
    await small.goto(`${base}/catalog/component/default/ledger/scorecards`);
    await small.getByTestId('entity-scorecard').first().waitFor();
    expect(await pageWidth(small)).toBeLessThanOrEqual(390);
    await screenshot(small, 'phone-entity-scorecards');
    await small.goto(`${base}/scorecards/security-baseline`);
    await small.locator('[data-testid="scorecard-trend-chart"] canvas').waitFor();
    expect(await pageWidth(small)).toBeLessThanOrEqual(390);
    await screenshot(small, 'phone-scorecard');
    await phone.close();
  });

  it('logged no console error on any page', () => {
    expect(session.errors).toEqual([]);
  });
});
