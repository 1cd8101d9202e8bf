import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { lantern } from '../../test/support/cli.js';
import { bytes, trivyReport } from '../../test/support/reports.js';
import { rowCounts } from '../../test/support/row-counts.js';
import { readShared, describeShared, sharedPath } from '../../test/support/shared-fixtures.js';
import { startTestServer } from '../../test/support/server.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { InputError } from '../domain/errors.js';
import { DEFAULT_PROJECT_SCOPE } from '../domain/scope.js';
import { FORMATS } from '../formats/index.js';
import type { Store } from '../store/database.js';
import { type IngestRequest, ingestReport } from './ingest.js';

const request = (report: Uint8Array, over: Partial<IngestRequest> = {}): IngestRequest => ({
  report,
  source: 'report.json',
  target: 'acme/app',
  targetType: 'repository',
  variant: 'main',
  scope: DEFAULT_PROJECT_SCOPE,
  ...over,
});

describeEachStore('bad input in every format', (kind: StoreKind) => {
  let store: Store;
  beforeEach(async () => {
    store = await openTestStore(kind);
  });
  afterEach(async () => {
    await store.close();
  });

  it.each(FORMATS.map((f) => f.name))('--format %s: a truncated report or another format is a clear error and writes nothing', async (format) => {
    await ingestReport(store, request(bytes(trivyReport([{ id: 'CVE-2021-1', pkg: 'a', version: '1', severity: 'LOW' }]))));
    const before = await rowCounts(store);
    const truncated = ingestReport(store, request(bytes('{"results": [{"a": '), { format, target: 'other' }));
    await expect(truncated).rejects.toThrow(InputError);
    await expect(truncated).rejects.toThrow(/^report\.json: not valid JSON \(.+\); expected a JSON report from one of: /);
    const other = format === 'sarif' ? trivyReport([]) : JSON.stringify({ version: '2.1.0', runs: [] });
    const wrong = ingestReport(store, request(bytes(other), { format, target: 'other' }));
    await expect(wrong).rejects.toThrow(new RegExp(`^report\\.json: does not look like ${FORMATS.find((f) => f.name === format)?.title.replace(/[()]/g, '\\$&')}: it looks like `));
    expect(await rowCounts(store)).toEqual(before);
  });
});

describeShared('real reports through ingest', () => {
  describeEachStore('semgrep close_old_findings reports in order', (kind: StoreKind) => {
    it('keep a moved finding as the same issue and count a new identity as one remediated plus one new', async () => {
      const store = await openTestStore(kind);
      try {
        const ingest = (file: string) => ingestReport(store, request(readShared('scans', 'semgrep', file), { source: file }));
        // Run 1 reports the finding at line 31; run 2 at line 24 with the same fingerprint; run 3 at
        // line 24 with a different Semgrep fingerprint ("DIFFERENT…"), i.e. another issue.
        expect(await ingest('close_old_findings_report_line31.json')).toMatchObject({ new: 1, common: 0, remediated: 0 });
        expect(await ingest('close_old_findings_report_second_run_line24.json')).toMatchObject({ new: 0, common: 1, remediated: 0 });
        expect(await ingest('close_old_findings_report_third_run_different_unique_id.json')).toMatchObject({ new: 1, common: 0, remediated: 1 });
        const issues = await store.db.selectFrom('issues').select('id').execute();
        expect(issues).toHaveLength(2);
      } finally {
        await store.close();
      }
    });
  });

  describeEachStore('secrets', (kind: StoreKind) => {
    const ownDir = join(import.meta.dirname, '../formats/testdata/gitleaks');
    const reports = [
      ...readdirSync(sharedPath('scans', 'gitleaks')).map((f) => ({ name: f, content: readShared('scans', 'gitleaks', f) })),
      ...readdirSync(ownDir).map((f) => ({ name: f, content: readFileSync(join(ownDir, f)) })),
      { name: 'gitleaks_7.5.0.sarif', content: readShared('scans', 'sarif', 'gitleaks_7.5.0.sarif') },
    ];
    /** Every secret value the reports hold: Gitleaks 8 `Secret`, Gitleaks 7 and SARIF `offender`. */
    const secrets = new Set<string>();
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object') {
        for (const [key, v] of Object.entries(value)) {
          if ((key === 'Secret' || key === 'offender') && typeof v === 'string' && v.length > 0) secrets.add(v);
          else collect(v);
        }
      }
    };
    for (const r of reports) collect(JSON.parse(r.content.toString('utf8') || 'null'));

    it('are never stored, printed or logged in clear', async () => {
      expect(secrets.size).toBeGreaterThanOrEqual(6);
      const logs: string[] = [];
      const server = await startTestServer(kind, {}, { logger: { level: 'trace', stream: { write: (line: string) => void logs.push(line) } } });
      const printed: string[] = [];
      try {
        for (const r of reports) {
          const format = r.name.endsWith('.sarif') ? 'sarif' : 'gitleaks';
          const url = `/api/scans?target=acme%2Fapp&type=repository&variant=${encodeURIComponent(r.name)}&format=${format}`;
          const response = await server.app.inject({ method: 'POST', url, payload: r.content, headers: { 'content-type': 'application/json' } });
          expect(response.statusCode, r.name).toBe(201);
          printed.push(response.body);
        }
        const stored: string[] = [];
        for (const table of ['scans', 'issues', 'scan_issues', 'occurrences'] as const) {
          stored.push(JSON.stringify(await server.lantern.store.db.selectFrom(table).selectAll().execute()));
        }
        expect(stored.join('')).toContain('****');
        // The CLI reads the same store when it is a file; print every issue of every variant.
        if (kind === 'sqlite') {
          const file = server.lantern.store.description.replace(/^sqlite:/, '');
          for (const r of reports) {
            for (const args of [['--json'], []]) {
              const run = await lantern(['issues', '--target', 'acme/app', '--variant', r.name, '--db', file, ...args]);
              printed.push(run.stdout, run.stderr);
            }
          }
          await server.close();
          const raw = ['', '-wal'].map((suffix) => {
            try {
              return readFileSync(file + suffix).toString('latin1');
            } catch {
              return '';
            }
          });
          stored.push(...raw);
        }
        const everything = { stored: stored.join('\n'), printed: printed.join('\n'), logs: logs.join('\n') };
        expect(everything.logs).toContain('report ingested');
        for (const secret of secrets) {
          for (const [where, text] of Object.entries(everything)) expect(text.includes(secret), `${where} holds ${secret.slice(0, 4)}…`).toBe(false);
        }
      } finally {
        if (kind !== 'sqlite') await server.close();
      }
    });
  });
});
