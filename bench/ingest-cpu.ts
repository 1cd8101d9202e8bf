/**
 * tsx bench/ingest-cpu.ts [dist-dir …] — CPU time per uploaded report on PostgreSQL, split between
 * the `lantern serve` process and the PostgreSQL backends that serve its pool, for the upload phase
 * of bench/replicas.ts (400 Trivy reports of 50 vulnerabilities over 100 targets, concurrency 4,
 * one replica, fresh schema). CPU time (utime + stime from /proc/<pid>/stat) is far less sensitive
 * to other load on the machine than wall time. With several dist directories (builds to compare),
 * runs alternate between them BENCH_ROUNDS times (default 2): copy a build's dist/ with package.json
 * and scorecards/ beside it (bench/out/<name>/) to keep it. BENCH_NODE_ARGS are passed to the
 * servers' node (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"). BENCH_FINDINGS=A-B gives each report
 * between A and B vulnerabilities (spread evenly, the same for every build) instead of 50, as real
 * scans of different images differ. BENCH_VARIANT=main uploads rescans of one variant instead of a
 * new variant each round (synthetic-reports.ts: benchUploads). Linux only.
 * PostgreSQL: LANTERN_BENCH_DATABASE_URL or LANTERN_TEST_DATABASE_URL.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { withDefaultUser } from '../src/store/database.js';
import { serveLantern } from './measure.js';
import { BENCH_TARGETS, benchUploads } from './synthetic-reports.js';

const POSTGRES = process.env.LANTERN_BENCH_DATABASE_URL ?? process.env.LANTERN_TEST_DATABASE_URL;
if (!POSTGRES) throw new Error('set LANTERN_BENCH_DATABASE_URL or LANTERN_TEST_DATABASE_URL');
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 400);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const dists = process.argv.length > 2 ? process.argv.slice(2) : [new URL('../dist', import.meta.url).pathname];
const TICK_MS = 1000 / 100; // USER_HZ

const FINDINGS = findingsRange(process.env.BENCH_FINDINGS ?? '50-50');

function findingsRange(value: string): (k: number) => number {
  const match = /^(\d+)-(\d+)$/.exec(value);
  const [low, high] = match ? [Number(match[1]), Number(match[2])] : [Number.NaN, Number.NaN];
  if (!(low >= 1 && high >= low)) throw new Error(`BENCH_FINDINGS ${JSON.stringify(value)}: expected A-B with 1 ≤ A ≤ B, e.g. 10-90.`);
  // A fixed spread (k × a prime, modulo the range) so that every build uploads the same reports.
  return (k) => low + ((k * 37) % (high - low + 1));
}

const uploads = benchUploads(UPLOADS, FINDINGS);

/** utime + stime of a process in ms, or 0 once it has gone. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

async function admin<T extends pg.QueryResultRow>(statement: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: withDefaultUser(POSTGRES as string) });
  await client.connect();
  try {
    return (await client.query<T>(statement)).rows;
  } finally {
    await client.end();
  }
}

function serve(dist: string, db: string): Promise<{ child: ChildProcess; address: string }> {
  return serveLantern(resolve(dist, 'cli/main.js'), db, process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []);
}

async function backends(app: string): Promise<Map<number, number>> {
  const rows = await admin<{ pid: number }>(`select pid from pg_stat_activity where application_name = '${app}'`);
  return new Map(rows.map((r) => [r.pid, cpuMs(r.pid)]));
}

async function run(dist: string, label: string): Promise<{ node: number; pg: number; rate: number }> {
  const app = `lantern_cpu_${process.pid}_${label}`;
  await admin(`create schema ${app}`);
  try {
    const url = new URL(POSTGRES as string);
    url.searchParams.set('options', `-c search_path=${app}`);
    url.searchParams.set('application_name', app);
    const { child, address } = await serve(dist, url.toString());
    try {
      const pid = child.pid as number;
      const node0 = cpuMs(pid);
      const pg0 = await backends(app);
      let next = 0;
      let failures = 0;
      const start = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let k = next++; k < uploads.length; k = next++) {
            const upload = uploads[k] as (typeof uploads)[number];
            const response = await fetch(`${address}/api/scans?${upload.query}`, { method: 'POST', body: upload.body, headers: { 'content-type': 'application/octet-stream' } });
            await response.text();
            if (!response.ok) failures++;
          }
        }),
      );
      const seconds = (performance.now() - start) / 1000;
      const node = cpuMs(pid) - node0;
      const pg1 = await backends(app);
      let pgMs = 0;
      for (const [backend, ms] of pg1) pgMs += ms - (pg0.get(backend) ?? 0);
      if (failures > 0) throw new Error(`${failures} non-2xx answers`);
      return { node: node / UPLOADS, pg: pgMs / UPLOADS, rate: UPLOADS / seconds };
    } finally {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }
    }
  } finally {
    await admin(`drop schema ${app} cascade`);
  }
}

console.log(`${UPLOADS} uploads over ${BENCH_TARGETS} targets at concurrency ${CONCURRENCY}, ${process.env.BENCH_FINDINGS ?? '50'} vulnerabilities a report${process.env.BENCH_VARIANT ? `, every upload of variant ${process.env.BENCH_VARIANT}` : ''}`);
const results = new Map<string, { node: number; pg: number; rate: number }[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, dist] of dists.entries()) {
    const r = await run(dist, `${round}_${i}`);
    (results.get(dist) ?? results.set(dist, []).get(dist))?.push(r);
    console.log(`${dist} round ${round}: node ${r.node.toFixed(2)} ms/report, postgres ${r.pg.toFixed(2)} ms/report, total ${(r.node + r.pg).toFixed(2)}, ${r.rate.toFixed(1)} reports/s`);
  }
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
for (const [dist, rs] of results) {
  console.log(`${dist}: node ${mean(rs.map((r) => r.node)).toFixed(2)}, postgres ${mean(rs.map((r) => r.pg)).toFixed(2)}, total ${mean(rs.map((r) => r.node + r.pg)).toFixed(2)} ms/report; ${mean(rs.map((r) => r.rate)).toFixed(1)} reports/s`);
}
