import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ANONYMOUS_ADMIN } from '../../test/support/server.js';
import { POSTGRES_URL } from '../../test/support/stores.js';
import { startTcpProxy, type TcpProxy } from '../../test/support/tcp-proxy.js';
import { Lantern } from '../lantern.js';
import { openStore, type Store } from '../store/database.js';
import { buildServer, type LanternApp } from './server.js';

const query = 'target=acme%2Fpayments&type=repository&variant=main';

function trivyReport(count: number, prefix = 'CVE-2024'): string {
  const vulnerabilities = Array.from({ length: count }, (_, i) => ({ VulnerabilityID: `${prefix}-${i}`, PkgName: `package-${i}`, InstalledVersion: '1.0.0', Severity: 'HIGH' }));
  return JSON.stringify({ SchemaVersion: 2, ArtifactName: '.', ArtifactType: 'filesystem', Results: [{ Target: 'package-lock.json', Class: 'lang-pkgs', Type: 'npm', Vulnerabilities: vulnerabilities }] });
}

/** Every error a test may cause in this process that nothing handled: there must be none. */
function watchUnhandled(): { errors: unknown[]; stop(): void } {
  const errors: unknown[] = [];
  const record = (error: unknown) => errors.push(error);
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
  return {
    errors,
    stop: () => {
      process.off('uncaughtException', record);
      process.off('unhandledRejection', record);
    },
  };
}

