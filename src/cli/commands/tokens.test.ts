import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { lantern } from '../../../test/support/cli.js';
import { cliDatabase } from '../../../test/support/cli-database.js';
import { trivyReport } from '../../../test/support/reports.js';
import { whereStored } from '../../../test/support/secrets.js';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../../test/support/stores.js';
import { openStore, type Store } from '../../store/database.js';

const TOKEN = /^lnt_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/;

describeEachStore('lantern tokens and lantern audit, on a database', (kind: StoreKind) => {
  let dir: string;
  let db: string;
  let store: Store | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-tokens-cli-'));
    ({ url: db, store } = await cliDatabase(kind, dir));
  });
  afterEach(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const withDb = async <T>(work: (s: Store) => Promise<T>): Promise<T> => {
    if (store) return work(store);
    const opened = await openStore(db);
    try {
      return await work(opened);
    } finally {
      await opened.close();
    }
  };

  it('creates a token shown once, lists tokens without it, revokes one, and stores only its hash', async () => {
    const created = await lantern(['tokens', 'create', '--name', 'payments-ci', '--role', 'ingester', '--scope', 'acme.pay', '--expires', '90d', '--json', '--db', db]);
    expect(created.code, created.stderr).toBe(0);
    const body = JSON.parse(created.stdout);
    expect(Object.keys(body)).toEqual(['id', 'name', 'role', 'scope', 'token', 'expiresAt']);
    expect(body).toMatchObject({ id: 1, name: 'payments-ci', role: 'ingester', scope: 'acme.pay' });
    expect(body.token).toMatch(TOKEN);
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(89 * 86_400_000);

    const plain = await lantern(['tokens', 'create', '--name', 'reader', '--role', 'viewer', '--db', db]);
    expect(plain.code, plain.stderr).toBe(0);
    const lines = plain.stdout.trimEnd().split('\n').map((line) => line.trimEnd());
    expect(lines[0]).toMatch(/^ID\s+NAME\s+ROLE\s+SCOPE\s+EXPIRES$/);
    expect(lines[1]).toMatch(/^2\s+reader\s+viewer\s+account\s+never$/);
    expect(lines[2]).toMatch(TOKEN);
    expect(lines).toHaveLength(3);
    expect(plain.stderr).toBe('This token is shown once: store it in a secret now (Lantern keeps only its hash).\n');
    const secrets = [body.token, (lines[2] as string).slice(17)];

    const listed = await lantern(['tokens', 'list', '--db', db]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/payments-ci\s+ingester\s+acme\.pay\s+local:\S+/);
    expect(listed.stdout).toMatch(/reader\s+viewer\s+account/);
    const json = await lantern(['tokens', 'list', '--json', '--db', db]);
    expect(JSON.parse(json.stdout).map((t: { name: string; revokedAt: null }) => [t.name, t.revokedAt])).toEqual([['payments-ci', null], ['reader', null]]);
    for (const output of [listed.stdout, json.stdout]) for (const secret of secrets) expect(output).not.toContain(secret.slice(17));

    const revoked = await lantern(['tokens', 'revoke', '2', '--db', db]);
    expect(revoked).toEqual({ code: 0, stdout: 'Revoked API token 2 (reader, viewer at account).\n', stderr: '' });
    expect(await lantern(['tokens', 'revoke', '2', '--db', db])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^lantern: API token 2 \(reader\) was already revoked at \S+\.\n$/) });
    expect(await lantern(['tokens', 'revoke', '9', '--db', db])).toMatchObject({ code: 2, stderr: 'lantern: No API token with id 9.\n' });
    expect(await lantern(['tokens', 'revoke', 'x', '--db', db])).toMatchObject({ code: 2, stderr: 'lantern: Invalid token id "x": expected the number `lantern tokens list` shows.\n' });
    expect(await lantern(['tokens', 'create', '--name', 'x', '--role', 'root', '--db', db])).toMatchObject({ code: 2, stderr: 'lantern: Invalid role "root": expected one of viewer, ingester, developer, security, admin.\n' });
    expect(await lantern(['tokens', 'create', '--name', 'x', '--role', 'viewer', '--expires', 'soon', '--db', db])).toMatchObject({
      code: 2,
      stderr: 'lantern: Invalid --expires "soon": expected a duration such as 30m, 12h, 90d, 2w or 1y.\n',
    });

    expect(await withDb((s) => whereStored(s, secrets))).toEqual([]);

    const audit = await lantern(['audit', '--json', '--db', db]);
    expect(audit.code).toBe(0);
    expect(JSON.parse(audit.stdout).map((a: { action: string; objectId: string; scope: string; clientAddress: null }) => [a.action, a.objectId, a.scope, a.clientAddress])).toEqual([
      ['token.revoke', '2', 'account', null],
      ['token.create', '2', 'account', null],
      ['token.create', '1', 'acme.pay', null],
    ]);
    const table = await lantern(['audit', '--action', 'token.create', '--limit', '1', '--db', db]);
    expect(table.stdout.replace(/ +\n/g, '\n')).toMatch(/^TIME\s+PRINCIPAL\s+ACTION\s+OBJECT\s+SCOPE\s+FROM\n\S+ \S+\s+\S+ \(local:\S+\)\s+token\.create\s+token 2\s+account\s+-\n$/);
    expect((await lantern(['audit', '--since', '2999-01-01', '--db', db])).stdout).toBe('No audit entries match.\n');
    expect(await lantern(['audit', '--since', 'yesterday', '--db', db])).toMatchObject({ code: 2, stderr: expect.stringContaining('Invalid --since "yesterday"') });
    expect(await lantern(['audit', '--limit', '1000', '--db', db])).toMatchObject({ code: 2, stderr: 'lantern: Invalid --limit "1000": expected a whole number from 1 to 500.\n' });
  }, 90_000); // a dozen CLI processes one after another: each pays Node's and the CLI's start-up
});

