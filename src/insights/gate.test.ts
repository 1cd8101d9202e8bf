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
import { evaluateGate, gateRulesFor, parseGatePolicy } from './gate.js';
import { parseConfig } from '../config/config.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
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

describe('gate policies of the config file', () => {
  const { config, problems } = parseConfig(
    ['gate:', '  policies:', '    release: new:critical,kev,sla-breached', '  scopes:', '    acme: release', '    acme.pay: new:high', 'sla:', '  scopes:', '    acme.pay: { high: 60 }', ''].join('\n'),
    'lantern.yaml',
  );
  it('names policies, holds a project to its own over its org, and --fail-on over both', () => {
    expect(problems).toEqual([]);
    const gates = config?.gate as NonNullable<typeof config>['gate'] & object;
    expect(gateRulesFor(gates, 'acme.pay', undefined)).toEqual({ rules: [{ kind: 'new', severity: 'high' }], policy: 'new:high' });
    expect(gateRulesFor(gates, 'acme.edge', undefined)).toEqual({ rules: parseGatePolicy('new:critical,kev,sla-breached'), policy: 'release' });
    expect(gateRulesFor(gates, 'other.proj', undefined).policy).toBe('new:critical,new:high,kev');
    expect(gateRulesFor(gates, 'acme.pay', 'release').policy).toBe('release');
    expect(gateRulesFor(gates, 'acme.pay', 'kev')).toEqual({ rules: [{ kind: 'kev' }], policy: 'kev' });
    expect(() => gateRulesFor(gates, 'acme.pay', 'relase')).toThrow('Invalid --fail-on rule "relase"');
  });

  it('refuses a policy with a bad rule, naming where it is', () => {
    const bad = parseConfig(['gate:', '  policies:', '    release: new:urgent', ''].join('\n'), 'lantern.yaml');
    expect(bad.config).toBeUndefined();
    expect(bad.problems).toEqual([expect.objectContaining({ level: 'error', field: 'gate.policies.release', message: expect.stringContaining('Invalid --fail-on rule "new:urgent"') })]);
  });
});

describeEachStore('POST /api/gate', (kind) => {
  let server: TestServer;
  beforeEach(async () => {
    const { config } = parseConfig(['gate:', '  policies:', '    sla: sla-breached', '  scopes:', '    acme.pay: sla', 'sla:', '  scopes:', '    acme.edge: { high: 60 }', ''].join('\n'), 'lantern.yaml');
    server = await startTestServer(kind, { clock: () => '2024-04-02T00:00:00.000Z', sla: config?.sla, gates: config?.gate });
    await estate(server.lantern);
  });
  afterEach(async () => server.close());

  it("applies the server's policy for the target's scope and its SLA days, or --fail-on", async () => {
    const post = (body: object) => server.app.inject({ method: 'POST', url: '/api/gate', payload: body });
    const byScope = await post({ target: 'acme/app', variant: 'feature', scope: 'acme.pay' });
    expect(byScope.statusCode).toBe(200);
    expect(byScope.json()).toMatchObject({ passed: false, policy: 'sla', rules: [{ rule: 'sla-breached', violations: 1 }], violations: [{ rules: ['sla-breached'], issue: { package: 'old', sla: { state: 'breached', dueDate: '2024-03-31' } } }] });
    expect(byScope.json().markdown).toContain('### Lantern gate: failed');
    expect((await post({ target: 'acme/app', variant: 'feature', scope: 'acme.pay', failOn: 'new:high' })).json()).toMatchObject({ passed: true, policy: 'new:high' });
    expect((await post({ target: 'acme/app', variant: 'nope', scope: 'acme.pay' })).statusCode).toBe(404);
    expect((await post({ target: 'acme/none', variant: 'main', scope: 'acme.pay' })).statusCode).toBe(404);
    const bad = await post({ target: 'acme/app', variant: 'feature', scope: 'acme.pay', failOn: 'new:urgent' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('Invalid --fail-on rule "new:urgent"');
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

describeEachStore('lantern gate --server', (kind) => {
  it('asks the server with $LANTERN_TOKEN and exits as the local gate does', { timeout: 90_000 }, async () => {
    const server = await startTestServer(kind, { clock: () => '2024-04-02T00:00:00.000Z' }, { auth: {}, webRoot: false });
    try {
      await estate(server.lantern);
      const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
      const token = (await server.lantern.createToken({ name: 'ci', role: 'viewer', scope: 'acme.pay' })).token;
      const args = ['gate', '--target', 'acme/app', '--variant', 'feature', '--scope', 'acme.pay', '--server', address];
      const failed = await cli([...args, '--fail-on', 'new:critical'], { LANTERN_TOKEN: token });
      expect(failed.code).toBe(1);
      expect(failed.stdout).toContain('### Lantern gate: failed — acme/app @ feature (against main)');
      expect(failed.stdout).toContain('| `new:critical` | 1 |');
      const passed = await cli([...args, '--fail-on', 'new:high', '--json'], { LANTERN_TOKEN: token });
      expect(passed.code).toBe(0);
      expect(JSON.parse(passed.stdout)).toMatchObject({ passed: true, policy: 'new:high', baseline: 'main' });
      const denied = await cli([...args, '--fail-on', 'kev']);
      expect(denied.code).not.toBe(0);
      expect(await cli([...args, '--db', 'x.db'])).toMatchObject({ stderr: 'lantern: Give --db or --server, not both.\n' });
    } finally {
      await server.close();
    }
  });
});