/** Lets socket events (closed connections, the pool's error events) arrive. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

function expectUnavailable(response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, method: string, url: string, retryAfter: string, says: string): void {
  expect(response.statusCode).toBe(503);
  expect(response.headers['retry-after']).toBe(retryAfter);
  const body = response.json() as { error: { name: string; message: string }; request: unknown; response: unknown };
  expect(body.error.name).toBe('UnavailableError');
  expect(body.error.message).toContain(says);
  expect(body.request).toEqual({ method, url });
  expect(body.response).toEqual({ statusCode: 503 });
}

let counter = 0;

describe.skipIf(!POSTGRES_URL)('a PostgreSQL outage, through a proxy the test cuts [postgres]', () => {
  let proxy: TcpProxy;
  let lantern: Lantern;
  let app: LanternApp;
  let direct: Store;
  let unhandled: ReturnType<typeof watchUnhandled>;

  beforeEach(async () => {
    unhandled = watchUnhandled();
    const upstream = new URL(POSTGRES_URL as string);
    proxy = await startTcpProxy(upstream.hostname, Number(upstream.port || 5432));
    const throughProxy = new URL(POSTGRES_URL as string);
    throughProxy.hostname = '127.0.0.1';
    throughProxy.port = String(proxy.port);
    const schema = `lantern_t${process.env.LANTERN_TEST_RUN ?? 'adhoc'}_${process.pid}_outage${++counter}`;
    lantern = new Lantern(await openStore(throughProxy.toString(), { schema, poolSize: 4 }));
    app = await buildServer(lantern, { auth: ANONYMOUS_ADMIN, webRoot: false });
    // The test's own way in, around the proxy, to see what was stored.
    direct = await openStore(POSTGRES_URL as string, { schema, poolSize: 1 });
  });
  afterEach(async () => {
    await proxy.restore();
    await app.close();
    await lantern.close();
    await direct.close();
    await proxy.close();
    unhandled.stop();
  });

  const upload = (report: string) => app.inject({ method: 'POST', url: `/api/scans?${query}`, payload: report, headers: { 'content-type': 'application/json' } });

  it('answers 503 with Retry-After while the database is cut, stays live, and serves again once it is back', async () => {
    expect((await upload(trivyReport(3))).statusCode).toBe(201);
    // Several reads at once, so that the pool holds idle connections when they are cut.
    await Promise.all(Array.from({ length: 4 }, () => app.inject({ method: 'GET', url: '/api/targets' })));

    await proxy.cut();
    await settle();
    expectUnavailable(await app.inject({ method: 'GET', url: '/api/health/ready' }), 'GET', '/api/health/ready', '5', 'The database is not reachable; Lantern retries by itself — try again in 5 seconds.');
    expectUnavailable(await app.inject({ method: 'GET', url: '/api/health' }), 'GET', '/api/health', '5', 'not reachable');
    expectUnavailable(await app.inject({ method: 'GET', url: '/api/targets' }), 'GET', '/api/targets', '5', 'The database is not reachable');
    expectUnavailable(await upload(trivyReport(2, 'CVE-2025')), 'POST', `/api/scans?${query}`, '5', 'not reachable');
    const live = await app.inject({ method: 'GET', url: '/api/health/live' });
    expect(live.statusCode).toBe(200);
    expect(live.json()).toEqual({ status: 'ok' });

    // Four answers above were 503 for the outage; the metrics need no database to answer.
    const metrics = await app.inject({ method: 'GET', url: '/api/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toMatch(/^lantern_db_unavailable_total 4$/m);

    await proxy.restore();
    const ready = await app.inject({ method: 'GET', url: '/api/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok', database: 'postgres' });
    const targets = await app.inject({ method: 'GET', url: '/api/targets' });
    expect(targets.statusCode).toBe(200);
    expect(JSON.stringify(targets.json())).toContain('acme/payments');
    expect((await upload(trivyReport(2, 'CVE-2025'))).statusCode).toBe(201);
    expect(unhandled.errors).toEqual([]);
  });

  it('fails an ingest whose connection is cut mid-transaction with a 503 JSON answer, no crash and no partial scan', async () => {
    let armed = true;
    // Inside the ingest's transaction, after its scan and issues are written and before it
    // commits: the connection the transaction holds (idle between statements) is cut.
    lantern.afterIngest.push(async () => {
      if (!armed) return;
      armed = false;
      await proxy.cut();
      await settle();
    });
    expectUnavailable(await upload(trivyReport(50)), 'POST', `/api/scans?${query}`, '5', 'not reachable');
    expect(armed).toBe(false);

    await proxy.restore();
    const counts = await direct.db
      .selectNoFrom((eb) => [eb.selectFrom('scans').select(eb.fn.countAll<number>().as('n')).as('scans'), eb.selectFrom('issues').select(eb.fn.countAll<number>().as('n')).as('issues'), eb.selectFrom('targets').select(eb.fn.countAll<number>().as('n')).as('targets')])
      .executeTakeFirstOrThrow();
    expect(counts).toEqual({ scans: 0, issues: 0, targets: 0 });
    // The same report goes in once the database is back.
    const again = await upload(trivyReport(50));
    expect(again.statusCode).toBe(201);
    expect(again.json().counts.total).toBe(50);
    expect(unhandled.errors).toEqual([]);
  });
});

describe('a SQLite file another process is writing to [sqlite]', () => {
  let dir: string;
  let lantern: Lantern;
  let app: LanternApp;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-locked-'));
    // A short busy timeout, so that the test need not wait the default 10 s for the 503.
    lantern = new Lantern(await openStore(join(dir, 'lantern.db'), { busyTimeoutMs: 200 }));
    app = await buildServer(lantern, { auth: ANONYMOUS_ADMIN, webRoot: false });
  });
  afterEach(async () => {
    await app.close();
    await lantern.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const upload = (report: string) => app.inject({ method: 'POST', url: `/api/scans?${query}`, payload: report, headers: { 'content-type': 'application/json' } });

  it('answers a write 503 with Retry-After, not 500, while another process holds the write lock longer than the busy timeout; reads still answer', async () => {
    expect((await upload(trivyReport(3))).statusCode).toBe(201);
    // Another process (another Lantern server, a CLI ingest) in a long write transaction.
    const holder = spawn(process.execPath, ['-e', `const db = new (require('better-sqlite3'))(process.argv[1]); db.exec('begin immediate'); process.stdout.write('locked\\n'); process.stdin.on('end', () => { db.exec('rollback'); db.close(); }); process.stdin.resume();`, join(dir, 'lantern.db')], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => holder.on('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (text: Buffer) => text.toString().includes('locked') && resolve());
        holder.on('exit', (code) => reject(new Error(`the lock holder exited with ${code}`)));
      });
      expectUnavailable(
        await upload(trivyReport(2, 'CVE-2025')),
        'POST',
        `/api/scans?${query}`,
        '2',
        'The database is busy: another Lantern process is writing to the SQLite file, which takes one writer at a time; try again in 2 seconds.',
      );
      expect((await app.inject({ method: 'GET', url: '/api/health/ready' })).statusCode).toBe(200);
      const targets = await app.inject({ method: 'GET', url: '/api/targets' });
      expect(targets.statusCode).toBe(200);
      expect(JSON.stringify(targets.json())).toContain('acme/payments');
    } finally {
      holder.stdin.end();
      await exited;
    }
    expect((await upload(trivyReport(2, 'CVE-2025'))).statusCode).toBe(201);
  });
});
