import { sql } from 'kysely';
import type { Store } from './database.js';

export type LeaseOutcome<T> = { ran: true; value: T } | { ran: false };

/**
 * Runs `work` unless another process of the cluster is running the same job now, so that periodic
 * work (scorecard evaluation, the exemption expiry sweep, the catalog refresh) runs once per tick
 * however many replicas serve one database.
 *
 * On PostgreSQL the lease is a transaction-level advisory lock, taken without waiting on a
 * connection of its own and held while `work` runs on others; it ends with that transaction, so a
 * replica that dies or loses its connection releases it. The key is the job's name within the
 * schema, so deployments (and test runs) in other schemas of one database never skip each other.
 * SQLite is one server process by design: `work` always runs.
 */
export async function withJobLease<T>(store: Store, job: string, work: () => Promise<T>): Promise<LeaseOutcome<T>> {
  if (store.dialect === 'sqlite') return { ran: true, value: await work() };
  return store.db.transaction().execute(async (trx): Promise<LeaseOutcome<T>> => {
    // The lease's transaction idles while the job runs on other connections, as long as the job
    // takes: it is the one transaction exempt from the idle timeout (database.ts DEFAULT_IDLE_TRANSACTION_TIMEOUT_MS).
    const { rows } = await sql<{ leased: boolean }>`select set_config('idle_in_transaction_session_timeout', '0', true) as idle, pg_try_advisory_xact_lock(hashtextextended(${`lantern job ${job} in `} || current_schema(), 0)) as leased`.execute(trx);
    if (!rows[0]?.leased) return { ran: false };
    return { ran: true, value: await work() };
  });
}
