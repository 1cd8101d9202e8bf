import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lantern } from '../../../test/support/cli.js';
import { cliDatabase } from '../../../test/support/cli-database.js';
import { describeEachStore, type StoreKind } from '../../../test/support/stores.js';
import { nameKeys } from '../../catalog/matching.js';
import { parseScope } from '../../domain/scope.js';
import { openStore, type Store } from '../../store/database.js';
import { rehearsals } from '../../ingest/rehearsal.js';
import { forgetKeptNames, keptNamesUse, REHEARSED_LOOKUPS } from '../../store/similar-names.js';
import { targetsForLinks } from '../../store/target-links.js';
import { targetKeyColumns } from '../../store/targets.js';
import { run } from '../program.js';
import { parseInterval } from '../../domain/interval.js';
import { refreshIntervalOption } from './serve.js';

const TESTDATA = fileURLToPath(new URL('../../catalog/testdata/store/', import.meta.url));

describe('--refresh-interval', () => {
  it('reads 30s, 5m, 1h and plain seconds', () => {
    expect([parseInterval('30s'), parseInterval('5m'), parseInterval('1h'), parseInterval('90'), parseInterval('0.5'), parseInterval('0')]).toEqual([30_000, 300_000, 3_600_000, 90_000, 500, 0]);
  });

  it('refuses anything else with exit 2 and one line', async () => {
    expect(await lantern(['serve', '--refresh-interval', 'soon'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'lantern: Invalid --refresh-interval "soon": expected a duration such as 30s, 5m or 1h, or a number of seconds.\n',
    });
  });

  it('refuses an interval under 30 seconds, so that Lantern cannot be made to hammer the hosts of its catalog', async () => {
    for (const interval of ['0.1', '5s', '29']) {
      expect(await lantern(['serve', '--refresh-interval', interval])).toEqual({
        code: 2,
        stdout: '',
        stderr: `lantern: Invalid --refresh-interval "${interval}": catalog locations are read again at most every 30 seconds; give 30s or more, or 0 for never.\n`,
      });
    }
    expect([refreshIntervalOption('30s'), refreshIntervalOption('0')]).toEqual([30_000, 0]);
  });
});

it('refuses a port in use with one line and exit 2, printing nothing before it', async () => {
  const { createServer } = await import('node:net');
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen({ port: 0, host: '127.0.0.1' }, resolve));
  const port = (taken.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'lantern-serve-port-'));
  try {
    const db = join(dir, 'new.db');
    expect(await lantern(['serve', '--port', String(port), '--db', db])).toEqual({ code: 2, stdout: '', stderr: `lantern: Port ${port} on 127.0.0.1 is already in use; choose another with --port.\n` });
    expect(await lantern(['demo', '--port', String(port), '--db', join(dir, 'demo.db')])).toEqual({ code: 2, stdout: '', stderr: `lantern: Port ${port} on 127.0.0.1 is already in use; choose another with --port.\n` });
  } finally {
    taken.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

describeEachStore('lantern serve --catalog', (kind: StoreKind) => {
  let dir: string;
  let db: string;
  let store: Store | undefined;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-serve-'));
    cpSync(TESTDATA, join(dir, 'catalog'), { recursive: true });
    ({ url: db, store } = await cliDatabase(kind, dir));
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers --catalog at start-up, reads it again on request, and stops the refresh loop on shutdown', async () => {
    let stderr = '';
    let exited: Promise<number> = Promise.resolve(-1);
    let stop = () => undefined as void;
    const stopSignal = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const listening = new Promise<string>((resolve) => {
      const io = {
        out: () => undefined,
        err: (text: string) => {
          stderr += text;
          const address = /on (http:\/\/\S+)\n/.exec(stderr)?.[1];
          if (address) resolve(address);
        },
        env: { LANTERN_LOG_LEVEL: 'silent' },
        stopSignal,
      };
      exited = run(['serve', '--port', '0', '--db', db, '--catalog', join(dir, 'catalog', 'catalog-info.yaml'), '--catalog-scope', 'acme.pay', '--refresh-interval', '30s', '--anonymous', 'viewer'], io);
    });
    const address = await listening;
    expect(stderr).toContain(`Catalog ${join(dir, 'catalog', 'catalog-info.yaml')} [acme.pay]: 6 entities\n`);
    const names = async () => ((await (await fetch(`${address}/api/catalog/entities?fields=metadata.name&order=asc:metadata.name`)).json()) as Array<{ metadata: { name: string } }>).map((e) => e.metadata.name);
    expect(await names()).toEqual(['checkout', 'checkout-services', 'ledger', 'payments', 'payments-api', 'team-a']);
    // On SQLite the server's WAL is checkpointed by a thread of its own (sqlite-checkpointer.ts).
    const metrics = await (await fetch(`${address}/api/metrics`)).text();
    if (kind === 'sqlite') expect(metrics).toMatch(/^lantern_sqlite_wal_checkpoint_thread_up 1$/m);
    else expect(metrics).not.toContain('lantern_sqlite_wal_checkpoint');

    const ledger = join(dir, 'catalog', 'services', 'ledger.yaml');
    writeFileSync(ledger, readFileSync(ledger, 'utf8').replace('name: ledger', 'name: billing'));
    // The loop's interval is at least 30 seconds (the loop itself is tested in refresh-loop.test.ts).
    // Anonymous callers only read (--anonymous viewer); the admin token printed at the first start may refresh.
    expect((await fetch(`${address}/api/catalog/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' } })).status).toBe(403);
    const token = /\b(lnt_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43})\b/.exec(stderr)?.[1];
    expect(token).toBeDefined();
    expect((await fetch(`${address}/api/catalog/refresh`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(await names()).toEqual(['billing', 'checkout', 'checkout-services', 'payments', 'payments-api', 'team-a']);

    stop();
    expect(await exited).toBe(0);
    expect(stderr).toContain('Stopping: finishing requests in flight…\n');
  });

  it('refuses a --catalog path that does not exist with exit 2, before listening', async () => {
    const result = await lantern(['serve', '--port', '0', '--db', db, '--catalog', join(dir, 'nowhere.yaml')], { LANTERN_LOG_LEVEL: 'silent' });
    expect(result).toEqual({ code: 2, stdout: '', stderr: `lantern: The file or folder ${join(dir, 'nowhere.yaml')} does not exist.\n` });
  });

  it('reads the names of the scopes ahead once it listens, so that the first similar-name lookup reads none', async () => {
    const names = Array.from({ length: 40 }, (_, n) => `registry.acme.io/svc-${n}`);
    const writer = store ?? (await openStore(db));
    await writer.db
      .insertInto('targets')
      .values(names.map((name) => ({ scope: 'acme.pay', org_id: null, project_id: null, name, name_key: name, ...targetKeyColumns(name), type: 'container', baseline_variant: null, baseline_regex: null, created_at: '2026-01-01T00:00:00.000Z' })))
      .execute();
    forgetKeptNames();
    const before = { ...keptNamesUse };
    const rehearsed = { ...rehearsals };
    let stderr = '';
    let stop = () => undefined as void;
    const stopSignal = new Promise<void>((resolve) => {
      stop = resolve;
    });
    let exited: Promise<number> = Promise.resolve(-1);
    await new Promise<void>((resolve) => {
      const io = {
        out: () => undefined,
        err: (text: string) => {
          stderr += text;
          if (/Lantern is serving .* on http/.test(stderr)) resolve();
        },
        env: { LANTERN_LOG_LEVEL: 'silent' },
        stopSignal,
      };
      exited = run(['serve', '--port', '0', '--db', db], io);
    });
    try {
      // In the background, after listening.
      for (let wait = 0; keptNamesUse.warmed === before.warmed && wait < 100; wait++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(keptNamesUse.warmed).toBe(before.warmed + 1);
      const found = await targetsForLinks(writer.db, [nameKeys('registry.acme.io/svc-x9', parseScope('acme.pay'))]);
      expect(found.targets.map((t) => t.name)).toContain('registry.acme.io/svc-9');
      expect(keptNamesUse).toMatchObject({ read: before.read, kept: before.kept + 1 });
      // After the names, the ingest path is rehearsed on PostgreSQL and rolled back; SQLite skips it.
      for (let wait = 0; rehearsals.run + rehearsals.skipped === rehearsed.run + rehearsed.skipped && wait < 100; wait++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(rehearsals).toEqual(kind === 'postgres' ? { run: rehearsed.run + 1, skipped: rehearsed.skipped } : { run: rehearsed.run, skipped: rehearsed.skipped + 1 });
      // Before it, on either store, the weighing of the names read ahead was rehearsed in memory.
      expect(keptNamesUse.rehearsed).toBe(before.rehearsed + REHEARSED_LOOKUPS);
      expect(await writer.db.selectFrom('scans').select('id').execute()).toEqual([]);
      expect((await writer.db.selectFrom('targets').select('name').execute()).map((t) => t.name)).toHaveLength(names.length);
      // Nor do the names kept for similar-name hints hold its target.
      const near = await targetsForLinks(writer.db, [nameKeys('lantern-rehearsal/000000000000', parseScope('account'))]);
      expect(near.targets.filter((t) => t.name.startsWith('lantern-rehearsal/'))).toEqual([]);
    } finally {
      stop();
      expect(await exited).toBe(0);
      if (!store) await writer.close();
    }
  });
});
