import type { Scope } from '../domain/scope.js';
import { listLocations } from '../store/catalog-locations.js';
import type { Store } from '../store/database.js';
import {
  type CatalogReadOptions,
  type LocationChangeHook,
  type LocationPreview,
  previewLocation,
  refreshLocation,
  type RefreshSummary,
  registerLocation,
  type RegisterOptions,
  unregisterLocation,
} from './refresh.js';
import type { LocationRow } from '../store/schema.js';

/** What refreshing every location gave: a summary, or the error that stopped that location's refresh. */
export type RefreshOutcome = { summary: RefreshSummary } | { location: LocationRow; error: Error };

/**
 * The catalog of one Lantern: its registered locations and their entities. Writes from one
 * process run one at a time (the refresh loop, the API and the CLI share this queue), each
 * location refresh in a transaction of its own.
 */
export class Catalog {
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly store: Store,
    readonly options: CatalogReadOptions = {},
  ) {}

  register(input: string, scope: Scope, options: Omit<RegisterOptions, keyof CatalogReadOptions> = {}): Promise<RefreshSummary> {
    return this.#inTurn(() => registerLocation(this.store, input, scope, { ...this.options, ...options }));
  }

  refresh(locationId: number, onChange?: LocationChangeHook): Promise<RefreshSummary> {
    return this.#inTurn(() => refreshLocation(this.store, locationId, this.options, onChange));
  }

  /**
   * Refreshes every location in registration order. One that fails (a conflict written meanwhile
   * by another server, a database error) does not stop the others.
   */
  refreshAll(onChange?: LocationChangeHook): Promise<RefreshOutcome[]> {
    return this.#inTurn(async () => {
      const outcomes: RefreshOutcome[] = [];
      for (const location of await listLocations(this.store.db)) {
        try {
          outcomes.push({ summary: await refreshLocation(this.store, location.id, this.options, onChange) });
        } catch (error) {
          outcomes.push({ location, error: error instanceof Error ? error : new Error(String(error)) });
        }
      }
      return outcomes;
    });
  }

  unregister(locationId: number, onChange?: LocationChangeHook): Promise<LocationRow> {
    return this.#inTurn(() => unregisterLocation(this.store, locationId, onChange));
  }

  preview(input: string, scope: Scope): Promise<LocationPreview> {
    return previewLocation(this.store, input, scope, this.options);
  }

  #inTurn<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
