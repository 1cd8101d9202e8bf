import type { Store } from '../store/database.js';
import { takeQueuedHintRefresh } from '../store/link-hint-refreshes.js';
import { lockLinkResolution } from '../store/row-locks.js';
import { refreshHintsNear } from './link-resolution.js';

/**
 * The similar-name hints of waiting links, refreshed after the ingest that created a target near
 * their names has committed (link-resolution.ts relinkTarget queues them; migration 0040).
 *
 * A hint ("a target with a similar name does: …") is a diagnostic: no entity shows anything else
 * for it. Rewriting every hint a new name enters inside the ingest made the first scan of a target
 * near a thousand waiting links take 60–100 ms, most of it that rewrite. Now the ingest answers
 * once its scan and the links that have the target's name are stored, and this refreshes the
 * rest, one queued target per transaction, in the background of the process that ingested.
 *
 * A queued row outlives a process that stops first: the next refresh of any process takes it (one
 * runs when a server starts, and after every ingest that queued a target). Refreshes of several
 * processes take turns on the link-resolution lock, so each row is refreshed once.
 */
export class LinkHintRefresher {
  #running: Promise<void> | undefined;
  #again = false;
  #refreshed = 0;

  /** Told of each queued target whose hints were refreshed, and of each refresh that failed (metrics). */
  onOutcome: (outcome: 'refreshed' | 'failed') => void = () => undefined;

  /** Told of a refresh that failed; its row stays queued for the next. */
  onError: (error: unknown) => void = (error) => {
    console.error(`lantern: the similar-name hints of waiting links were not refreshed (they will be after the next ingest): ${error instanceof Error ? error.message : String(error)}`);
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

  /** Resolves once no refresh runs: what was queued before the last kick is refreshed (or failed). */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Targets whose hints this process refreshed since it started. */
  get refreshed(): number {
    return this.#refreshed;
  }

  async #drain(): Promise<void> {
    while (await refreshQueuedHints(this.store)) {
      this.#refreshed++;
      this.onOutcome('refreshed');
    }
  }
}

/**
 * Refreshes the hints near the target queued first, in one transaction; false when none was
 * queued. The link-resolution lock is taken first, as by the first scans and the catalog writes
 * that store links: the refresh sees what they committed, and two refreshes never take one row.
 */
export function refreshQueuedHints(store: Store): Promise<boolean> {
  return store.transaction(
    async (trx) => {
      await lockLinkResolution(trx);
      const targetId = await takeQueuedHintRefresh(trx);
      if (targetId === undefined) return false;
      await refreshHintsNear(trx, targetId);
      return true;
    },
    { retry: true },
  );
}
