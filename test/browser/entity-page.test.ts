import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DemoClock } from '../../src/demo/estate.js';
import { DEFAULT_PROJECT_SCOPE } from '../../src/domain/scope.js';
import type { IssueDetail, IssuePage, Target, Trend } from '../../web/src/api/types.js';
import { sortTargets } from '../../web/src/targets/target-sort.js';
import { bytes, trivyReport } from '../support/reports.js';
import type { TestServer } from '../support/server.js';
import { type BrowserSession, describeBrowser, screenshot, startWebUiSuite, watch, type WebUiSuite } from './browser.js';
import { buildEstate, estateOptions, IMAGE_VULNERABILITIES } from './estate.js';

/**
 * The entity page, the targets list and the phone layout in Chromium, on the estate of estate.ts
 * with two additions: payments' image also holds a jar with log4j (a path inside the image), and
 * a scorecard whose checks all need security data (testdata/no-data-scorecard.yaml).
 */

const NO_DATA_SCORECARD = join(import.meta.dirname, 'testdata', 'no-data-scorecard.yaml');
const pageWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

describeBrowser('entity page, targets and phone navigation in Chromium', () => {
  let suite: WebUiSuite;
  let server: TestServer;
  let session: BrowserSession;
  let base: string;
  let page: Page;

  const api = <T>(path: string) => suite.api<T>(path);
  const open = (path: string) => suite.open(path);
  const path = () => suite.path();
  const rowKeys = (table: string) => page.locator(`[data-testid="${table}"] tbody tr`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));

  beforeAll(async () => {
    const clock = new DemoClock();
    const options = estateOptions(clock);
    suite = await startWebUiSuite({ ...options, scorecards: { paths: [...(options.scorecards?.paths ?? []), NO_DATA_SCORECARD] } }, (server) => buildEstate(server.lantern, clock));
    server = suite.server;
    // The image's latest Trivy scan also finds log4j in a jar the image holds: a path in the image, not in the repository.
    const report = JSON.parse(trivyReport(IMAGE_VULNERABILITIES));
    report.ArtifactType = 'container_image';
    report.Results.push({
      Target: 'Java',
      Class: 'lang-pkgs',
      Type: 'jar',
      Vulnerabilities: [{ VulnerabilityID: 'CVE-2021-44228', PkgName: 'org.apache.logging.log4j:log4j-core', PkgPath: 'app/payments-api.jar', InstalledVersion: '2.14.1', FixedVersion: '2.15.0', Severity: 'CRITICAL', Title: 'log4j-core: Remote code execution in Log4j 2.x' }],
    });
    await server.lantern.ingest({ target: 'registry.acme.io/payments', targetType: 'container', variant: 'latest', scope: DEFAULT_PROJECT_SCOPE, report: bytes(JSON.stringify(report)), source: 'trivy.json' });
    // CodeQL over the sources the image was built from: its path is under %SRCROOT%, so it is a file of the repository although the target is an image.
    const codeql = {
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'CodeQL', rules: [{ id: 'js/xss', shortDescription: { text: 'Client-side cross-site scripting' } }] } },
          originalUriBaseIds: { '%SRCROOT%': { uri: 'file:///home/runner/work/payments/payments/' } },
          results: [{ ruleId: 'js/xss', level: 'error', message: { text: 'Cross-site scripting from a URL parameter.' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'web/app.js', uriBaseId: '%SRCROOT%' }, region: { startLine: 7, endLine: 9 } } }] }],
        },
      ],
    };
    await server.lantern.ingest({ target: 'registry.acme.io/payments', targetType: 'container', variant: 'latest', scope: DEFAULT_PROJECT_SCOPE, report: bytes(JSON.stringify(codeql)), source: 'codeql.sarif', commit: '9e8d7c6' });
    ({ session, page, base } = suite);
  }, 120_000);

  afterAll(() => suite?.close());

  it('does not link a path inside an image to the repository, and titles the issue with the scanner’s own title', async () => {
    const issues = await api<IssuePage>('/api/insights/entities/component/default/payments/issues?q=log4j');
    const log4j = issues.items[0] as IssuePage['items'][number];
    const detail = await api<IssueDetail>(`/api/insights/issues/${log4j.id}?entity=component:default/payments`);
    expect(detail.occurrences.map((o) => [o.filePath, o.sourceUrl])).toEqual([['app/payments-api.jar', null]]);

    await open(`/catalog/component/default/payments/vulnerabilities?q=log4j&issue=${log4j.id}`);
    const drawer = page.getByRole('dialog');
    await expect.poll(() => drawer.locator('h2').textContent()).toBe('log4j-core: Remote code execution in Log4j 2.x');
    await drawer.locator('.occurrence-where').first().waitFor();
    expect(await drawer.locator('.occurrence-where').first().textContent()).toContain('app/payments-api.jar');
    expect(await drawer.getByTestId('occurrence-source-link').count()).toBe(0);
    expect(await drawer.locator('.occurrence-where a').count()).toBe(0);
    // The id stays beside the title; the upgrade is said once.
    expect(await drawer.locator('.drawer-sub').textContent()).toBe('CVE-2021-44228');
    expect(await drawer.getByText('Upgrade org.apache.logging.log4j:log4j-core to 2.15.0').count()).toBe(1);
  });

  it('links a path the scanner puts in the source tree to its lines, even on an image', async () => {
    const issues = await api<IssuePage>('/api/insights/entities/component/default/payments/issues?kind=code');
    const xss = issues.items.find((i) => i.ruleId === 'js/xss') as IssuePage['items'][number];
    const detail = await api<IssueDetail>(`/api/insights/issues/${xss.id}?entity=component:default/payments`);
    expect(detail.occurrences.map((o) => [o.filePath, o.baseId, o.sourceUrl])).toEqual([['web/app.js', '%SRCROOT%', 'https://github.com/acme/payments/blob/9e8d7c6/web/app.js#L7-L9']]);

    await open(`/catalog/component/default/payments/vulnerabilities?issue=${xss.id}`);
    const drawer = page.getByRole('dialog');
    const link = drawer.getByTestId('occurrence-source-link');
    await link.waitFor();
    expect(await link.textContent()).toBe('web/app.js:7-9');
    const anchor = drawer.locator('.occurrence-where a');
    expect(await anchor.getAttribute('href')).toBe('https://github.com/acme/payments/blob/9e8d7c6/web/app.js#L7-L9');
    expect(await anchor.getAttribute('title')).toContain('%SRCROOT%');
    expect(await drawer.getByText('%SRCROOT%', { exact: true }).count()).toBe(1);
  });

  it('draws the entity’s trend, with the numbers the API gives', async () => {
    const trend = await api<Trend>(`/api/insights/trend?days=30&entity=${encodeURIComponent('component:default/payments')}`);
    // The sentence starts at the first day with data: days before any scan are gaps, not 0.
    const first = trend.points.find((p) => p.withData > 0) as Trend['points'][number];
    const last = trend.points[trend.points.length - 1] as Trend['points'][number];
    await open('/catalog/component/default/payments');
    const card = page.getByTestId('entity-trend');
    await card.getByTestId('entity-trend-summary').waitFor();
    expect(await card.getByTestId('entity-trend-summary').textContent()).toMatch(new RegExp(`^${first.total} open issues on .+, ${last.total} on .+\\.$`));
    await expect.poll(() => card.getByTestId('entity-trend-chart').locator('canvas').count()).toBeGreaterThan(0);
    await card.getByText('Show the numbers').click();
    expect(await card.locator('.trend-numbers tbody tr').count()).toBe(trend.points.length);
    await screenshot(page, 'entity-trend');
  });

  it('opens the Vulnerabilities tab filtered by a target from its row, and by a scanner from its row', async () => {
    const targets = await api<Target[]>('/api/targets?name=registry.acme.io/payments');
    const image = targets[0] as Target;
    await open('/catalog/component/default/payments');
    const row = page.locator('[data-testid="summary-targets"] tr[data-target="registry.acme.io/payments"]');
    await row.waitFor();
    // One column per severity, each headed by its shape.
    expect(await page.locator('[data-testid="summary-targets"] thead .sev-icon').count()).toBe(5);
    expect(await row.locator('td.sev-col').count()).toBe(5);
    await row.getByTestId('summary-target-link').click();
    await expect.poll(path).toBe(`/catalog/component/default/payments/vulnerabilities?target=${image.id}`);
    const filtered = await api<IssuePage>(`/api/insights/entities/component/default/payments/issues?target=${image.id}&sort=priority`);
    await expect.poll(() => rowKeys('issues-table')).toEqual(filtered.items.map((i) => String(i.id)));
    expect(filtered.items.every((i) => i.targetName === 'registry.acme.io/payments')).toBe(true);

    await open('/catalog/component/default/payments');
    await page.locator('[data-testid="summary-scanners"] tr[data-scanner="semgrep"]').getByRole('link', { name: 'semgrep' }).click();
    await expect.poll(path).toBe('/catalog/component/default/payments/vulnerabilities?scanner=semgrep');
    const semgrep = await api<IssuePage>('/api/insights/entities/component/default/payments/issues?scanner=semgrep&sort=priority');
    await expect.poll(() => rowKeys('issues-table')).toEqual(semgrep.items.map((i) => String(i.id)));
  });

  it('says each check in a sentence, and "No data" for a scorecard whose checks all lack data', async () => {
    await open('/catalog/component/default/payments/scorecards');
    const baseline = page.locator('[data-testid="entity-scorecard"][data-scorecard="security-baseline"]');
    const message = baseline.locator('tr[data-check="no-critical"]').getByTestId('check-message');
    await message.waitFor();
    expect(await message.textContent()).toMatch(/^\d+ critical issues?; this check wants none\.$/);

    await open('/catalog/component/default/ledger/scorecards');
    const hygiene = page.locator('[data-testid="entity-scorecard"][data-scorecard="vulnerability-hygiene"]');
    await hygiene.getByTestId('entity-score').waitFor();
    expect(await hygiene.getByTestId('entity-score').textContent()).toBe('No data');
    expect(await hygiene.getByTestId('scorecard-summary').textContent()).toBe('No data: none of the 2 checks has a value for this entity, so it has no score.');
    expect(await hygiene.locator('tr[data-check="no-critical"]').getByTestId('check-message').textContent()).toBe(
      'No value for critical issues: the entity has no security data. The check counts as passed (whenNoData: pass).',
    );
    await screenshot(page, 'scorecard-no-data');
  });

  it('lists targets with their open issues and entities, sorted by any header', async () => {
    const targets = await api<Target[]>('/api/targets');
    await open('/targets');
    await expect.poll(() => rowKeys('targets-table')).toEqual(sortTargets(targets, 'name').map((t) => String(t.id)));
    const image = page.locator('[data-testid="targets-table"] tbody tr').filter({ hasText: 'registry.acme.io/payments' });
    expect(await image.getByRole('link', { name: 'payments', exact: true }).count()).toBe(1);

    await page.locator('[data-testid="targets-table"] thead').getByRole('button', { name: /Open issues/ }).click();
    await expect.poll(path).toBe('/targets?sort=-issues');
    const worstFirst = sortTargets(targets, '-issues');
    await expect.poll(() => rowKeys('targets-table')).toEqual(worstFirst.map((t) => String(t.id)));
    // The image, with criticals, comes first; targets never scanned come last.
    expect(worstFirst[0]?.name).toBe('registry.acme.io/payments');
    expect(await page.locator('[data-testid="targets-table"] thead th[aria-sort="descending"]').textContent()).toContain('Open issues');

    await page.locator('[data-testid="targets-table"] thead').getByRole('button', { name: /Target/ }).click();
    await expect.poll(path).toBe('/targets');
    await expect.poll(() => rowKeys('targets-table')).toEqual(sortTargets(targets, 'name').map((t) => String(t.id)));
  });

  it('shows the current section in the navigation of a 390 px phone, with no sideways scroll', async () => {
    const phone = await session.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const small = await phone.newPage();
    watch(small, session.errors);
    for (const [at, section] of [
      ['/targets', 'Targets & scans'],
      ['/dashboard', 'Security dashboard'],
      ['/scorecards', 'Scorecards'],
      ['/catalog/component/default/payments', 'Catalog'],
    ] as const) {
      await small.goto(`${base}${at}`);
      const current = small.getByRole('navigation', { name: 'Sections', exact: true }).locator('[aria-current="page"]');
      await current.waitFor();
      expect(await current.getAttribute('href'), at).toBe(at.startsWith('/catalog') ? '/catalog' : at);
      expect(await current.innerText(), at).toContain(section === 'Targets & scans' ? 'Targets' : section === 'Security dashboard' ? 'Dashboard' : section);
      // Its accessible name is the full one.
      expect(await small.getByRole('navigation', { name: 'Sections', exact: true }).getByRole('link', { name: section, exact: true }).count(), at).toBe(1);
      // Wholly inside the navigation bar and the screen.
      const link = await current.boundingBox();
      const bar = await small.getByRole('navigation', { name: 'Sections', exact: true }).boundingBox();
      expect(link && bar, at).toBeTruthy();
      if (link && bar) {
        expect(link.x, at).toBeGreaterThanOrEqual(bar.x - 0.5);
        expect(link.x + link.width, at).toBeLessThanOrEqual(Math.min(bar.x + bar.width, 390) + 0.5);
      }
      expect(await pageWidth(small), at).toBeLessThanOrEqual(390);
    }
    await screenshot(small, 'phone-nav');
    // The name of a target stays in view while its row scrolls sideways.
    await small.goto(`${base}/catalog/component/default/payments`);
    await small.locator('[data-testid="summary-targets"] tbody th[scope="row"]').first().waitFor();
    expect(await small.evaluate<string>(`getComputedStyle(document.querySelector('[data-testid="summary-targets"] tbody th[scope="row"]')).position`)).toBe('sticky');
    expect(await pageWidth(small)).toBeLessThanOrEqual(390);
    await phone.close();
    expect(session.errors).toEqual([]);
  });
});
