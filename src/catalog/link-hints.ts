import type { Store } from '../store/database.js';
import { MAX_HINT_REFRESH_FAILURES, nextHintRefresh, recordHintRefreshFailure, retryFailedHintRefreshes, takeHintRefresh } from '../store/link-hint-refreshes.js';
import { applyHintRefresh, planHintRefresh } from './link-resolution.js';

/**
 * The similar-name hints of waiting links, refreshed after the ingest that created a target near
 * their names has committed (link-resolution.ts relinkTarget queues them; migrations 0040 and 0041).
 *
 * A hint ("a target with a similar name does: …") is a diagnostic: no entity shows anything else
 * for it. Rewriting every hint a new name enters inside the ingest made the first scan of a target
 * near a thousand waiting links take 60–100 ms, most of it that rewrite. Now the ingest answers
 * once its scan and the links that have the target's name are stored, and this refreshes the
 * rest, one queued target at a time, in the background of the process that ingested: weighed
 * without a transaction, written in a short one, so that uploads wait for none of the weighing.
 *
 * A queued row outlives a process that stops first: the next refresh of any process takes it (one
 * runs when a server starts, and after every ingest that queued a target). The transaction that
 * writes a refresh takes its row, so each row is refreshed once: a second process that weighed
 * the same target finds it taken, and writes nothing. A target whose
 * refresh fails goes behind the others, and after MAX_HINT_REFRESH_FAILURES failures waits for a
 * server's start (store/link-hint-refreshes.ts).
 */
export class LinkHintRefresher {
  #running: Promise<void> | undefined;
  #again = false;
  #retryFailed = false;
  #refreshed = 0;

  /** Told of each queued target whose hints were refreshed, and of each refresh that failed (metrics). */
  onOutcome: (outcome: 'refreshed' | 'failed') => void = () => undefined;

  /** Told of a refresh that failed; its row stays queued for the next. */
  onError: (error: unknown) => void = (error) => {
    console.error(`lantern: the similar-name hints of waiting links were not refreshed (they stay queued for the next refresh): ${errorMessage(error)}`);
  };

  /** Told of a target whose refresh has now failed MAX_HINT_REFRESH_FAILURES times: it waits for a server's start. */
  onGivenUp: (targetId: number) => void = (targetId) => {
    console.error(
      `lantern: the similar-name hints near target ${targetId} failed to refresh ${MAX_HINT_REFRESH_FAILURES} times; they are tried again when a server starts`,
    );
  };

  constructor(private readonly store: Store) {}

  /** Starts refreshing what is queued, in the background; a refresh running already goes on once more. */
  kick(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#drain()
      .catch((error: unknown) => {
        this.onOutcome('failed');
        this.onError(error);
      })
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.kick();
        }
      });
  }

  /**
   * A server's start: the targets whose refresh failed MAX_HINT_REFRESH_FAILURES times are taken
   * again (an upgrade may have fixed the cause), and everything queued is refreshed.
   */
  start(): void {
    this.#retryFailed = true;
    this.kick();
  }

  /**
   * Kicks a refresh every `ms` (`lantern serve`: every minute), so that rows a failure or a database
   * outage left queued are refreshed without waiting for the next first scan; returns what stops it.
   */
  every(ms: number): () => void {
    const timer = setInterval(() => this.kick(), ms).unref();
    return () => clearInterval(timer);
  }

  /** Resolves once no refresh runs: what was queued before the last kick is refreshed (or failed). */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Targets whose hints this process refreshed since it started. */
  get refreshed(): number {
    return this.#refreshed;
  }

  /**
   * Refreshes queued targets until none is left to take. A target whose refresh fails has the
   * failure counted on its row and is skipped for the rest of this drain, so that one target the
   * refresh cannot handle never holds up the others. A failure before any target was taken (the
   * database) ends the drain: the next kick tries again.
   */
  async #drain(): Promise<void> {
    if (this.#retryFailed) {
      this.#retryFailed = false;
      await retryFailedHintRefreshes(this.store.db);
    }
    const failed = new Set<number>();
    for (;;) {
      let refreshed: { refreshed: boolean } | undefined;
      try {
        refreshed = await refreshQueuedHints(this.store, failed);
      } catch (error) {
        if (!(error instanceof HintRefreshFailed)) throw error;
        failed.add(error.targetId);
        this.onOutcome('failed');
        this.onError(error);
        // Best effort: if the database is gone, the row stays as it was, and the next drain ends at once.
        const failures = await recordHintRefreshFailure(this.store.db, error.targetId, errorMessage(error.cause)).catch(() => undefined);
        if (failures === MAX_HINT_REFRESH_FAILURES) this.onGivenUp(error.targetId);
        continue;
      }
      if (refreshed === undefined) return;
      // Another process's refresh took it first: nothing of ours to count.
      if (!refreshed.refreshed) continue;
      this.#refreshed++;
      this.onOutcome('refreshed');
    }
  }
}

/** The refresh of one queued target failed; its row is back in the queue. */
export class HintRefreshFailed extends Error {
  constructor(
    readonly targetId: number,
    cause: unknown,
  ) {
    super(`the similar-name hints near target ${targetId} were not refreshed: ${errorMessage(cause)}`, { cause });
    this.name = 'HintRefreshFailed';
  }
}

/**
 * Refreshes the hints near the target queued first (but those in `skip`) and returns its id, with
 * whether this refresh wrote it (false when another took it first); undefined when none was left.
 * The hints are weighed outside any transaction, then written with the queued row taken in one
 * short transaction (link-resolution.ts: planHintRefresh, applyHintRefresh): the link-resolution
 * lock is not taken, since the target is committed and every link written from now on sees it.
 * A failure once a target was read is a HintRefreshFailed.
 */
export async function refreshQueuedHints(store: Store, skip?: ReadonlySet<number>): Promise<{ targetId: number; refreshed: boolean } | undefined> {
  const targetId = await nextHintRefresh(store.db, skip);
  if (targetId === undefined) return undefined;
  try {
    const plan = await planHintRefresh(store.db, targetId);
    const refreshed = await store.transaction(
      async (trx) => {
        if (!(await takeHintRefresh(trx, targetId))) return false;
        await applyHintRefresh(trx, targetId, plan);
        return true;
      },
      { retry: true },
    );
    return { targetId, refreshed };
  } catch (error) {
    throw new HintRefreshFailed(targetId, error);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
