import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { grypeReport, semgrepReport, trivyReport, type CodeResult, type Vulnerability } from '../../test/support/reports.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';

/*
 * The estate: the catalog in testdata/catalog (registered under acme.payments) and these scans.
 * Expected numbers are worked out by hand from the reports below and DESIGN.md's rules.
 */
const v = (id: string, pkg: string, severity: Vulnerability['severity'], fixed?: string): Vulnerability => ({ id, pkg, version: '1.0.0', severity, ...(fixed ? { fixed } : {}) });
const lodash = v('CVE-2021-23337', 'lodash', 'HIGH', '4.17.21');
const minimist = v('CVE-2021-44906', 'minimist', 'CRITICAL');
const qs = v('CVE-2022-24999', 'qs', 'MEDIUM');
const openssl = v('CVE-2023-0286', 'openssl', 'CRITICAL', '3.0.8');
const zlib = v('CVE-2018-25032', 'zlib', 'LOW');
const webA = v('CVE-2024-0001', 'web-a', 'HIGH', '2.0.0');
const webB = v('CVE-2024-0002', 'web-b', 'MEDIUM');
const ledgerC = v('CVE-2024-0003', 'ledger-c', 'LOW');
const legacyD = v('CVE-2024-0004', 'legacy-d', 'UNKNOWN');
const sqli: CodeResult = { rule: 'java.sqli', path: 'src/main/java/Pay.java', line: 42, severity: 'ERROR', snippet: 'stmt.execute(sql + id)' };
const xss: CodeResult = { rule: 'js.xss', path: 'src/app.js', line: 7, severity: 'WARNING', snippet: 'el.innerHTML = input' };
const search: CodeResult = { rule: 'py.eval', path: 'search/index.py', line: 3, severity: 'INFO', snippet: 'eval(q)' };
const billing: CodeResult = { rule: 'go.cmd', path: 'cmd/main.go', line: 12, severity: 'ERROR', snippet: 'exec.Command(arg)' };

const D1 = '2026-11-10T08:00:00.000Z';
const D2 = '2026-11-12T08:00:00.000Z';
const D3 = '2026-11-14T08:00:00.000Z';

