/**
 * npm run bench:replicas — ingest throughput of `lantern serve` child processes over HTTP on
 * loopback: 400 generated Trivy reports of 50 vulnerabilities over 100 targets, uploaded at
 * concurrency 1, 4 and 16, on SQLite (one server, for reference) and on PostgreSQL with one and
 * with two replicas on one fresh schema. Each run starts on an empty database; every answer must
 * be 2xx, and the rows each run leaves must equal those of the sequential run (concurrency 1).
 * Goals (issue #17): PostgreSQL ≥ SQLite at concurrency 4; two replicas ≥ 1.6× one.
 * PostgreSQL: LANTERN_BENCH_DATABASE_URL or LANTERN_TEST_DATABASE_URL. BENCH_UPLOADS changes the count.
 * BENCH_DIST serves another build (its dist/ folder, e.g. an older commit's, built in a worktree).
 * BENCH_VARIANT=main uploads rescans of one variant instead of a new variant each round (benchUploads).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, withDefaultUser } from '../src/store/database.js';
import { printTable, serveLantern } from './measure.js';
import { BENCH_TARGETS, type BenchUpload, benchUploads } from './synthetic-reports.js';

const POSTGRES = process.env.LANTERN_BENCH_DATABASE_URL ?? process.env.LANTERN_TEST_DATABASE_URL;
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 400);
const CONCURRENCY = [1, 4, 16];
const MAIN = process.env.BENCH_DIST ? join(process.env.BENCH_DIST, 'cli/main.js') : new URL('../dist/cli/main.js', import.meta.url).pathname;
const COUNTED = ['targets', 'variants', 'scans', 'issues', 'scan_issues', 'occurrences'] as const;

const uploads: BenchUpload[] = benchUploads(UPLOADS, () => 50);

/** Starts `lantern serve` of this build on a free port and resolves with its address once it listens. */
function serve(db: string): Promise<{ child: ChildProcess; address: string }> {
  return serveLantern(MAIN, db);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Uploads every report, `concurrency` at a time, round-robin over the servers; returns reports/s and the non-2xx answers. */
async function uploadAll(addresses: string[], concurrency: number): Promise<{ rate: number; failures: string[] }> {
  let next = 0;
  const failures: string[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let k = next++; k < uploads.length; k = next++) {
        const upload = uploads[k] as BenchUpload;
        const response = await fetch(`${addresses[k % addresses.length]}/api/scans?${upload.query}`, { method: 'POST', body: upload.body, headers: { 'content-type': 'application/octet-stream' } });
        const text = await response.text();
        if (response.status < 200 || response.status > 299) failures.push(`${response.status} ${text.slice(0, 200)}`);
      }
    }),
  );
  return { rate: uploads.length / ((performance.now() - start) / 1000), failures };
}

async function counts(db: string): Promise<Record<string, number>> {
  const store = await openStore(db);
  try {
    const out: Record<string, number> = {};
    for (const table of COUNTED) out[table] = Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    return out;
  } finally {
    await store.close();
  }
}

interface Setup {
  name: string;
  replicas: number;
  /** A fresh, empty database URL, and how to remove it afterwards. */
  fresh(run: string): Promise<{ url: string; drop(): Promise<void> }>;
}

const sqlite: Setup = {
  name: 'SQLite',
  replicas: 1,
  fresh: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lantern-bench-replicas-'));
    return { url: join(dir, 'bench.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

function postgres(replicas: number): Setup {
  return {
    name: `PostgreSQL × ${replicas}`,
    replicas,
    fresh: async (run) => {
      const schema = `lantern_bench_replicas_${process.pid}_${run}`;
      const admin = async (statement: string) => {
        const client = new pg.Client({ connectionString: withDefaultUser(POSTGRES as string) });
        await client.connect();
        try {
          await client.query(statement);
        } finally {
          await client.end();
        }
      };
      await admin(`create schema ${schema}`);
      const url = new URL(POSTGRES as string);
      url.searchParams.set('options', `-c search_path=${schema}`);
      return { url: url.toString(), drop: () => admin(`drop schema ${schema} cascade`) };
    },
  };
}

const setups = [sqlite, ...(POSTGRES ? [postgres(1), postgres(2)] : [])];
if (!POSTGRES) console.log('PostgreSQL: skipped (set LANTERN_BENCH_DATABASE_URL or LANTERN_TEST_DATABASE_URL to measure it too)');

const rates = new Map<string, number>();
const problems: string[] = [];
for (const setup of setups) {
  let reference: Record<string, number> | undefined;
  for (const concurrency of CONCURRENCY) {
    const db = await setup.fresh(`${setup.replicas}_${concurrency}`);
    try {
      // One after the other: the first migrates the empty database.
      const servers = [];
      for (let r = 0; r < setup.replicas; r++) servers.push(await serve(db.url));
      try {
        const { rate, failures } = await uploadAll(servers.map((s) => s.address), concurrency);
        rates.set(`${setup.name} ${concurrency}`, rate);
        if (failures.length > 0) problems.push(`${setup.name} at concurrency ${concurrency}: ${failures.length} non-2xx answers, first: ${failures[0]}`);
        console.error(`${setup.name}, concurrency ${concurrency}: ${rate.toFixed(1)} reports/s, ${failures.length} non-2xx`);
      } finally {
        for (const server of servers) await stop(server.child);
      }
      const rows = await counts(db.url);
      if (!reference) reference = rows;
      else if (JSON.stringify(rows) !== JSON.stringify(reference)) {
        problems.push(`${setup.name} at concurrency ${concurrency} left ${JSON.stringify(rows)}, the sequential run ${JSON.stringify(reference)}`);
      }
    } finally {
      await db.drop();
    }
  }
}

const rate = (key: string) => rates.get(key);
const cell = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(1));
console.log(`\n${UPLOADS} uploads of Trivy reports with 50 vulnerabilities over ${BENCH_TARGETS} targets${process.env.BENCH_VARIANT ? `, every upload of variant ${process.env.BENCH_VARIANT}` : ''}, reports/s:`);
printTable(
  ['concurrency', ...setups.map((s) => s.name)],
  CONCURRENCY.map((c) => [String(c), ...setups.map((s) => cell(rate(`${s.name} ${c}`)))]),
);
if (POSTGRES) {
  const pg4 = rate('PostgreSQL × 1 4') ?? 0;
  const sqlite4 = rate('SQLite 4') ?? 0;
  console.log(`\nPostgreSQL ≥ SQLite at concurrency 4: ${pg4 >= sqlite4 ? 'met' : 'not met'} (${cell(pg4)} vs ${cell(sqlite4)})`);
  for (const c of CONCURRENCY.slice(1)) {
    const gain = (rate(`PostgreSQL × 2 ${c}`) ?? 0) / (rate(`PostgreSQL × 1 ${c}`) ?? 1);
    console.log(`two replicas ≥ 1.6× one at concurrency ${c}: ${gain >= 1.6 ? 'met' : 'not met'} (${gain.toFixed(2)}×)`);
  }
}
if (problems.length > 0) {
  console.log(`\n${problems.join('\n')}`);
  process.exitCode = 1;
} else {
  console.log('\nEvery answer was 2xx, and every run left the rows of the sequential run.');
}