describeEachStore('lantern ingest, tokens and audit with --server', (kind: StoreKind) => {
  let server: TestServer;
  let address: string;
  let dir: string;
  let report: string;
  let admin: string;
  let viewer: string;

  beforeEach(async () => {
    server = await startTestServer(kind, {}, { auth: {}, webRoot: false });
    address = await server.app.listen({ port: 0, host: '127.0.0.1' });
    dir = mkdtempSync(join(tmpdir(), 'lantern-server-cli-'));
    report = join(dir, 'trivy.json');
    writeFileSync(report, trivyReport([{ id: 'CVE-2026-1001', pkg: 'pay-lib', version: '1.0.0', severity: 'HIGH' }]));
    admin = (await server.lantern.createToken({ name: 'admin', role: 'admin' })).token;
    viewer = (await server.lantern.createToken({ name: 'viewer', role: 'viewer', scope: 'acme.pay' })).token;
  });
  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ingest = (env: NodeJS.ProcessEnv, ...extra: string[]) =>
    lantern(['ingest', report, '--target', 'acme/pay-api', '--type', 'repository', '--variant', 'main', '--scope', 'acme.pay', '--server', address, ...extra], env);

  it('uploads with the token in LANTERN_TOKEN, and exits 2 with the server’s sentence on 401 and 403', async () => {
    const ci = (await server.lantern.createToken({ name: 'pay-ci', role: 'ingester', scope: 'acme.pay' })).token;
    const uploaded = await ingest({ LANTERN_TOKEN: ci }, '--json', '--baseline');
    expect(uploaded.code, uploaded.stderr).toBe(0);
    expect(JSON.parse(uploaded.stdout)).toMatchObject({ target: 'acme/pay-api', scope: 'acme.pay', variant: 'main', scanner: 'trivy', counts: { high: 1, total: 1 }, duplicate: false });
    const [entry] = (await server.lantern.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'scan.ingest').execute());
    expect(entry).toMatchObject({ principal_name: 'pay-ci', scope: 'acme.pay', client_address: '127.0.0.1' });
    expect(JSON.parse(entry?.details ?? '{}')).toMatchObject({ baseline: true });
    expect((await ingest({ LANTERN_TOKEN: ci })).stdout).toMatch(/^.*trivy\.json was already ingested into acme\/pay-api@main \[acme\.pay\] as scan \d+: nothing written\.\n$/);

    expect(await ingest({})).toEqual({
      code: 2,
      stdout: '',
      stderr: 'lantern: Authentication is required: send an API token as "Authorization: Bearer <token>", or sign in to the web UI. Set LANTERN_TOKEN to an API token (lantern tokens create).\n',
    });
    expect(await ingest({ LANTERN_TOKEN: `${ci.slice(0, -1)}x` })).toEqual({ code: 2, stdout: '', stderr: 'lantern: The API token is not valid: it is unknown, revoked or expired.\n' });
    expect(await ingest({ LANTERN_TOKEN: viewer })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'lantern: viewer may not call POST /api/scans: this needs the ingester role (or above) at some scope.\n',
    });
    // An ingester of another project: refused at the scope.
    const edge = (await server.lantern.createToken({ name: 'edge-ci', role: 'ingester', scope: 'acme.edge' })).token;
    expect(await ingest({ LANTERN_TOKEN: edge })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'lantern: edge-ci (token:4) may not upload scans at acme.pay: this needs the ingester role (or above) at acme.pay or a scope above it.\n',
    });
    expect(await ingest({ LANTERN_TOKEN: ci }, '--db', join(dir, 'x.db'))).toMatchObject({ code: 2, stderr: 'lantern: Give --db or --server, not both.\n' });
  });

  it('creates, lists and revokes tokens and reads the audit log through the API', async () => {
    const env = { LANTERN_TOKEN: admin };
    const created = await lantern(['tokens', 'create', '--name', 'edge-ci', '--role', 'ingester', '--scope', 'acme.edge', '--json', '--server', address], env);
    expect(created.code, created.stderr).toBe(0);
    const body = JSON.parse(created.stdout);
    expect(body).toMatchObject({ name: 'edge-ci', role: 'ingester', scope: 'acme.edge', expiresAt: null });
    expect(body.token).toMatch(TOKEN);
    expect(await server.lantern.tokens.verify(body.token)).toMatchObject({ kind: 'token', name: 'edge-ci' });

    const listed = JSON.parse((await lantern(['tokens', 'list', '--json', '--server', address], env)).stdout);
    expect(listed.map((t: { name: string }) => t.name)).toEqual(['admin', 'viewer', 'edge-ci']);
    expect(await lantern(['tokens', 'revoke', String(body.id), '--server', address], env)).toEqual({ code: 0, stdout: `Revoked API token ${body.id} (edge-ci, ingester at acme.edge).\n`, stderr: '' });
    expect(await server.lantern.tokens.verify(body.token)).toBeUndefined();

    const audit = JSON.parse((await lantern(['audit', '--principal', 'token:1', '--json', '--server', address], env)).stdout);
    expect(audit.map((a: { action: string; principalName: string; clientAddress: string }) => [a.action, a.principalName, a.clientAddress])).toEqual([
      ['token.revoke', 'admin', '127.0.0.1'],
      ['token.create', 'admin', '127.0.0.1'],
    ]);
    expect(await lantern(['tokens', 'list', '--server', address], { LANTERN_TOKEN: viewer })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'lantern: viewer may not call GET /api/tokens: this needs the admin role (or above) at some scope.\n',
    });
    expect(await lantern(['audit', '--server', 'http://127.0.0.1:1'], env)).toMatchObject({ code: 2, stderr: expect.stringMatching(/^lantern: Could not reach the Lantern server at http:\/\/127\.0\.0\.1:1: /) });
  });
});
