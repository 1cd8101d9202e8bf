import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { lantern } from '../../test/support/cli.js';
import { grypeReport, trivyReport } from '../../test/support/reports.js';
import { rowCounts } from '../../test/support/row-counts.js';
import { describeEachStore, openTestStore, POSTGRES_URL, type StoreKind } from '../../test/support/stores.js';
import type { Store } from '../store/database.js';

const lodash = { id: 'CVE-2021-23337', pkg: 'lodash', version: '4.17.20', severity: 'HIGH', fixed: '4.17.21' } as const;
const qs = { id: 'CVE-2022-24999', pkg: 'qs', version: '6.5.2', severity: 'MEDIUM' } as const;

describeEachStore('lantern CLI', (kind: StoreKind) => {
  let dir: string;
  let db: string;
  let store: Store | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-cli-'));
    if (kind === 'sqlite') {
      db = join(dir, 'cli.db');
    } else {
      // The CLI takes a URL; give it a schema of its own through the search_path option.
      store = await openTestStore('postgres');
      const schema = (await store.db.selectNoFrom((eb) => eb.fn<string>('current_schema', []).as('s')).executeTakeFirstOrThrow()).s;
      db = `${POSTGRES_URL}${POSTGRES_URL?.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    }
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const ingest = (path: string, ...extra: string[]) =>
    lantern(['ingest', path, '--target', 'acme/payments', '--type', 'repository', '--variant', 'main', '--db', db, ...extra]);

  it('ingests a report and prints the documented JSON', async () => {
    const result = await ingest(file('trivy.json', trivyReport([lodash, qs])), '--json', '--commit', 'abc');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      scanId: expect.any(Number),
      target: 'acme/payments',
      variant: 'main',
      scanner: 'trivy',
      format: 'trivy',
      counts: { critical: 0, high: 1, medium: 1, low: 0, info: 0, total: 2 },
      new: 2,
      common: 0,
      remediated: 0,
    });
  });

  it('prints a readable summary, then lists targets, scans and issues', async () => {
    const first = await ingest(file('a.json', trivyReport([lodash, qs])));
    expect(first.stdout).toMatch(/^Ingested .*a\.json \(trivy, scanner trivy\) into acme\/payments@main \[default\.default\] as scan \d+\.\n  issues: critical 0  high 1  medium 1  low 0  info 0  total 2\n/);
    await ingest(file('b.json', grypeReport([lodash])));

    const targets = await lantern(['targets', '--db', db]);
    expect(targets.stdout).toMatch(/SCOPE\s+TARGET\s+TYPE\s+BASELINE\s+VARIANTS\s+SCANS\s+LAST SCAN\s*\ndefault\.default\s+acme\/payments\s+repository\s+-\s+1\s+2\s/);

    const scans = JSON.parse((await lantern(['scans', '--target', 'acme/payments', '--json', '--db', db])).stdout);
    expect(scans.map((s: { scanner: string; counts: { total: number } }) => [s.scanner, s.counts.total])).toEqual([['grype', 1], ['trivy', 2]]);

    const issues = JSON.parse((await lantern(['issues', '--target', 'ACME/payments', '--json', '--db', db])).stdout);
    expect(issues).toEqual([
      expect.objectContaining({ kind: 'vulnerability', severity: 'high', vulnerabilityId: 'CVE-2021-23337', package: 'lodash', installedVersion: '4.17.20', fixedVersion: '4.17.21', scanners: ['grype', 'trivy'], occurrences: 2, fingerprint: expect.stringMatching(/^[0-9a-f]{40}$/) }),
      expect.objectContaining({ severity: 'medium', vulnerabilityId: 'CVE-2022-24999', scanners: ['trivy'], occurrences: 1 }),
    ]);
    const medium = JSON.parse((await lantern(['issues', '--target', 'acme/payments', '--severity', 'medium', '--json', '--db', db])).stdout);
    expect(medium.map((i: { vulnerabilityId: string }) => i.vulnerabilityId)).toEqual(['CVE-2022-24999']);
    const table = await lantern(['issues', '--target', 'acme/payments', '--db', db]);
    expect(table.stdout).toMatch(/^SEVERITY\s+ID\s+TITLE\s+WHERE\s+INSTALLED\s+FIXED IN\s+KEV\s+EPSS\s+SCANNERS\s+PLACES\nhigh \(new\)\s+CVE-2021-23337\s+CVE-2021-23337 in lodash\s+lodash\s/);
    expect(table.stdout).toContain('2 issues in acme/payments@main: critical 0  high 1  medium 1  low 0  info 0\n');
  });

  it('sets a baseline by variant or regex and reads the baseline by default', async () => {
    await ingest(file('a.json', trivyReport([lodash])), '--variant', 'v1.0.0');
    await ingest(file('b.json', trivyReport([lodash, qs])), '--variant', 'feature');
    const byRegex = await lantern(['targets', 'baseline', 'acme/payments', '--regex', '^v\\d+\\.\\d+\\.\\d+$', '--db', db]);
    expect(byRegex.stderr).toBe('');
    expect(byRegex).toMatchObject({ code: 0, stdout: 'Baseline of acme/payments [default.default] is now the newest variant matching /^v\\d+\\.\\d+\\.\\d+$/.\n' });
    const issues = JSON.parse((await lantern(['issues', '--target', 'acme/payments', '--json', '--db', db])).stdout);
    expect(issues).toHaveLength(1);
    await lantern(['targets', 'baseline', 'acme/payments', '--variant', 'feature', '--db', db]);
    expect(JSON.parse((await lantern(['issues', '--target', 'acme/payments', '--json', '--db', db])).stdout)).toHaveLength(2);
    const both = await lantern(['targets', 'baseline', 'acme/payments', '--variant', 'x', '--regex', 'y', '--db', db]);
    expect(both).toMatchObject({ code: 2, stderr: 'lantern: Give exactly one of --variant NAME or --regex PATTERN.\n' });
    const badRegex = await lantern(['targets', 'baseline', 'acme/payments', '--regex', '(', '--db', db]);
    expect(badRegex).toMatchObject({ code: 2, stderr: 'lantern: Invalid --regex "(": error parsing regexp: missing closing ): `(`. Baseline patterns use RE2 syntax (no look-around or back-references), e.g. ^v\\d+\\.\\d+\\.\\d+$.\n' });
    const backReference = await lantern(['targets', 'baseline', 'acme/payments', '--regex', '(a)\\1', '--db', db]);
    expect(backReference).toMatchObject({ code: 2, stderr: expect.stringMatching(/^lantern: Invalid --regex "\(a\)\\\\1": error parsing regexp: invalid escape sequence/) });
  });

  it('refuses a baseline variant never scanned, naming the scanned ones, unless --allow-unscanned', async () => {
    await ingest(file('a.json', trivyReport([lodash])), '--variant', 'main');
    await ingest(file('b.json', trivyReport([lodash])), '--variant', 'v1.0.0');
    const refused = await lantern(['targets', 'baseline', 'acme/payments', '--variant', 'nope', '--db', db]);
    expect(refused).toEqual({
      code: 2,
      stdout: '',
      stderr: 'lantern: Target "acme/payments" was never scanned as variant "nope"; its scanned variants are: main, v1.0.0. Give one of those, or allow a variant not scanned yet (--allow-unscanned, or "allowUnscanned": true in the API).\n',
    });
    expect(JSON.parse((await lantern(['targets', '--json', '--db', db])).stdout)[0].baselineVariant).toBeNull();
    const allowed = await lantern(['targets', 'baseline', 'acme/payments', '--variant', 'v2.0.0', '--allow-unscanned', '--db', db]);
    expect(allowed).toMatchObject({ code: 0, stdout: 'Baseline of acme/payments [default.default] is now variant v2.0.0.\n' });
    expect(JSON.parse((await lantern(['targets', '--json', '--db', db])).stdout)[0].baselineVariant).toBe('v2.0.0');
  });

  it('names the scopes where a target exists, and names that look like a misspelt one', async () => {
    await ingest(file('a.json', trivyReport([lodash])), '--scope', 'acme.pay');
    expect(await lantern(['issues', '--target', 'acme/payments', '--db', db])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'lantern: No target named "acme/payments" exists in default.default, but one does in acme.pay.\n',
    });
    expect(await lantern(['scans', '--target', 'acme/payment', '--scope', 'acme.pay', '--db', db])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'lantern: No target named "acme/payment" exists in acme.pay; a target with a similar name does: "acme/payments" in acme.pay.\n',
    });
  });

  it('refuses --type that differs from the existing target type, naming it, and writes nothing', async () => {
    await ingest(file('a.json', trivyReport([lodash])));
    const mismatch = await lantern(['ingest', file('b.json', trivyReport([qs])), '--target', 'acme/payments', '--type', 'container', '--variant', 'main', '--db', db]);
    expect(mismatch).toEqual({
      code: 2,
      stdout: '',
      stderr: 'lantern: Target "acme/payments" in default.default is a repository target, not a container one: give the type repository, or another target name for the container.\n',
    });
    expect(JSON.parse((await lantern(['scans', '--target', 'acme/payments', '--json', '--db', db])).stdout)).toHaveLength(1);
  });

  it('answers a missing target or variant with exit 2 and one line', async () => {
    await ingest(file('a.json', trivyReport([lodash])));
    expect(await lantern(['issues', '--target', 'nope', '--db', db])).toMatchObject({
      code: 2,
      stderr: 'lantern: No target named "nope" exists in default.default, and none has a similar name: no scan of it has been ingested yet.\n',
    });
    expect(await lantern(['issues', '--target', 'acme/payments', '--variant', 'dev', '--db', db])).toMatchObject({
      code: 2,
      stderr: 'lantern: Target "acme/payments" has no variant named "dev"; its variants are: main.\n',
    });
  });

  it.each([
    ['truncated JSON', 'truncated.json', '{"SchemaVersion": 2, "Results": [', [], /^lantern: .*truncated\.json: not valid JSON \(.*\); expected a JSON report from one of: trivy, sarif/],
    ['a 0-byte file', 'empty.json', '', [], /^lantern: .*empty\.json: the file is empty \(0 bytes\)/],
    ['the text null', 'null.json', 'null', [], /^lantern: .*null\.json: the report is the JSON value null/],
    ['{}', 'object.json', '{}', [], /^lantern: .*object\.json: the report is an empty JSON object/],
    ['a Trivy report with --format sarif', 'trivy.json', trivyReport([lodash]), ['--format', 'sarif'], /^lantern: .*trivy\.json: does not look like SARIF 2\.1\.0: it looks like Trivy JSON; use --format trivy/],
    ['JSON nested 100 000 levels deep', 'deep.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, [], /^lantern: .*deep\.json: the JSON is nested more than 64 levels deep/],
    ['a file larger than --max-report-mb', 'big.json', trivyReport([lodash, qs]), ['--max-report-mb', '0.0001'], /^lantern: .*big\.json: the report is 0\.0 MB, larger than the limit of 0\.0 MB \(--max-report-mb\)\./],
    ['a file that does not exist', null, '', [], /^lantern: .*missing\.json: no such file\./],
    ['an unknown format', 'trivy.json', trivyReport([lodash]), ['--format', 'nessus'], /^lantern: Unknown report format "nessus": expected one of trivy, sarif, snyk, grype, aqua, osv, semgrep, gitleaks, checkov, generic\./],
    ['an invalid scope', 'trivy.json', trivyReport([lodash]), ['--scope', 'a.b.c'], /^lantern: Invalid --scope "a\.b\.c": expected `account`, `ORG\.PROJECT`/],
    ['an invalid target type', 'trivy.json', trivyReport([lodash]), ['--type', 'vm'], /^lantern: Invalid --type "vm": expected one of repository, container, instance, configuration\./],
  ])('rejects %s: exit 2, one line naming the problem, the store unchanged', async (_what, name, content, extra, message) => {
    await ingest(file('seed.json', trivyReport([lodash])));
    const counts = async () => {
      const s = kind === 'sqlite' ? await openTestStoreAt(db) : (store as Store);
      try {
        return await rowCounts(s);
      } finally {
        if (kind === 'sqlite') await s.close();
      }
    };
    const before = await counts();
    const path = name === null ? join(dir, 'missing.json') : file(name, content);
    const result = await ingest(path, ...extra);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(await counts()).toEqual(before);
  });
});

async function openTestStoreAt(path: string): Promise<Store> {
  const { openStore } = await import('../store/database.js');
  return openStore(path);
}

it('refuses read-only commands on a SQLite file that does not exist, without creating it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lantern-cli-missing-'));
  try {
    const db = join(dir, 'typo.db');
    const refusal = { code: 2, stdout: '', stderr: `lantern: No database at ${db}: give --db (or LANTERN_DATABASE_URL) naming an existing one; \`lantern ingest\` creates one with its first report.\n` };
    for (const args of [['targets'], ['issues', '--target', 'acme/payments'], ['scans', '--target', 'acme/payments'], ['catalog', 'list']]) {
      expect(await lantern([...args, '--db', db])).toEqual(refusal);
    }
    expect(await lantern(['targets'], { LANTERN_DATABASE_URL: db })).toEqual(refusal);
    expect(existsSync(db)).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('rejects unknown options and missing arguments with exit 2', async () => {
  const unknown = await lantern(['targets', '--colour']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/^error: unknown option '--colour'/);
  const missing = await lantern(['ingest', 'x.json']);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toBe('error: missing required options --target <name>, --type <type>, --variant <name>\n(run with --help for usage)\n');
});

it('lists the supported formats with the commands that write them', async () => {
  const result = await lantern(['formats', '--json']);
  const formats = JSON.parse(result.stdout) as { name: string; producedBy: string }[];
  expect(formats.map((f) => f.name)).toEqual(['trivy', 'sarif', 'snyk', 'grype', 'aqua', 'osv', 'semgrep', 'gitleaks', 'checkov', 'generic']);
  for (const f of formats) expect(f.producedBy.length).toBeGreaterThan(5);
});

it('prints the package version with --version and -V', async () => {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  expect(await lantern(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  expect(await lantern(['-V'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
});
