import { randomBytes } from 'node:crypto';
import type { Lantern } from '../lantern.js';
import { parseScope } from '../domain/scope.js';
import { isPostgres } from '../store/row-locks.js';
import { linkRows } from '../catalog/link-resolution.js';
import { indexTargets } from '../catalog/matching.js';
import { insertLinks, storedTargets } from '../store/target-links.js';
import { type AfterIngest, ingestReport } from './ingest.js';

/** How often rehearseIngest() ran and was skipped in this process (tests read it). */
export const rehearsals = { run: 0, skipped: 0 };

/** Where the rehearsal's link sits among its entity's: after any the catalog gives it. */
const LINK_POSITION = 1_000_000;

/** Ingests rehearsed on each connection, one after the other. */
const ROUNDS = 2;

/** Thrown by the rehearsal's last hook: what rolls its transaction back. */
class RehearsalDone extends Error {}

/** A small Trivy report: a fixable CVE with a GHSA alias, and one without a fix. */
const REPORT = new TextEncoder().encode(JSON.stringify({
  SchemaVersion: 2,
  ArtifactName: 'lantern-rehearsal',
  ArtifactType: 'filesystem',
  Results: [
    {
      Target: 'package-lock.json',
      Class: 'lang-pkgs',
      Type: 'npm',
      Vulnerabilities: [
        { VulnerabilityID: 'GHSA-0000-0000-0001', VendorIDs: ['CVE-2024-0001'], PkgName: 'rehearsal-a', InstalledVersion: '1.0.0', FixedVersion: '1.0.1', Severity: 'HIGH', Title: 'Rehearsal' },
        { VulnerabilityID: 'CVE-2024-0002', PkgName: 'rehearsal-b', InstalledVersion: '1.0.0', Severity: 'LOW', Title: 'Rehearsal' },
      ],
    },
  ],
}));

const ACCOUNT = parseScope('account');

/** What rehearseIngest did. */
export interface Rehearsal {
  rehearsed: boolean;
  /** The connections it ran on, each ROUNDS times (0 on SQLite). */
  connections: number;
  ms: number;
}

/**
 * On PostgreSQL, runs an ingest's whole path and rolls it back: a built-in report into a target of
 * its own, which the entity with the lowest id is given a link to first, so that the first scan's
 * link resolution finds it and every after-ingest hook runs as for a linked target (the entity's
 * summary, history, trends and scorecards refreshed). Nothing is kept: no target, link, scan, audit
 * entry or notification, and the sequences' gaps are the only trace.
 *
 * Why: a new connection's server process has to load every table, index, trigger function and
 * foreign-key check an ingest touches, and to plan each statement, on its first ingest. Measured
 * on this machine, the first ingest on a new pool took 96–136 ms where the next took 44–83 and the
 * steady ones 31–50; after a rehearsal the first real one took 63 (issue 17).
 *
 * It runs on each of the pool's connections but one that no other work holds, opening them
 * (Store.onEachConnection: it yields to requests that wait for a connection): any
 * read that takes two connections at once (an overview page does) changes which connection the
 * pool hands out next, so warming only the next one left the next ingest on a cold one as often
 * as not (stop 39: the server's log showed the bench's first scans on another backend than the
 * rehearsal's). `lantern serve` runs it once it listens, in the background. SQLite has no such
 * process to warm: skipped there (a rehearsal did not change its first ingest: stop 29). A failure
 * is the caller's to log; nothing depends on it.
 */
export async function rehearseIngest(lantern: Lantern, options: { now?: string; signal?: AbortSignal } = {}): Promise<Rehearsal> {
  const started = performance.now();
  const now = options.now ?? lantern.now();
  if (!isPostgres(lantern.store.db)) {
    rehearsals.skipped++;
    return { rehearsed: false, connections: 0, ms: 0 };
  }
  const entity = await lantern.store.db.selectFrom('entities').select('id').orderBy('id').limit(1).executeTakeFirst();
  let reached = false;
  let target = '';
  // The entity names the new target, as a catalog entry would before its first scan: the scan's
  // link resolution then finds, locks and resolves the link, and the entity is refreshed showing it.
  const link: AfterIngest = async (trx) => {
    if (!entity) return;
    // Its row as the catalog writes an annotation entry's before the target exists (not found).
    const spec = { name: target, scope: ACCOUNT, origin: 'annotation' as const, entry: 0, problems: [] };
    const rows = linkRows(entity.id, [spec], indexTargets([]), await storedTargets(trx, []), now);
    await insertLinks(lantern.store, trx, rows.map((row) => ({ ...row, position: LINK_POSITION })));
  };
  const done: AfterIngest = async () => {
    reached = true;
    throw new RehearsalDone();
  };
  // Stops the runs on the other connections: the caller's signal, or a run that ended early.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const rehearse = async () => {
    // Twice: a connection sends a statement it sees the second time as a named one, which the server
    // parses then; from the third time on it is only bound and run (store/database.ts).
    for (let round = 0; round < ROUNDS; round++) {
      target = `lantern-rehearsal/${randomBytes(6).toString('hex')}`;
      const request = { report: REPORT, source: 'rehearsal', target, targetType: 'repository' as const, variant: 'main', scope: ACCOUNT, scannedAt: now };
      reached = false;
      try {
        await ingestReport(lantern.store, request, [link, ...lantern.afterIngest, done]);
      } catch (error) {
        if (!(error instanceof RehearsalDone)) throw error;
      }
      if (!reached) {
        // The ingest ended before its last hook: so would it on the other connections.
        stop.abort();
        return;
      }
    }
  };
  const connections = await lantern.store.onEachConnection(rehearse, { signal });
  if (reached) rehearsals.run++;
  return { rehearsed: reached, connections, ms: performance.now() - started };
}
