import { TooManyRequestsError } from '../domain/errors.js';
import type { Scope } from '../domain/scope.js';
import { listLocations } from '../store/catalog-locations.js';
import type { Store } from '../store/database.js';
import type { CatalogReadOptions, LocationChangeHook, LocationPreview, RefreshSummary, RegisterOptions } from './refresh.js';
import type { LocationRow } from '../store/schema.js';

/**
 * The modules that read and validate catalog files (Backstage's catalog-model among them, about a
 * second to load), loaded when the catalog is first read: `lantern ingest` never pays for them.
 */
function reading(): Promise<typeof import('./refresh.js')> {
  return import('./refresh.js');
}

/** How long after a read one location may be read again on request. */
export const DEFAULT_MIN_REFRESH_INTERVAL_MS = 30_000;

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
    return this.#inTurn(async () => (await reading()).registerLocation(this.store, input, scope, { ...this.options, ...options }));
  }

  refresh(locationId: number, onChange?: LocationChangeHook): Promise<RefreshSummary> {
    return this.#inTurn(async () => (await reading()).refreshLocation(this.store, locationId, this.options, onChange));
  }

  /**
   * Refreshes one location on a request from outside (the API), unless it was read less than
   * minRefreshIntervalMs ago: then a TooManyRequestsError, so that requests cannot make Lantern
   * read one URL over and over.
   */
  requestRefresh(location: LocationRow, onChange?: LocationChangeHook, now = Date.now()): Promise<RefreshSummary> {
    const minMs = this.options.minRefreshIntervalMs ?? DEFAULT_MIN_REFRESH_INTERVAL_MS;
    const readAt = location.last_read_at === null ? Number.NaN : Date.parse(location.last_read_at);
    const waitMs = readAt + minMs - now;
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      throw new TooManyRequestsError(
        `The location ${location.target} was read ${Math.max(0, Math.floor((now - readAt) / 1000))} seconds ago; one location is read again at most every ${minMs / 1000} seconds, so ask again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
        seconds,
      );
    }
    return this.refresh(location.id, onChange);
  }

  /**
   * Refreshes every location in registration order. One that fails (a conflict written meanwhile
   * by another server, a database error) does not stop the others.
   */
  refreshAll(onChange?: LocationChangeHook): Promise<RefreshOutcome[]> {
    return this.#inTurn(async () => {
      const { refreshLocation } = await reading();
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
    return this.#inTurn(async () => (await reading()).unregisterLocation(this.store, locationId, onChange));
  }

  async preview(input: string, scope: Scope): Promise<LocationPreview> {
    return (await reading()).previewLocation(this.store, input, scope, this.options);
  }

  #inTurn<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