describeEachStore('insights over HTTP', (kind: StoreKind) => {
  let server: TestServer;

  const upload = async (target: string, scope: string, variant: string, report: string, extra: Record<string, string> = {}) => {
    const query = new URLSearchParams({ target, type: 'repository', variant, scope, ...extra });
    const response = await server.app.inject({ method: 'POST', url: `/api/scans?${query}`, payload: report, headers: { 'content-type': 'application/json' } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };
  const get = async (url: string, status = 200) => {
    const response = await server.app.inject({ method: 'GET', url });
    expect(response.statusCode, `${url}: ${response.body}`).toBe(status);
    return response.json();
  };
  const summary = (name: string) => get(`/api/insights/entities/component/default/${name}/summary`);

  beforeEach(async () => {
    server = await startTestServer(kind);
    await upload('acme/payments', 'acme.payments', 'main', trivyReport([lodash, minimist]), { scannedAt: D1 });
    await upload('acme/payments', 'acme.payments', 'main', semgrepReport([sqli]), { scannedAt: D1, commit: '4f2a9c1' });
    await upload('registry.acme.io/payments', 'account', '1.4.2', grypeReport([openssl, zlib]), { scannedAt: D1 });
    await upload('acme/payments-web', 'acme.web', 'main', trivyReport([webA]), { scannedAt: D1 });
    await upload('acme/payments-web', 'acme.web', 'develop', trivyReport([webA, webB]), { scannedAt: D2 });
    await upload('acme/ledger', 'acme.ledger', 'main', trivyReport([ledgerC]), { scannedAt: D1 });
    await upload('acme/legacy', 'acme.legacy', 'main', trivyReport([legacyD]), { scannedAt: D1 });
    await upload('acme/shop/checkout', 'acme.payments', 'main', semgrepReport([xss]), { scannedAt: D1 });
    await upload('acme/search', 'other.proj', 'main', trivyReport([qs]), { scannedAt: D1 });
    await upload('acme/search-index', 'acme.payments', 'main', semgrepReport([search]), { scannedAt: D1 });
    await upload('acme/clean', 'acme.payments', 'main', trivyReport([]), { scannedAt: D1 });
    await upload('acme/payments/billing', 'acme.payments', 'main', semgrepReport([billing]), { scannedAt: D1 });
    await server.lantern.catalog.register(join(import.meta.dirname, 'testdata/catalog/locations.yaml'), parseScope('acme.payments'));
    // After the catalog was read: a rescan of acme/payments fixes minimist and adds qs.
    await upload('acme/payments', 'acme.payments', 'main', trivyReport([lodash, qs]), { scannedAt: D2 });
  });
  afterEach(async () => {
    await server.close();
  });

  it('aggregates an entity over all its targets, each at the variant its link shows', async () => {
    const s = await summary('payments-api');
    // acme/payments: lodash high (fixable, common), qs medium (new), java.sqli high (first semgrep scan: new)
    // registry.acme.io/payments: openssl critical (fixable, new), zlib low (new)
    // acme/payments-web@develop: web-a high (fixable, common with main), web-b medium (new)
    // acme/ledger: ledger-c low (new); acme/legacy: legacy-d info (UNKNOWN, new)
    expect(s).toMatchObject({
      entityRef: 'component:default/payments-api',
      hasData: true,
      counts: { critical: 1, high: 3, medium: 2, low: 2, info: 1, total: 9 },
      // 100/9 each: 11.1, 33.3, 22.2, 22.2, 11.1; the point left over goes to the largest remainder (high).
      percentages: { critical: 11, high: 34, medium: 22, low: 22, info: 11 },
      fixable: 3,
      new: 7,
      exempted: 0,
      lastScanAt: D2,
      unmatchedLinks: 0,
      // fixable: lodash (high), openssl (critical), web-a (high); oldest open: first seen dates.
      breakdown: {
        fixable: { critical: 1, high: 2, medium: 0, low: 0, info: 0 },
        // Both mediums (qs, web-b) first appeared in D2 scans.
        oldestOpen: { critical: D1, high: D1, medium: D2, low: D1, info: D1 },
      },
    });
    expect(Object.values(s.percentages as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(100);
    expect(s.targets.map((t: Record<string, unknown>) => [t.name, t.scope, t.variant, t.variantReason, (t.counts as { total: number }).total, t.origins])).toEqual([
      // The repository URL names acme/payments too; the catalog keeps that link once, as the annotation's.
      ['acme/payments', 'acme.payments', 'main', 'conventional', 3, ['annotation']],
      ['registry.acme.io/payments', 'account', '1.4.2', 'most-recent', 2, ['annotation']],
      ['acme/payments-web', 'acme.web', 'develop', 'variant', 2, ['annotation']],
      ['acme/ledger', 'acme.ledger', 'main', 'conventional', 1, ['annotation']],
      ['acme/legacy', 'acme.legacy', 'main', 'conventional', 1, ['annotation']],
    ]);
    expect(s.targets[1].note).toBe('No baseline set; showing `1.4.2`.');
    expect(s.targets[0]).toMatchObject({ scanners: ['semgrep', 'trivy'], counts: { high: 2, medium: 1, total: 3 }, fixable: 1, new: 2, lastScanAt: D2 });
    expect(s.scanners).toEqual([
      { scanner: 'grype', counts: { critical: 1, high: 0, medium: 0, low: 1, info: 0, total: 2 }, lastScanAt: D1 },
      { scanner: 'semgrep', counts: { critical: 0, high: 1, medium: 0, low: 0, info: 0, total: 1 }, lastScanAt: D1 },
      { scanner: 'trivy', counts: { critical: 0, high: 2, medium: 2, low: 1, info: 1, total: 6 }, lastScanAt: D2 },
    ]);
    expect(s.links.map((l: Record<string, unknown>) => [l.name, l.scope, l.variant, l.origin, l.matched, l.variantShown])).toEqual([
      ['acme/payments', 'acme.payments', null, 'annotation', true, 'main'],
      ['registry.acme.io/payments', 'account', null, 'annotation', true, '1.4.2'],
      ['acme/payments-web', 'acme.web', 'develop', 'annotation', true, 'develop'],
      ['ACME/Ledger', 'acme.ledger', null, 'annotation', true, 'main'],
      ['acme/legacy', 'acme.legacy', null, 'annotation', true, 'main'],
    ]);
    expect(s.links[3].diagnostics).toEqual([
      { level: 'info', code: 'case-folded', message: 'The link names "ACME/Ledger" and the target is written "acme/ledger": they were matched ignoring case.' },
    ]);
  });

  it('keeps "no data" apart from zero issues', async () => {
    expect(await summary('no-links')).toMatchObject({ hasData: false, counts: { total: 0 }, targets: [], links: [], lastScanAt: null });
    expect(await summary('clean-service')).toMatchObject({ hasData: true, counts: { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 }, percentages: { critical: 0, info: 0 } });
    const rows = (await get('/api/insights/overview?kind=component&sort=name&limit=200')).items;
    const byName = Object.fromEntries(rows.map((r: { name: string }) => [r.name, r]));
    expect(byName['no-links']).toMatchObject({ hasData: false, counts: null, lastScanAt: null });
    expect(byName['clean-service']).toMatchObject({ hasData: true, counts: { total: 0 } });
  });

  it('says why each link that matches nothing does not', async () => {
    const s = await summary('typo-service');
    expect(s.hasData).toBe(false);
    expect(s.unmatchedLinks).toBe(3);
    expect(s.links.map((l: { matched: boolean; diagnostics: { code: string }[] }) => [l.matched, l.diagnostics.map((d) => d.code)])).toEqual([
      [false, ['similar-target']],
      [false, ['target-in-other-scope']],
      [false, ['variant-not-scanned']],
    ]);
    const messages = s.links.map((l: { diagnostics: { message: string }[] }) => l.diagnostics[0]?.message);
    expect(messages[0]).toContain('"acme/payments"');
    expect(messages[0]).toBe('No target named "acme/paymnets" exists in acme.payments; a target with a similar name does: "acme/payments" in acme.payments.');
    expect(messages[1]).toMatch(/acme\.payments/);
    expect(messages[2]).toBe('The variant "release-9" of target "acme/payments" was never scanned; scanned variants: "main".');
  });

  it('links the implicit repository target only in the entity’s own project', async () => {
    const s = await summary('search');
    const [index, repository] = s.links;
    expect(index).toMatchObject({ name: 'acme/search-index', origin: 'annotation', matched: true });
    expect(repository).toMatchObject({ name: 'acme/search', origin: 'source-url', scope: 'acme.payments', matched: false });
    expect(repository.diagnostics[0]).toMatchObject({ code: 'target-in-other-scope' });
    expect(repository.diagnostics[0].message).toContain('other.proj');
    expect(s.counts).toMatchObject({ low: 1, total: 1 });
  });

  it('shows a target ingested after the catalog was read at once, in the summary and the overview', async () => {
    const before = await summary('checkout');
    expect(before.links.map((l: { name: string; matched: boolean }) => [l.name, l.matched])).toEqual([
      ['acme/checkout-image', false],
      ['acme/shop/checkout', true],
    ]);
    expect(before.counts.total).toBe(1);
    await upload('acme/checkout-image', 'account', 'latest', trivyReport([openssl]), { scannedAt: D3 });
    const after = await summary('checkout');
    expect(after.links[0]).toMatchObject({ matched: true, variantShown: 'latest' });
    expect(after.counts).toMatchObject({ critical: 1, medium: 1, total: 2 });
    const row = (await get('/api/insights/overview?q=checkout')).items[0];
    expect(row).toMatchObject({ name: 'checkout', counts: { critical: 1, medium: 1, total: 2 }, lastScanAt: D3 });
  });

  it('links each occurrence to the exact source lines on GitHub, GitLab, Bitbucket and Harness Code', async () => {
    const sourceUrl = async (entity: string, rule: string) => {
      const issues = (await get(`/api/insights/entities/component/default/${entity}/issues?kind=code`)).items;
      const issue = issues.find((i: { ruleId: string }) => i.ruleId === rule);
      const detail = await get(`/api/insights/issues/${issue.id}?entity=component:default/${entity}`);
      return detail.occurrences[0].sourceUrl;
    };
    // The commit of the scan wins; without one, the scanned variant.
    expect(await sourceUrl('payments-api', 'java.sqli')).toBe('https://github.com/acme/payments/blob/4f2a9c1/src/main/java/Pay.java#L42');
    expect(await sourceUrl('checkout', 'js.xss')).toBe('https://gitlab.com/acme/shop/checkout/-/blob/main/src/app.js#L7');
    expect(await sourceUrl('search', 'py.eval')).toBe('https://bitbucket.org/acme/search/src/main/search/index.py#lines-3');
    expect(await sourceUrl('billing', 'go.cmd')).toBe('https://app.harness.io/ng/account/abc123/module/code/orgs/acme/projects/payments/repos/billing/files/main/~/cmd/main.go');
  });

  it('links a path to the repository only when the target is a repository or a configuration, not inside an image', async () => {
    const jar = JSON.stringify({
      SchemaVersion: 2,
      ArtifactName: 'acme/checkout',
      Results: [{ Target: 'Java', Class: 'lang-pkgs', Type: 'jar', Vulnerabilities: [{ VulnerabilityID: 'CVE-2021-44228', PkgName: 'org.apache.logging.log4j:log4j-core', PkgPath: 'app/payments-api.jar', InstalledVersion: '2.14.1', Severity: 'CRITICAL' }] }],
    });
    await upload('acme/checkout-image', 'account', 'latest', jar, { type: 'container', scannedAt: D3 });
    await upload('acme/shop/checkout', 'acme.payments', 'main', jar, { scannedAt: D3 });
    const occurrences = async (target: string) => {
      const issues = (await get('/api/insights/entities/component/default/checkout/issues?q=log4j')).items;
      const issue = issues.find((i: { targetName: string }) => i.targetName === target);
      return (await get(`/api/insights/issues/${issue.id}?entity=component:default/checkout`)).occurrences;
    };
    expect(await occurrences('acme/checkout-image')).toEqual([expect.objectContaining({ filePath: 'app/payments-api.jar', sourceUrl: null })]);
    expect(await occurrences('acme/shop/checkout')).toEqual([
      expect.objectContaining({ filePath: 'app/payments-api.jar', sourceUrl: 'https://gitlab.com/acme/shop/checkout/-/blob/main/app/payments-api.jar' }),
    ]);
  });

  it('links a path the scanner puts in the source tree (SARIF %SRCROOT%) whatever the target type', async () => {
    const log = JSON.stringify({
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'CodeQL', rules: [{ id: 'js/xss', shortDescription: { text: 'Cross-site scripting' } }] } },
          originalUriBaseIds: { '%SRCROOT%': { uri: 'file:///home/runner/work/checkout/checkout/' }, ROOTPATH: { uri: 'file:///' } },
          results: [
            { ruleId: 'js/xss', message: { text: 'In the source' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'web/app.js', uriBaseId: '%SRCROOT%' }, region: { startLine: 7, endLine: 9 } } }] },
            { ruleId: 'js/xss', message: { text: 'In the image' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'app/static/app.js', uriBaseId: 'ROOTPATH' }, region: { startLine: 3 } } }] },
          ],
        },
      ],
    });
    await upload('acme/checkout-image', 'account', 'latest', log, { type: 'container', scannedAt: D3, commit: '9e8d7c6' });
    const issues = (await get('/api/insights/entities/component/default/checkout/issues?kind=code')).items.filter((i: { targetName: string }) => i.targetName === 'acme/checkout-image');
    expect(issues).toHaveLength(2);
    const places = [];
    for (const issue of issues) {
      for (const o of (await get(`/api/insights/issues/${issue.id}?entity=component:default/checkout`)).occurrences) places.push([o.filePath, o.baseId, o.sourceUrl]);
    }
    expect(places.sort()).toEqual([
      ['app/static/app.js', null, null],
      ['web/app.js', '%SRCROOT%', 'https://gitlab.com/acme/shop/checkout/-/blob/9e8d7c6/web/app.js#L7-9'],
    ]);
  });

  it('lists with each target the entities whose links show it', async () => {
    const [payments] = (await get('/api/targets?name=acme/payments&scope=acme.payments')).filter((t: { name: string }) => t.name === 'acme/payments');
    expect(payments.entities).toEqual(['component:default/payments-api']);
    const [image] = await get('/api/targets?name=registry.acme.io/payments');
    expect(image.entities).toEqual(['component:default/payments-api']);
  });

  it('describes one issue with identifiers, scanners, first and last seen', async () => {
    const issues = (await get('/api/insights/entities/component/default/payments-api/issues?q=lodash')).items;
    const detail = await get(`/api/insights/issues/${issues[0].id}`);
    expect(detail).toMatchObject({
      title: 'CVE-2021-23337 in lodash',
      description: 'Description of CVE-2021-23337.',
      severity: 'high',
      fixedVersion: '4.17.21',
      package: 'lodash',
      targetName: 'acme/payments',
      targetScope: 'acme.payments',
      firstSeenAt: D1,
      lastSeenAt: D2,
      identifiers: [{ type: 'CVE', id: 'CVE-2021-23337', url: 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337' }],
      references: ['https://nvd.nist.gov/vuln/detail/CVE-2021-23337'],
      exemption: null,
    });
    expect(detail.scanners).toEqual([{ scanner: 'trivy', severity: 'high', scannerSeverity: 'HIGH', score: null, scanId: expect.any(Number), scannedAt: D2 }]);
    expect(detail.occurrences).toEqual([expect.objectContaining({ scanner: 'trivy', variant: 'main', component: 'package-lock.json', sourceUrl: null })]);
    expect((await get('/api/insights/issues/999999', 404)).error.message).toBe('No issue with id 999999.');
  });

  it('lists an entity’s issues with filters, sorting and cursor pages', async () => {
    const base = '/api/insights/entities/component/default/payments-api/issues';
    const all = await get(base);
    expect(all.total).toBe(9);
    expect(all.items.map((i: { severity: string }) => i.severity)).toEqual(['critical', 'high', 'high', 'high', 'medium', 'medium', 'low', 'low', 'info']);
    expect(all.facets).toEqual({
      scanners: ['grype', 'semgrep', 'trivy'],
      kinds: ['code', 'vulnerability'],
      targets: expect.arrayContaining([{ targetId: expect.any(Number), name: 'acme/legacy' }]),
    });
    expect((await get(`${base}?severity=critical,high`)).total).toBe(4);
    expect((await get(`${base}?scanner=grype`)).items.map((i: { package: string }) => i.package)).toEqual(['openssl', 'zlib']);
    expect((await get(`${base}?kind=code`)).items.map((i: { ruleId: string; location: unknown }) => [i.ruleId, i.location])).toEqual([
      ['java.sqli', { filePath: 'src/main/java/Pay.java', startLine: 42, endLine: 42 }],
    ]);
    expect((await get(`${base}?status=new`)).total).toBe(7);
    expect((await get(`${base}?status=common`)).items.map((i: { package: string }) => i.package).sort()).toEqual(['lodash', 'web-a']);
    expect((await get(`${base}?q=PAY.JAVA`)).items.map((i: { ruleId: string }) => i.ruleId)).toEqual(['java.sqli']);
    const target = all.items.find((i: { targetName: string }) => i.targetName === 'acme/payments-web').targetId;
    expect((await get(`${base}?target=${target}`)).items.map((i: { package: string; variant: string }) => [i.package, i.variant])).toEqual([
      ['web-a', 'develop'],
      ['web-b', 'develop'],
    ]);
    expect((await get(`${base}?sort=package&limit=3`)).items.map((i: { package: string | null }) => i.package)).toEqual([null, 'ledger-c', 'legacy-d']);

    const pages: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { items: { id: number }[]; total: number; nextCursor: string | null } = await get(`${base}?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.total).toBe(9);
      pages.push(page.items.map((i) => i.id).join(','));
      cursor = page.nextCursor;
    }
    expect(pages.join(',')).toBe(all.items.map((i: { id: number }) => i.id).join(','));
    expect(pages).toHaveLength(3);
    expect((await get(`${base}?severity=severe`, 400)).error.message).toBe('Invalid severity "severe": expected critical, high, medium, low, info.');
    expect((await get(`${base}?sort=size`, 400)).error.message).toMatch(/^Invalid sort "size"/);
    expect((await get(`${base}?cursor=garbage`, 400)).error.message).toMatch(/^Invalid cursor/);
    expect((await get('/api/insights/entities/component/default/nope/issues', 404)).error.message).toBe('No entity component:default/nope in the catalog.');
  });

  it('takes approved exemptions out of the counts, and only those', async () => {
    const base = '/api/insights/entities/component/default/payments-api';
    const lodashIssue = (await get(`${base}/issues?q=lodash`)).items[0];
    // Who asks and who decides come from the caller's identity; a name in the body is ignored.
    const dana = (await server.lantern.createToken({ name: 'dana', role: 'developer', scope: 'acme' })).token;
    const lead = (await server.lantern.createToken({ name: 'sec-lead', role: 'security', scope: 'account' })).token;
    const post = (url: string, payload: unknown, status = 200, token?: string) =>
      server.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, headers: token ? { authorization: `Bearer ${token}` } : {} }).then((r) => {
        expect(r.statusCode, r.body).toBe(status);
        return r.json();
      });
    const requested = await post('/api/exemptions', { issueId: lodashIssue.id, reason: 'accepted_risk', comment: 'Not reachable from our code.', requestedBy: 'mallory' }, 201, dana);
    expect(requested).toMatchObject({ status: 'pending', level: 'target', issueId: lodashIssue.id, requestedBy: 'dana', requestedById: expect.stringMatching(/^token:\d+$/) });
    expect((await get(`${base}/summary`)).counts.high).toBe(3);

    await post(`/api/exemptions/${requested.id}/approve`, { by: 'mallory' }, 200, lead);
    const after = await get(`${base}/summary`);
    expect(after).toMatchObject({ counts: { high: 2, total: 8 }, exempted: 1, fixable: 2 });
    expect((await get(`${base}/issues?status=exempted`)).items.map((i: { package: string; exempted: boolean }) => [i.package, i.exempted])).toEqual([['lodash', true]]);
    // An exempted row says which exemption covers it, why, and until when; an active one says none.
    expect((await get(`${base}/issues?status=exempted`)).items[0].exemption).toEqual({ id: requested.id, reason: 'accepted_risk', level: 'target', expiresAt: requested.expiresAt });
    expect((await get(`${base}/issues`)).items.every((i: { exemption: unknown }) => i.exemption === null)).toBe(true);
    expect((await get(`/api/insights/issues/${lodashIssue.id}`)).exemption).toMatchObject({ status: 'approved', decidedBy: 'sec-lead' });
    expect((await get('/api/insights/overview?q=payments-api')).items[0]).toMatchObject({ counts: { high: 2 }, exempted: 1 });
    expect((await post(`/api/exemptions/${requested.id}/reject`, {}, 409)).error.message).toBe('Exemption ' + requested.id + ' is approved, not pending: it cannot be rejected again.');

    // A project-level exemption of a vulnerability id covers it in every target of that project only.
    const project = await post('/api/exemptions', { level: 'project', scope: 'acme.web', key: webB.id, reason: 'false_positive', comment: 'Vendored copy, patched.' }, 201);
    await post(`/api/exemptions/${project.id}/approve`, {});
    expect((await get(`${base}/summary`)).counts).toMatchObject({ medium: 1, total: 7 });

    await server.app.inject({ method: 'DELETE', url: `/api/exemptions/${requested.id}`, headers: { authorization: `Bearer ${lead}` } });
    expect((await get(`${base}/summary`)).counts).toMatchObject({ high: 3, total: 8 });
    expect(await get('/api/exemptions?status=approved')).toHaveLength(1);
    expect((await post('/api/exemptions', { issueId: lodashIssue.id, reason: 'because', comment: 'x' }, 400)).error.message).toMatch(/^Invalid exemption reason "because"/);
    expect((await post('/api/exemptions', { issueId: lodashIssue.id, reason: 'other', comment: 'x', expiresAt: '2001-01-01' }, 400)).error.message).toMatch(/^Invalid expiresAt/);
  });

  it('counts issues again once their exemption expires', async () => {
    const base = '/api/insights/entities/component/default/payments-api';
    const issue = (await get(`${base}/issues?q=lodash`)).items[0];
    const expiresAt = new Date(Date.now() + 60 * 60 * 1000).toISOString();
    const created = await server.app.inject({ method: 'POST', url: '/api/exemptions', payload: { issueId: issue.id, reason: 'accepted_risk', comment: 'For one hour.', expiresAt } });
    await server.app.inject({ method: 'POST', url: `/api/exemptions/${created.json().id}/approve`, payload: {} });
    expect((await get('/api/insights/overview?q=payments-api')).items[0].counts.high).toBe(2);
    // Two hours later the sweep finds it expired and the stored summary counts the issue again.
    const later = new Date(Date.now() + 2 * 60 * 60 * 1000).toISOString();
    expect(await server.lantern.sweepExpiredExemptions(later)).toBe(1);
    expect((await get('/api/insights/overview?q=payments-api')).items[0]).toMatchObject({ counts: { high: 3 }, exempted: 0 });
    expect(await server.lantern.sweepExpiredExemptions(new Date(Date.now() + 3 * 60 * 60 * 1000).toISOString())).toBe(0);
  });

  it('ranks the catalog, filters it, and rolls up per owner, system and domain', async () => {
    const overview = await get('/api/insights/overview');
    expect(overview.items.slice(0, 3).map((r: { name: string }) => r.name)).toEqual(['payments-api', 'billing', 'checkout']);
    expect(overview.items.at(-1)).toMatchObject({ hasData: false });
    // 12 entities (the Location too), 5 of them with data.
    expect(overview.total).toBe(12);
    expect(overview.totals).toMatchObject({ entities: 12, withData: 5 });
    expect((await get('/api/insights/overview?owner=team-shop&sort=name')).items.map((r: { name: string }) => r.name)).toEqual(['checkout', 'clean-service', 'search']);
    expect((await get('/api/insights/overview?tag=PCI')).items.map((r: { name: string }) => r.name)).toEqual(['payments-api']);
    expect((await get('/api/insights/overview?hasData=false&kind=component&sort=name')).items.map((r: { name: string }) => r.name)).toEqual(['no-links', 'typo-service']);
    expect((await get('/api/insights/overview?sort=-total&limit=1')).items[0].name).toBe('payments-api');

    const system = overview.bySystem.find((r: { system: string }) => r.system === 'system:default/payments');
    // payments-api (9) + checkout (1) + billing (1): the system's parts.
    expect(system).toMatchObject({ entities: 3, withData: 3, counts: { critical: 1, high: 4, medium: 3, total: 11 } });
    // The domain holds the system itself and the system's three parts.
    expect(overview.byDomain).toEqual([expect.objectContaining({ domain: 'domain:default/money', entities: 4, withData: 3, counts: expect.objectContaining({ total: 11 }) })]);
    const shop = overview.byOwner.find((r: { owner: string }) => r.owner === 'group:default/team-shop');
    expect(shop).toMatchObject({ entities: 3, withData: 3, counts: { medium: 1, low: 1, total: 2 } });
    expect((await get('/api/insights/overview?sort=size', 400)).error.message).toMatch(/^Invalid sort "size"/);
  });

  it('draws the trend of open issues per day from the scan dates', async () => {
    const { points } = await get('/api/insights/trend?days=10&entity=component:default/payments-api');
    const byDate = Object.fromEntries(points.map((p: { date: string; total: number }) => [p.date, p.total]));
    expect(points).toHaveLength(10);
    expect(byDate['2026-11-09']).toBeUndefined();
    const day = (iso: string) => iso.slice(0, 10);
    const today = new Date().toISOString().slice(0, 10);
    if (today >= day(D2) && Object.keys(byDate).includes(day(D2))) {
      expect(byDate[day(D2)]).toBe(9);
      expect(byDate[today]).toBe(9);
    }
    const catalog = await get('/api/insights/trend?days=3');
    expect(catalog.points.at(-1).total).toBe((await get('/api/insights/overview')).totals.counts.total);
  });

  it('lands 8 concurrent uploads to one target, with the counts of uploading them one by one', async () => {
    const reports = Array.from({ length: 8 }, (_, i) => trivyReport([lodash, v(`CVE-2026-${1000 + i}`, `pkg${i}`, i % 2 ? 'HIGH' : 'LOW')]));
    const concurrent = await Promise.all(reports.map((r, i) => upload('acme/burst', 'acme.payments', `v${i}`, r)));
    for (const [i, r] of reports.entries()) await upload('acme/sequential', 'acme.payments', `v${i}`, r);
    expect(new Set(concurrent.map((r: { scanId: number }) => r.scanId)).size).toBe(8);
    const countsOf = async (name: string) => {
      const [target] = await get(`/api/targets?name=${encodeURIComponent(name)}`);
      const scans = await get(`/api/targets/${target.id}/scans`);
      return scans.map((s: { variant: string; counts: unknown }) => [s.variant, s.counts]).sort();
    };
    expect(await countsOf('acme/burst')).toEqual(await countsOf('acme/sequential'));
  });
});
