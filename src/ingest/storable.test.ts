import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytes, trivyReport } from '../../test/support/reports.js';
import { rowCounts } from '../../test/support/row-counts.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import type { Finding } from '../domain/finding.js';
import { DEFAULT_PROJECT_SCOPE } from '../domain/scope.js';
import type { Store } from '../store/database.js';
import type { IssueDetails } from '../store/issues.js';
import { type IngestRequest, ingestReport } from './ingest.js';
import { FIELD_LIMIT, NUL_NOTE, SURROGATE_NOTE, storableFinding } from './storable.js';

const request = (report: string, over: Partial<IngestRequest> = {}): IngestRequest => ({
  report: bytes(report),
  source: 'report.json',
  target: 'acme/app',
  targetType: 'repository',
  variant: 'main',
  scope: DEFAULT_PROJECT_SCOPE,
  ...over,
});

const SECRET = 'AKIAZ7EXAMPLESECRETKEY42';

/** A Gitleaks 8 leak whose secret is repeated where Gitleaks copies text from the repository. */
const gitleaksReport = JSON.stringify([
  {
    RuleID: 'aws-access-token',
    Description: `AWS key ${SECRET} found`,
    Secret: SECRET,
    Match: `key = ${SECRET}`,
    Line: `aws_key = "${SECRET}"`,
    File: 'config/prod.env',
    StartLine: 3,
    EndLine: 3,
    Commit: 'abc123',
    Author: 'dev',
    Email: 'dev@acme.io',
    Message: `add ${SECRET}`,
    Link: `https://git.acme.io/blob/abc123/config/prod.env?q=${SECRET}`,
    Tags: ['aws', `key:${SECRET}`],
    Fingerprint: `abc123:config/prod.env:aws-access-token:3:${SECRET}`,
  },
]);

describeEachStore('what reaches the database', (kind: StoreKind) => {
  let store: Store;
  beforeEach(async () => {
    store = await openTestStore(kind);
  });
  afterEach(async () => {
    await store.close();
  });

  /** Every row of every table that holds report text, as one string. */
  async function storedText(): Promise<string> {
    const tables = ['targets', 'variants', 'scans', 'issues', 'scan_issues', 'occurrences'] as const;
    const rows = await Promise.all(tables.map((table) => store.db.selectFrom(table).selectAll().execute()));
    return JSON.stringify(rows);
  }

  async function issueDetails(): Promise<IssueDetails[]> {
    const rows = await store.db.selectFrom('issues').select('details').orderBy('id').execute();
    return rows.map((row) => JSON.parse(row.details) as IssueDetails);
  }

  it('refuses a report with a field of the wrong type, naming it, and writes nothing', async () => {
    await ingestReport(store, request(trivyReport([{ id: 'CVE-2021-1', pkg: 'a', version: '1', severity: 'LOW' }])));
    const before = await rowCounts(store);
    const report = JSON.stringify({ SchemaVersion: 2, ArtifactName: '.', Results: [{ Target: 'main.tf', Misconfigurations: { ID: 'AVD-AWS-0089' } }] });
    await expect(ingestReport(store, request(report, { target: 'other' }))).rejects.toThrow(
      'report.json: Invalid Trivy report: Results[0].Misconfigurations is an object; expected a list.',
    );
    expect(await rowCounts(store)).toEqual(before);
  });

  it('stores a Gitleaks secret nowhere in clear, though the report repeats it in tags, description and details', async () => {
    await ingestReport(store, request(gitleaksReport));
    const stored = await storedText();
    expect(stored).toContain('AKIA****');
    expect(stored).not.toContain(SECRET);
    // The raw bytes too: a value overwritten in place may survive in the file or its write-ahead log.
    if (kind === 'sqlite') {
      const file = store.description.replace(/^sqlite:/, '');
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(store.db);
      for (const suffix of ['', '-wal']) {
        let raw = '';
        try {
          raw = readFileSync(file + suffix).toString('latin1');
        } catch {
          continue;
        }
        expect(raw.includes(SECRET), `${file}${suffix}`).toBe(false);
      }
    }
    expect((await issueDetails())[0]?.tags).toEqual(['aws', 'key:AKIA****']);
  });

  it('removes NUL characters from title, file path and package name, and says so on the issue', async () => {
    const report = JSON.stringify({
      SchemaVersion: 2,
      ArtifactName: 'img\u0000',
      Results: [
        {
          Target: 'app/\u0000package-lock.json',
          Type: 'npm',
          Vulnerabilities: [
            { VulnerabilityID: 'CVE-2024-1', PkgName: 'left\u0000pad', PkgPath: 'node_modules/left\u0000pad/package.json', InstalledVersion: '1.0.0', Severity: 'HIGH', Title: 'bad\u0000title' },
          ],
        },
      ],
    });
    const result = await ingestReport(store, request(report));
    expect(result.counts.total).toBe(1);
    const issue = await store.db.selectFrom('issues').selectAll().executeTakeFirstOrThrow();
    expect({ title: issue.title, package: issue.package }).toEqual({ title: 'badtitle', package: 'leftpad' });
    const occurrence = await store.db.selectFrom('occurrences').selectAll().executeTakeFirstOrThrow();
    expect(occurrence.file_path).toBe('node_modules/leftpad/package.json');
    expect(occurrence.place).toContain('app/package-lock.json');
    expect((await issueDetails())[0]?.notes).toEqual([NUL_NOTE]);
    expect(await storedText()).not.toContain('\\u0000');
  });

  it('stores an unpaired surrogate as one U+FFFD on either store, and says so on the issue', async () => {
    // Written as JSON escapes, as a scanner's report carries them; JSON.parse gives lone surrogates.
    const report = JSON.stringify({
      SchemaVersion: 2,
      ArtifactName: 'img',
      Results: [
        {
          Target: 'package-lock.json',
          Type: 'npm',
          Vulnerabilities: [{ VulnerabilityID: 'CVE-2024-1', PkgName: 'pad', InstalledVersion: '1.0.0', Severity: 'HIGH', Title: 'SURROGATE', Description: 'a\u{1F525}b' }],
        },
      ],
    })
      .replace('SURROGATE', 'bad\\ud800title')
      .replace('a\u{1F525}b', 'a\\udfffb \u{1F525}');
    await ingestReport(store, request(report));
    const issue = await store.db.selectFrom('issues').select(['title', 'description']).executeTakeFirstOrThrow();
    expect(issue).toEqual({ title: 'bad\ufffdtitle', description: 'a\ufffdb \u{1F525}' });
    expect((await issueDetails())[0]?.notes).toEqual([SURROGATE_NOTE]);
  });

  it('cuts a description over 64 KB to 64 KB and notes the field and its size', async () => {
    const report = JSON.parse(trivyReport([{ id: 'CVE-2024-2', pkg: 'big', version: '1', severity: 'LOW' }])) as { Results: { Vulnerabilities: { Description: string }[] }[] };
    const vulnerability = report.Results[0]?.Vulnerabilities[0];
    if (!vulnerability) throw new Error('no vulnerability in the test report');
    vulnerability.Description = 'é'.repeat(50_000); // 100 000 bytes in UTF-8
    await ingestReport(store, request(JSON.stringify(report)));
    const issue = await store.db.selectFrom('issues').select(['description', 'details']).executeTakeFirstOrThrow();
    expect(Buffer.byteLength(issue.description ?? '', 'utf8')).toBe(FIELD_LIMIT);
    expect(issue.description).toBe('é'.repeat(FIELD_LIMIT / 2));
    expect((JSON.parse(issue.details) as IssueDetails).notes).toEqual(['The description was cut to 64 KB; it was 97.7 KB (100000 bytes).']);
  });
});

