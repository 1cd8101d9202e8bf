import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lantern as cli } from '../../test/support/cli.js';
import { epssFile, feedDir, kevFile } from '../../test/support/feed-files.js';
import { trivyReport, type Vulnerability } from '../../test/support/reports.js';
import { describeEachStore, openTestStore } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import { Lantern } from '../lantern.js';
import { openStore } from '../store/database.js';
import { chooseVariant } from '../store/variant-choice.js';
import { targetNamed } from '../cli/target-lookup.js';
import { evaluateGate, parseGatePolicy } from './gate.js';
import { DEFAULT_SLA_POLICIES } from './sla.js';

const OLD_HIGH: Vulnerability = { id: 'CVE-2024-0100', pkg: 'old', version: '1.0.0', severity: 'HIGH' };
const KEV_LOW: Vulnerability = { id: 'CVE-2024-0200', pkg: 'exploited', version: '1.0.0', severity: 'LOW' };
const NEW_CRITICAL: Vulnerability = { id: 'CVE-2024-0300', pkg: 'fresh', version: '1.0.0', severity: 'CRITICAL', fixed: '1.0.1' };
const NEW_MEDIUM: Vulnerability = { id: 'CVE-2024-0400', pkg: 'likely', version: '1.0.0', severity: 'MEDIUM' };

/** main has an old high and a KEV low (first seen 2024-03-01); feature adds a critical and a medium. */
async function estate(lantern: Lantern): Promise<void> {
  const scope = parseScope('acme.pay');
  const ingest = (variant: string, vulns: Vulnerability[], scannedAt: string) =>
    lantern.ingest({ report: Buffer.from(trivyReport(vulns)), source: `${variant}.json`, target: 'acme/app', targetType: 'repository', variant, scope, baseline: variant === 'main', scannedAt });
  await ingest('main', [OLD_HIGH, KEV_LOW], '2024-03-01T00:00:00.000Z');
  await ingest('feature', [OLD_HIGH, KEV_LOW, NEW_CRITICAL, NEW_MEDIUM], '2024-04-01T00:00:00.000Z');
  const dir = feedDir();
  await lantern.importFeed('kev', kevFile(dir, [{ cveID: KEV_LOW.id, dateAdded: '2024-03-05', dueDate: '2024-03-26' }]));
  await lantern.importFeed('epss', epssFile(dir, [[NEW_MEDIUM.id, 0.7, 0.99]]));
}

describe('--fail-on', () => {
  it('reads every rule form and refuses others, naming them', () => {
    expect(parseGatePolicy('new:critical, new:high,kev,sla-breached,epss>=0.5')).toEqual([
      { kind: 'new', severity: 'critical' },
      { kind: 'new', severity: 'high' },
      { kind: 'kev' },
      { kind: 'sla-breached' },
      { kind: 'epss', min: 0.5 },
    ]);
    expect(() => parseGatePolicy('new:urgent')).toThrow('Invalid --fail-on rule "new:urgent": expected new:SEVERITY (critical, high, medium, low, info), kev, sla-breached, epss>=X (X from 0 to 1).');
    expect(() => parseGatePolicy('epss>=2')).toThrow('Invalid --fail-on rule "epss>=2"');
  });
});

describeEachStore('lantern gate', (kind) => {
  let lantern: Lantern;
  beforeEach(async () => {
    lantern = new Lantern(await openTestStore(kind), { clock: () => '2024-04-02T00:00:00.000Z', allowSelfApproval: true });
    await estate(lantern);
  });
  afterEach(async () => lantern.close());

  const gate = async (policy: string) => {
    const db = lantern.store.db;
    const target = await targetNamed(db, parseScope('acme.pay'), 'acme/app');
    const { variant } = await chooseVariant(db, target, 'feature');
    const { variant: baseline } = await chooseVariant(db, target);
    const result = await evaluateGate(db, target, variant as NonNullable<typeof variant>, baseline, parseGatePolicy(policy), { now: lantern.now(), sla: DEFAULT_SLA_POLICIES });
    return { passed: result.passed, exempted: result.exempted, violations: result.violations.map((v) => [v.issue.package, v.rules]) };
  };

  it('fails and passes each rule on its own cases', async () => {
    expect(await gate('new:critical')).toEqual({ passed: false, exempted: 0, violations: [['fresh', ['new:critical']]] });
    // The old high is in the baseline: not new.
    expect(await gate('new:high')).toEqual({ passed: true, exempted: 0, violations: [] });
    expect(await gate('new:low')).toEqual({ passed: true, exempted: 0, violations: [] });
    expect(await gate('kev')).toEqual({ passed: false, exempted: 0, violations: [['exploited', ['kev']]] });
    expect(await gate('epss>=0.5')).toEqual({ passed: false, exempted: 0, violations: [['likely', ['epss>=0.5']]] });
    expect(await gate('epss>=0.8')).toEqual({ passed: true, exempted: 0, violations: [] });
    // The high, first seen 2024-03-01, was due 2024-03-31; the low is due in August.
    expect(await gate('sla-breached')).toEqual({ passed: false, exempted: 0, violations: [['old', ['sla-breached']]] });
    expect(await gate('new:critical,kev')).toEqual({ passed: false, exempted: 0, violations: [['exploited', ['kev']], ['fresh', ['new:critical']]] });
  });

  it('honours an approved exemption', async () => {
    const view = await lantern.requestExemption({ level: 'project', scope: 'acme.pay', key: KEV_LOW.id, reason: 'compensating_control', comment: 'Not reachable: behind the WAF.' });
    expect(await gate('kev')).toEqual({ passed: false, exempted: 0, violations: [['exploited', ['kev']]] });
    await lantern.decideExemption(view.id, 'approved');
    expect(await gate('kev')).toEqual({ passed: true, exempted: 1, violations: [] });
  });
});

describe('lantern gate (CLI)', () => {
  it('exits 1 with a Markdown summary on a violation, 0 when it passes, 2 on a bad rule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lantern-gate-'));
    const db = join(dir, 'gate.db');
    const lantern = new Lantern(await openStore(db), { clock: () => '2024-04-02T00:00:00.000Z' });
    await estate(lantern);
    await lantern.close();
    const args = ['gate', '--target', 'acme/app', '--variant', 'feature', '--scope', 'acme.pay', '--db', db];
    const markdown = join(dir, 'gate.md');
    const failed = await cli([...args, '--fail-on', 'new:critical,kev', '--markdown', markdown]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('### Lantern gate: failed — acme/app @ feature (against main)');
    expect(failed.stdout).toContain('| `kev` | 1 |');
    expect(failed.stdout).toContain('| CVE-2024-0200 | exploited | low | `kev` | known exploited since 2024-03-05, CISA due 2024-03-26; no EPSS score; low; no fix |');
    expect(readFileSync(markdown, 'utf8')).toBe(failed.stdout);
    const passed = await cli([...args, '--fail-on', 'new:high', '--json']);
    expect(passed.code).toBe(0);
    expect(JSON.parse(passed.stdout)).toMatchObject({ passed: true, variant: 'feature', baseline: 'main', rules: [{ rule: 'new:high', violations: 0 }] });
    expect((await cli([...args, '--fail-on', 'critical'])).stderr).toBe('lantern: Invalid --fail-on rule "critical": expected new:SEVERITY (critical, high, medium, low, info), kev, sla-breached, epss>=X (X from 0 to 1).\n');
  });
});
