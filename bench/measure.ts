import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { withDefaultUser } from '../src/store/database.js';

/** Runs a plain JavaScript worker in a fresh Node process and returns the JSON of its last line. */
export function runNodeWorker(script: URL, args: string[]): Measurement {
  const result = spawnSync(process.execPath, [fileURLToPath(script), ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`worker ${args.join(' ')} failed: ${result.stderr}`);
  const last = result.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as Measurement;
}

/** What one benchmark worker process reports: its wall time and its peak resident memory. */
export interface Measurement {
  ms: number;
  peakRssBytes: number;
  [key: string]: number;
}

/**
 * Runs `script --worker ...args` in a fresh Node process (through tsx) and returns the JSON it
 * prints on its last line, so every measurement starts from a clean heap and peak RSS is its own.
 */
export function runWorker(script: string, args: string[]): Measurement {
  const tsx = fileURLToPath(import.meta.resolve('tsx'));
  const result = spawnSync(process.execPath, ['--import', tsx, script, '--worker', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`worker ${args.join(' ')} failed: ${result.stderr}`);
  const last = result.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as Measurement;
}

export function report(values: Record<string, number>): void {
  process.stdout.write(`${JSON.stringify({ ...values, peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Prints rows as an aligned text table. */
export function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  console.log(line(head));
  for (const row of rows) console.log(line(row));
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/**
 * Latencies of sequential calls of `request` (which answers an HTTP status) after `warmUp` calls,
 * as [p50, p95] in ms: `count` calls, or fewer (at least 5) once `budgetMs` has gone by. Every
 * answer must be 200.
 */
export async function latencies(request: () => Promise<number>, count: number, options: { warmUp?: number; budgetMs?: number } = {}): Promise<[number, number]> {
  for (let i = 0; i < (options.warmUp ?? 30); i++) await request();
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const status = await request();
    times.push(performance.now() - start);
    if (status !== 200) throw new Error(`a request answered ${status}`);
    if (times.length >= 5 && performance.now() - started > (options.budgetMs ?? Infinity)) break;
  }
  times.sort((a, b) => a - b);
  return [percentile(times, 50), percentile(times, 95)];
}

/** A GET of `base + path()` that reads the whole body and answers the status. */
export function httpGet(base: string, path: () => string, headers: Record<string, string> = {}): () => Promise<number> {
  return async () => {
    const response = await fetch(base + path(), { headers });
    await response.arrayBuffer();
    return response.status;
  };
}

/**
 * Starts `lantern serve` from the build whose CLI is `main` on a free port, anyone an admin, no
 * catalog refresh, and resolves with its address once it listens. `nodeArgs` go to its node.
 */
export function serveLantern(main: string, db: string, nodeArgs: readonly string[] = []): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(process.execPath, [...nodeArgs, main, 'serve', '--db', db, '--anonymous', 'admin', '--port', '0', '--refresh-interval', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      err += text;
      const match = / on (http:\/\/\S+)/.exec(err);
      if (match) resolve({ child, address: match[1] as string });
    });
    child.on('exit', (code) => reject(new Error(`lantern serve exited with ${code}: ${err}`)));
  });
}

/** Drops a bench's PostgreSQL schema (`drop schema if exists … cascade`) over a connection of its own. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDefaultUser(url) });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}
