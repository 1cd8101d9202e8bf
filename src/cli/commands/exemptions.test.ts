import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { lantern } from '../../../test/support/cli.js';
import { cliDatabase } from '../../../test/support/cli-database.js';
import { trivyReport, type Vulnerability } from '../../../test/support/reports.js';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../../test/support/stores.js';
import type { Store } from '../../store/database.js';

const CVE: Vulnerability = { id: 'CVE-2026-1001', pkg: 'pay-lib', version: '1.0.0', severity: 'HIGH' };

describeEachStore('lantern exemptions, on a database', (kind: StoreKind) => {
  let dir: string;
  let db: string;
  let store: Store | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-exemptions-cli-'));
    ({ url: db, store } = await cliDatabase(kind, dir));
    for (const target of ['acme/pay-api', 'acme/pay-worker']) {
      const report = join(dir, `${target.replace('/', '-')}.json`);
      writeFileSync(report, trivyReport([CVE]));
      const ingested = await lantern(['ingest', report, '--target', target, '--type', 'repository', '--variant', 'main', '--scope', 'acme.pay', '--db', db]);
      expect(ingested.code, ingested.stderr).toBe(0);
    }
  });
  afterEach(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('previews, requests, lists, approves, rejects, cancels and re-opens as the local admin', async () => {
    const preview = await lantern(['exemptions', 'request', '--issue', '1', '--level', 'project', '--reason', 'accepted_risk', '--justification', 'Internal.', '--preview', '--db', db]);
    expect(preview).toEqual({ code: 0, stdout: 'It hides 2 issues in 2 targets of acme.pay.\n', stderr: '' });
    expect((await lantern(['exemptions', 'list', '--db', db])).stdout).toBe('No exemptions match.\n');

    const requested = await lantern(['exemptions', 'request', '--issue', '1', '--reason', 'fix_unavailable', '--justification', 'No fix yet.', '--duration', '30d', '--link', 'https://tickets.example.com/SEC-1', '--json', '--db', db]);
    expect(requested.code, requested.stderr).toBe(0);
    expect(JSON.parse(requested.stdout)).toMatchObject({ id: 1, status: 'pending', level: 'target', issueId: 1, reason: 'fix_unavailable', comment: 'No fix yet.', link: 'https://tickets.example.com/SEC-1', requestedById: expect.stringMatching(/^local:/) });
    expect(await lantern(['exemptions', 'request', '--issue', '1', '--reason', 'other', '--justification', 'x', '--duration', 'none', '--db', db])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'lantern: Only a false_positive exemption may have no expiry (duration none); a other one needs 7d, 30d, 90d or expiresAt.\n',
    });

    const queue = await lantern(['exemptions', 'list', '--queue', '--db', db]);
    const lines = queue.stdout.trimEnd().split('\n').map((l) => l.trimEnd());
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+COVERS\s+WHERE\s+REASON\s+REQUESTED BY\s+DECIDED BY\s+EXPIRES$/);
    expect(lines[1]).toMatch(/^1\s+pending\s+issue 1 in acme\/pay-api\s+acme\.pay\s+fix_unavailable\s+\S+\s+-\s+\d{4}-/);
    expect(lines).toHaveLength(2);

    const approved = await lantern(['exemptions', 'approve', '1', '--level', 'project', '--comment', 'Whole project.', '--db', db]);
    expect(approved.stdout).toMatch(/^Exemption 1 \(CVE-2026-1001 in project acme\.pay, fix_unavailable\) is approved, until \d{4}-\d\d-\d\d \d\d:\d\d\.\n$/);
    expect((await lantern(['exemptions', 'list', '--status', 'approved', '--json', '--db', db])).stdout).toContain('"decisionComment": "Whole project."');
    expect(JSON.parse((await lantern(['exemptions', 'list', '--expiring-within', '31', '--json', '--db', db])).stdout)).toHaveLength(1);
    expect(await lantern(['exemptions', 'approve', '1', '--db', db])).toEqual({ code: 2, stdout: '', stderr: 'lantern: Exemption 1 is approved, not pending: it cannot be approved again.\n' });

    await lantern(['exemptions', 'request', '--issue', '2', '--reason', 'false_positive', '--justification', 'Not loaded.', '--db', db]);
    expect((await lantern(['exemptions', 'reject', '2', '--comment', 'It is loaded.', '--db', db])).stdout).toBe('Exemption 2 (issue 2, false_positive) is rejected.\n');
    expect((await lantern(['exemptions', 'reject', '2', '--db', db])).stderr).toMatch(/missing required option --comment <text>\n/);
    expect((await lantern(['exemptions', 'reopen', '2', '--justification', 'Checked again.', '--db', db])).stdout).toBe('Exemption 3 (issue 2, false_positive) is pending.\n');
    expect((await lantern(['exemptions', 'cancel', '3', '--db', db])).stdout).toBe('Exemption 3 (issue 2, false_positive) is cancelled.\n');
    expect(await lantern(['exemptions', 'list', '--status', 'maybe', '--db', db])).toMatchObject({ code: 2, stderr: 'lantern: Invalid --status "maybe": expected pending, approved, rejected, expired, cancelled.\n' });
    expect(await lantern(['exemptions', 'cancel', 'x', '--db', db])).toMatchObject({ code: 2, stderr: 'lantern: Invalid exemption id "x": expected the number `lantern exemptions list` shows.\n' });

    const audit = JSON.parse((await lantern(['audit', '--object-type', 'exemption', '--json', '--db', db])).stdout) as Array<{ action: string; objectId: string }>;
    expect(audit.map((a) => [a.action, a.objectId])).toEqual([
      ['exemption.cancel', '3'],
      ['exemption.reopen', '3'],
      ['exemption.reject', '2'],
      ['exemption.request', '2'],
      ['exemption.approve', '1'],
      ['exemption.request', '1'],
    ]);
  }, 90_000); // many CLI processes one after another: each pays Node's and the CLI's start-up
});

