/**
 * npm run bench:similar-names-warm (node --expose-gc --import tsx bench/similar-names-warm.ts) — what reading a scope's names ahead
 * when `lantern serve` starts (store/similar-names.ts warmKeptNames) saves the first similar-name
 * lookup of a process (issue 17).
 *
 * A scope of --names image names (default 100 000) whose similarity keys all have the length of
 * the link's. Round after round, in alternating order, the names kept are forgotten (a process
 * that just started), then either a link no target has is resolved at once (cold: the lookup
 * reads every name of the near lengths), or the names are read ahead first and then the link is
 * resolved (warm). Wall time and this process's CPU time (on SQLite the database's work is in it,
 * on PostgreSQL not); for the warm-up itself, its time, the longest the event loop waited during
 * it (what a request arriving then waits), and the heap it keeps (after a GC, with --expose-gc).
 *
 *   --store S     sqlite, postgres or both (default sqlite)
 *   --names N     names of the scope (default 100 000)
 *   --rounds N    rounds (default 10)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { nameKeys } from '../src/catalog/matching.js';
import { parseScope } from '../src/domain/scope.js';
import { openStore, type Store } from '../src/store/database.js';
import { forgetKeptNames, keptNamesUse, warmKeptNames } from '../src/store/similar-names.js';
import { targetsForLinks } from '../src/store/target-links.js';
import { targetKeyColumns } from '../src/store/targets.js';
import { POSTGRES } from './estate.js';
import { dropSchema, median, printTable } from './measure.js';

const { values: flags } = parseArgs({ options: { store: { type: 'string', default: 'sqlite' }, names: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '10' } } });
const NAMES = Number(flags.names);
const ROUNDS = Number(flags.rounds);
const kinds = (flags.store === 'both' ? ['sqlite', 'postgres'] : [flags.store]) as Array<'sqlite' | 'postgres'>;
if (kinds.includes('postgres') && !POSTGRES) throw new Error('--store postgres: set LANTERN_BENCH_DATABASE_URL or LANTERN_TEST_DATABASE_URL.');
const gc = (globalThis as { gc?: () => void }).gc;

async function open(kind: 'sqlite' | 'postgres'): Promise<{ store: Store; remove: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'lantern-bench-warm-'));
    const store = await openStore(join(dir, 'scratch.db'));
    return { store, remove: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const schema = `lantern_bench_warm_${process.pid}`;
  const store = await openStore(POSTGRES as string, { schema });
  return { store, remove: async () => { await store.close(); await dropSchema(POSTGRES as string, schema); } };
}

const target = (name: string) => ({ scope: 'account', org_id: null, project_id: null, name, name_key: name, ...targetKeyColumns(name), type: 'container', baseline_variant: null, baseline_regex: null, created_at: '2026-01-01T00:00:00.000Z' });
const cpuSince = (usage: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(usage);
  return (used.user + used.system) / 1000;
};
const heap = () => {
  gc?.();
  return process.memoryUsage().heapUsed;
};
/** The longest the event loop did not turn (a chain of setImmediate) until stop() resolves. */
function eventLoopProbe(): { stop: () => Promise<number> } {
  let last = performance.now();
  let worst = 0;
  let on = true;
  const turn = () => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
    if (on) setImmediate(turn);
  };
  setImmediate(turn);
  return {
    stop: async () => {
      await new Promise((resolve) => setImmediate(resolve));
      on = false;
      return worst;
    },
  };
}
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

const rows: string[][] = [];
for (const kind of kinds) {
  const { store, remove } = await open(kind);
  try {
    console.log(`${kind}: ${NAMES.toLocaleString('en')} image names … (load ${load()})`);
    for (let k = 0; k < NAMES; k += 1000) {
      await store.db.insertInto('targets').values(Array.from({ length: Math.min(1000, NAMES - k) }, (_, n) => target(`registry.acme.io/svc-${String(k + n).padStart(5, '0')}`))).execute();
    }
    const link = [nameKeys('registry.acme.io/svc-w0000', parseScope('account'))];
    // Once, so that neither variant pays for compiling the code.
    await targetsForLinks(store.db, link);
    const lookup = { cold: [] as number[], warm: [] as number[] };
    const lookupCpu = { cold: [] as number[], warm: [] as number[] };
    const warmUp: number[] = [];
    const warmUpCpu: number[] = [];
    const stalls: number[] = [];
    const kept: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of round % 2 === 0 ? (['cold', 'warm'] as const) : (['warm', 'cold'] as const)) {
        forgetKeptNames();
        if (variant === 'warm') {
          const before = heap();
          const probe = eventLoopProbe();
          const usage = process.cpuUsage();
          const start = performance.now();
          const done = await warmKeptNames(store.db);
          warmUp.push(performance.now() - start);
          stalls.push(await probe.stop());
          warmUpCpu.push(cpuSince(usage));
          kept.push(heap() - before);
          if (done.names !== NAMES) throw new Error(`bench: warmed ${done.names} names, not ${NAMES}.`);
        }
        const reads = keptNamesUse.read;
        const usage = process.cpuUsage();
        const start = performance.now();
        await targetsForLinks(store.db, link);
        lookup[variant].push(performance.now() - start);
        lookupCpu[variant].push(cpuSince(usage));
        if ((keptNamesUse.read === reads) !== (variant === 'warm')) throw new Error(`bench: the ${variant} lookup ${variant === 'warm' ? 'read' : 'did not read'} the names.`);
      }
    }
    const ms = (list: number[]) => [`${median(list).toFixed(1)} ms`, `${Math.max(...list).toFixed(1)} ms`];
    rows.push([kind, 'first lookup of a process, cold (reads every name of the near lengths)', ...ms(lookup.cold), `${median(lookupCpu.cold).toFixed(1)} ms`]);
    rows.push([kind, 'first lookup of a process, after the warm-up', ...ms(lookup.warm), `${median(lookupCpu.warm).toFixed(1)} ms`]);
    rows.push([kind, 'the warm-up itself (every name of the scope)', ...ms(warmUp), `${median(warmUpCpu).toFixed(1)} ms`]);
    rows.push([kind, 'longest event-loop wait during the warm-up', ...ms(stalls), '']);
    rows.push([kind, `heap kept by the warm-up${gc ? '' : ' (run with --expose-gc)'}`, `${(median(kept) / 1024 / 1024).toFixed(1)} MB`, `${(Math.max(...kept) / 1024 / 1024).toFixed(1)} MB`, '']);
    rows.push([kind, 'cold / warm first lookup (median wall, median CPU)', (median(lookup.cold) / median(lookup.warm)).toFixed(1), '', (median(lookupCpu.cold) / median(lookupCpu.warm)).toFixed(1)]);
    console.log(`${kind}: done (load ${load()})`);
  } finally {
    await remove();
  }
}
printTable(['store', 'case', 'median', 'max', 'process CPU (median)'], rows);