describe('storableFinding', () => {
  const finding: Finding = { kind: 'code', fingerprint: 'f', severity: 'low', title: 't', occurrence: { filePath: 'a.py' } };

  it('returns a finding it need not change as it is', () => {
    expect(storableFinding(finding)).toBe(finding);
  });

  it('cuts a long message and snippet, noting each, and cuts no character in half', () => {
    const snippet = `${'x'.repeat(FIELD_LIMIT - 1)}€ and more`;
    const message = 'm'.repeat(FIELD_LIMIT + 1);
    const stored = storableFinding({ ...finding, occurrence: { ...finding.occurrence, snippet, details: { message, rule: 'r' } } });
    expect(stored.occurrence.snippet).toBe('x'.repeat(FIELD_LIMIT - 1));
    expect(stored.occurrence.details).toEqual({ message: 'm'.repeat(FIELD_LIMIT), rule: 'r' });
    expect(stored.notes).toEqual([
      'The snippet was cut to 64 KB; it was 64.0 KB (65547 bytes).',
      'The message was cut to 64 KB; it was 64.0 KB (65537 bytes).',
    ]);
  });

  it('pairs surrogates in detail keys and tags too, noting NULs and surrogates once each', () => {
    const stored = storableFinding({ ...finding, tags: ['a\ud800', 'b\u0000'], occurrence: { details: { 'k\udc00': 'v\u0000\ud83d' } } });
    expect(stored).toEqual({ ...finding, tags: ['a\ufffd', 'b'], notes: [NUL_NOTE, SURROGATE_NOTE], occurrence: { details: { 'k\ufffd': 'v\ufffd' } } });
  });

  it('removes NUL characters from detail keys and lists too', () => {
    const stored = storableFinding({ ...finding, tags: ['a\u0000b'], occurrence: { details: { 'k\u0000': 'v\u0000' } } });
    expect(stored).toEqual({ ...finding, tags: ['ab'], notes: [NUL_NOTE], occurrence: { details: { k: 'v' } } });
  });
});