describeEachStore('lantern exemptions with --server', (kind: StoreKind) => {
  let server: TestServer;
  let address: string;
  let dir: string;
  let developer: string;
  let security: string;

  beforeEach(async () => {
    server = await startTestServer(kind, {}, { auth: {}, webRoot: false });
    address = await server.app.listen({ port: 0, host: '127.0.0.1' });
    dir = mkdtempSync(join(tmpdir(), 'lantern-exemptions-server-'));
    const report = join(dir, 'trivy.json');
    writeFileSync(report, trivyReport([CVE]));
    const admin = (await server.lantern.createToken({ name: 'admin', role: 'admin' })).token;
    developer = (await server.lantern.createToken({ name: 'dev-pay', role: 'developer', scope: 'acme.pay' })).token;
    security = (await server.lantern.createToken({ name: 'sec-pay', role: 'security', scope: 'acme.pay' })).token;
    const ingested = await lantern(['ingest', report, '--target', 'acme/pay-api', '--type', 'repository', '--variant', 'main', '--scope', 'acme.pay', '--server', address], { LANTERN_TOKEN: admin });
    expect(ingested.code, ingested.stderr).toBe(0);
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('requests as the developer, who may not approve; the security token approves', async () => {
    const as = (token: string) => ({ LANTERN_TOKEN: token });
    const requested = await lantern(['exemptions', 'request', '--issue', '1', '--reason', 'compensating_control', '--justification', 'WAF rule 12.', '--server', address], as(developer));
    expect(requested).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Exemption 1 \(issue 1, compensating_control\) is pending, until /) });
    expect((await lantern(['exemptions', 'list', '--queue', '--server', address], as(developer))).stdout).toBe('No exemptions match.\n');
    expect(await lantern(['exemptions', 'approve', '1', '--server', address], as(developer))).toEqual({
      code: 2,
      stdout: '',
      stderr: 'lantern: dev-pay may not call POST /api/exemptions/:id/approve: this needs the security role (or above) at some scope.\n',
    });
    expect(JSON.parse((await lantern(['exemptions', 'list', '--queue', '--json', '--server', address], as(security))).stdout)).toMatchObject([{ id: 1, actions: ['approve', 'reject', 'revoke'] }]);
    expect((await lantern(['exemptions', 'approve', '1', '--duration', '7d', '--server', address], as(security))).stdout).toMatch(/^Exemption 1 \(issue 1, compensating_control\) is approved, until /);
    const [entry] = await server.lantern.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'exemption.approve').execute();
    expect(entry).toMatchObject({ principal_name: 'sec-pay', object_id: '1' });
  });
});
