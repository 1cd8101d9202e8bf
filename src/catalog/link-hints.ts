import type { Store } from '../store/database.js';
import { doneLinkHints, takeLinkHints } from '../store/link-hint-queue.js';
import { refreshHintsNear } from './link-resolution.js';

/**
 * The similar-name hints a new target changes, refreshed after its first scan commits rather than
 * inside it (issue 17). A name a few characters from those of many waiting links used to make its
 * first scan rewrite their hints while it held the link lock: with 1 000 such links, 45–50 ms of
 * its ~110 ms on PostgreSQL. The scan now resolves in its own transaction the links of its very
 * name (what it can match, what is shown), and queues the target (0040-link-hint-queue.ts); the
 * hints, which only suggest a name, follow a moment later.
 *
 * A queued target is refreshed by the process that queued it, as soon as the scan commits
 * (LinkHintRefresher.kick), and otherwise by the periodic sweep (`lantern serve`, every minute:
 * a process that stopped between the commit and the refresh leaves its rows queued), and before a
 * Lantern closes (a CLI ingest exits with its hints refreshed).
 */

/**
 * Refreshes queued targets, the longest queued first, one per transaction, until the queue is
 * empty (or `limit` targets were done). Returns how many were done.
 */
export async function refreshQueuedHints(store: Store, limit = Number.POSITIVE_INFINITY): Promise<number> {
  let done = 0;
  while (done < limit) {
    const took = await store.transaction(
      async (trx) => {
        const targetId = await takeLinkHints(trx);
        if (targetId === undefined) return false;
        await refreshHintsNear(trx, targetId);
        await doneLinkHints(trx, targetId);
        return true;
      },
      { retry: true },
    );
    if (!took) break;
    done++;
  }
  return done;
}

/**
 * Runs refreshQueuedHints in the background, one run at a time: a kick during a run makes it look
 * at the queue once more when it ends, so a target queued meanwhile is not left for the sweep.
 * A failure (the database gone, say) is reported to `onError`; the targets stay queued for the
 * next kick or sweep.
 */
export class LinkHintRefresher {
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;
  /** What the runs did in this process (the background's and the sweep's): targets refreshed, the time they took, runs that failed. */
  readonly totals = { targets: 0, ms: 0, failures: 0 };
  /** Told of each run as it ends (lantern serve counts them in its metrics). */
  onRun: ((run: { targets: number; ms: number; failed: boolean }) => void) | undefined;
  onError: (error: unknown) => void = (error) => {
    console.error(`lantern: similar-name hints not refreshed (they stay queued for the next sweep): ${error instanceof Error ? error.message : String(error)}`);
  };

  constructor(private readonly store: Store) {}

  /** Starts a run, or asks the running one to look again. */
  kick(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#run().finally(() => {
      this.#running = undefined;
    });
  }

  async #run(): Promise<void> {
    do {
      this.#again = false;
      try {
        await this.#refresh();
      } catch (error) {
        this.onError(error);
        return;
      }
    } while (this.#again && !this.#closed);
  }

  /** One pass over the queue, counted. */
  async #refresh(): Promise<number> {
    const started = performance.now();
    let targets = 0;
    let failed = true;
    try {
      targets = await refreshQueuedHints(this.store);
      failed = false;
      return targets;
    } finally {
      const ms = performance.now() - started;
      this.totals.targets += targets;
      this.totals.ms += ms;
      if (failed) this.totals.failures++;
      this.onRun?.({ targets, ms, failed });
    }
  }

  /** Resolves when no run is going on (the one going on, and any it was asked to look again for). */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Refreshes every queued target now, after any run going on: the sweep. Returns how many. */
  async drain(): Promise<number> {
    await this.settled();
    return this.#refresh();
  }

  /** No run starts after this; resolves once the one going on has ended. */
  async close(): Promise<void> {
    await this.settled();
    this.#closed = true;
  }
}
