import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cliDatabase } from '../../../test/support/cli-database.js';
import { lantern } from '../../../test/support/cli.js';
import { semgrepReport, trivyReport } from '../../../test/support/reports.js';
import { describeEachStore, type StoreKind } from '../../../test/support/stores.js';
import type { Store } from '../../store/database.js';

const LONG_RULE = 'javascript.express.security.audit.express-open-redirect.express-open-redirect-with-a-very-long-name';
const ESC = '\u001b[';

describeEachStore('lantern issues', (kind: StoreKind) => {
  let dir: string;
  let db: string;
  let store: Store | undefined;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-issues-cli-'));
    ({ url: db, store } = await cliDatabase(kind, dir));
    const trivy = join(dir, 'trivy.json');
    writeFileSync(trivy, trivyReport([{ id: 'CVE-2021-44228', pkg: 'org.apache.logging.log4j:log4j-core', version: '2.14.1', severity: 'CRITICAL', fixed: '2.15.0' }]));
    const semgrep = join(dir, 'semgrep.json');
    writeFileSync(
      semgrep,
      semgrepReport([
        { rule: LONG_RULE, path: 'src/routes/login.ts', line: 42, severity: 'ERROR', snippet: 'res.redirect(req.query.next)' },
        { rule: LONG_RULE, path: 'src/routes/login.ts', line: 7, severity: 'ERROR', snippet: 'res.redirect(req.query.back)' },
        { rule: 'javascript.lang.security.audit.eval', path: 'src/admin/run.ts', line: 3, severity: 'WARNING', snippet: 'eval(input)' },
      ]),
    );
    for (const report of [trivy, semgrep]) {
      expect((await lantern(['ingest', report, '--target', 'acme/payments', '--type', 'repository', '--variant', 'main', '--db', db])).code).toBe(0);
    }
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  const issues = (env: NodeJS.ProcessEnv = {}, terminal?: { columns: number }) => lantern(['issues', '--target', 'acme/payments', '--db', db], env, terminal);

  it('shows code findings at file:line, and closes with the total of each severity', async () => {
    const { code, stdout } = await issues();
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[1]).toMatch(/^critical \(new\)\s+CVE-2021-44228\s+CVE-2021-44228 in org\.apache\.logging\.log4j:log4j-core\s+org\.apache\.logging\.log4j:log4j-core\s+2\.14\.1\s+2\.15\.0\s+\?\s+\?\s+trivy\s+1$/);
    // Semgrep's two matches of the long rule in one file are an issue each (their snippets differ), each at its line.
    expect(lines.filter((l) => l.startsWith('high')).map((l) => / (src\/\S+)/.exec(l)?.[1]).sort()).toEqual(['src/routes/login.ts:42', 'src/routes/login.ts:7']);
    expect(lines.find((l) => l.includes('audit.eval'))).toMatch(/\ssrc\/admin\/run\.ts:3\s+-\s+-\s+\?\s+\?\s+semgrep\s+1$/);
    // Piped: nothing is cut, nothing coloured.
    expect(stdout).not.toContain('…');
    expect(stdout).not.toContain(ESC);
    expect(lines[5]).toBe('4 issues in acme/payments@main: critical 1  high 2  medium 1  low 0  info 0');
    const high = await lantern(['issues', '--target', 'acme/payments', '--severity', 'high', '--db', db]);
    expect(high.stdout.trimEnd().split('\n').at(-1)).toBe('2 issues in acme/payments@main: critical 0  high 2  medium 0  low 0  info 0');
  });

  it('fits a terminal: long rule ids and titles are cut with …, and severities are coloured unless NO_COLOR is set', async () => {
    const { stdout } = await issues({}, { columns: 120 });
    const lines = stdout.trimEnd().split('\n');
    const plainLines = lines.map((l) => stripVTControlCharacters(l));
    for (const line of plainLines) expect(line.length).toBeLessThanOrEqual(120);
    expect(plainLines[0]).toMatch(/^SEVERITY\s+ID\s+TITLE\s+WHERE\s+INSTALLED\s+FIXED IN\s+KEV\s+EPSS\s+SCANNERS\s+PLACES$/);
    // The title, the rule id and the place give way; the severity, versions, scanners and counts stay whole.
    expect(stdout).not.toContain(LONG_RULE);
    expect(plainLines[1]).toMatch(/^critical \(new\)\s+CVE-2021-44228\s+CVE-2021-44228 \S*…\s+…\S*:log4j-core\s+2\.14\.1\s+2\.15\.0\s+\?\s+\?\s+trivy\s+1$/);
    const high = plainLines.filter((l) => l.startsWith('high (new)'));
    expect(high).toHaveLength(2);
    for (const line of high) expect(line).toMatch(/^high \(new\)\s+javascript\.\S*…\s+javascript\.\S*…\s+(src\/routes\/login\.ts:(42|7)|…\S*\/login\.ts:(42|7))\s+-\s+-\s+\?\s+\?\s+semgrep\s+1$/);
    expect(plainLines[4]).toContain('/admin/run.ts:3 ');
    expect(stdout).toContain(`${ESC}1m${ESC}31mcritical (new)${ESC}39m${ESC}22m`);
    expect(stdout).toContain(`${ESC}1mSEVERITY${ESC}22m`);
    expect(stripVTControlCharacters(lines.at(-1) as string)).toBe('4 issues in acme/payments@main: critical 1  high 2  medium 1  low 0  info 0');
    expect(lines.at(-1)).toContain(`${ESC}31mhigh 2${ESC}39m`);

    const plain = await issues({ NO_COLOR: '1' }, { columns: 120 });
    expect(plain.stdout).not.toContain(ESC);
    expect(plain.stdout).toBe(stripVTControlCharacters(stdout));
    // A terminal too narrow for even the short columns gets them at their floor, not a broken table.
    const narrow = await issues({ NO_COLOR: '1' }, { columns: 40 });
    expect(narrow.stdout.split('\n')[0]).toMatch(/^SEVERITY\s+ID\s+TITLE\s+WHERE\s+INSTALLED\s+FIXED IN\s+KEV\s+EPSS\s+SCANNERS\s+PLACES$/);
  });
});
