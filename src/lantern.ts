import type { Kysely } from 'kysely';
import { Catalog } from './catalog/catalog.js';
import { relinkAfterIngest, relinkTarget } from './catalog/link-resolution.js';
import type { CatalogReadOptions } from './catalog/refresh.js';
import { type RefreshEntities, sweepExpired } from './insights/exemption-actions.js';
import { entitiesShowingTarget, refreshSummaries } from './insights/summaries.js';
import { type AfterIngest, type IngestRequest, type IngestResult, ingestReport } from './ingest/ingest.js';
import { DEFAULT_MAX_REPORT_MB } from './ingest/report-file.js';
import { databaseUrlFrom, openStore, type Store } from './store/database.js';
import type { Database } from './store/schema.js';
import { type BaselineUpdate, setBaseline } from './store/targets.js';
import { type DefinedScorecard, ScorecardDefinitions, type ScorecardOptions } from './scorecards/definitions.js';
import { evaluateScorecards, type ScorecardEvaluation } from './scorecards/evaluate.js';

const now = () => new Date().toISOString();

export interface LanternOptions {
  /** Reports larger than this are refused before they are read. */
  maxReportBytes?: number;
  /** How the catalog reads files and URLs (tests stand in for them). */
  catalog?: CatalogReadOptions;
  /** Which scorecards to evaluate besides those defined through the API. */
  scorecards?: ScorecardOptions;
  /** The time now, ISO 8601: what summaries and scorecards are computed at (tests stand in for it). */
  clock?: () => string;
}

/** Work that follows a change to a target (its baseline), inside the same transaction. */
export type AfterTargetChange = (trx: Kysely<Database>, targetId: number) => Promise<void>;

/**
 * The composition root: one store and the modules that react to its changes. Ingest, catalog
 * refresh and scorecard evaluation all go through here, so every entry point (CLI, HTTP API, demo)
 * triggers the same follow-up work, in the same transaction.
 */
export class Lantern {
  readonly maxReportBytes: number;
  /** Run inside every ingest transaction, in order, after the scan is written. */
  readonly afterIngest: AfterIngest[] = [];
  /** Run inside the transaction that changed a target's baseline. */
  readonly afterTargetChange: AfterTargetChange[] = [];
  readonly catalog: Catalog;
  readonly scorecards: ScorecardDefinitions;
  readonly #clock: () => string;

  constructor(
    readonly store: Store,
    options: LanternOptions = {},
  ) {
    this.maxReportBytes = options.maxReportBytes ?? DEFAULT_MAX_REPORT_MB * 1024 * 1024;
    this.#clock = options.clock ?? now;
    this.scorecards = new ScorecardDefinitions(options.scorecards);
    // Entities written by a catalog refresh get their summaries and scorecards in the same transaction.
    this.catalog = new Catalog(store, { ...options.catalog, afterWrite: (trx, ids) => this.refreshEntities(trx, ids, this.#clock()) });
    // A scan can give a target link its first data, a new variant to show, or a new name to suggest;
    // then every entity showing the target gets its summary (and history, at the scan's date) anew.
    this.afterIngest.push(relinkAfterIngest, async (trx, scan) => {
      const { scanned_at } = await trx.selectFrom('scans').select('scanned_at').where('id', '=', scan.scanId).executeTakeFirstOrThrow();
      await this.refreshEntities(trx, await entitiesShowingTarget(trx, [scan.targetId]), scanned_at);
    });
    // Links that show a target's baseline change with it, and so do the summaries.
    this.afterTargetChange.push(async (trx, targetId) => {
      await relinkTarget(trx, targetId, { isNew: false });
      await this.refreshEntities(trx, await entitiesShowingTarget(trx, [targetId]), this.#clock());
    });
  }

  /** The time now, as this Lantern's clock tells it. */
  now(): string {
    return this.#clock();
  }

  /**
   * Recomputes the summaries of entities whose security or catalog data changed (their history
   * dated `asOf`), then their scorecard results, in the caller's transaction.
   */
  readonly refreshEntities: RefreshEntities = async (trx, entityIds, asOf, at = this.#clock()) => {
    await refreshSummaries(this.store, trx, entityIds, asOf, at);
    await evaluateScorecards(this.store, trx, await this.scorecards.list(trx), { entityIds, now: at });
  };

  /**
   * Evaluates every scorecard over every entity at `at` and stores what changed, with the day's
   * history: time alone changes some data points (days since the last scan). `lantern serve` runs
   * it at start and every hour; `lantern scorecards evaluate` runs it once.
   */
  async evaluateScorecards(at: string = this.#clock()): Promise<ScorecardEvaluation[]> {
    return this.store.transaction(async (trx) => evaluateScorecards(this.store, trx, await this.scorecards.list(trx), { now: at }));
  }

  /**
   * Defines (or replaces) a scorecard through the API and evaluates it over every entity, in one
   * transaction: a bad definition stores nothing.
   */
  defineScorecard(body: unknown): Promise<{ scorecard: DefinedScorecard; created: boolean; evaluation: ScorecardEvaluation }> {
    return this.store.transaction(async (trx) => {
      const at = this.#clock();
      const saved = await this.scorecards.save(trx, body, at);
      const [evaluation] = await evaluateScorecards(this.store, trx, [saved.scorecard], { now: at });
      return { ...saved, evaluation: evaluation as ScorecardEvaluation };
    });
  }

  /** Deletes a scorecard defined through the API, with its results and history. */
  deleteScorecard(id: string): Promise<void> {
    return this.store.transaction((trx) => this.scorecards.remove(trx, id));
  }

  ingest(request: IngestRequest): Promise<IngestResult> {
    return ingestReport(this.store, request, this.afterIngest);
  }

  /** Sets a target's baseline; what entities show of the target follows at once. */
  setBaseline(targetId: number, baseline: BaselineUpdate): Promise<void> {
    return this.store.transaction(async (trx) => {
      await setBaseline(trx, targetId, baseline);
      for (const hook of this.afterTargetChange) await hook(trx, targetId);
    });
  }

  /**
   * Recomputes the summaries an exemption stopped covering when it expired since the last sweep
   * (the first sweep looks back 30 days). `lantern serve` runs it every minute.
   */
  async sweepExpiredExemptions(at: string = this.#clock()): Promise<number> {
    const since = this.#lastSweep ?? new Date(Date.parse(at) - 30 * 24 * 60 * 60 * 1000).toISOString();
    const swept = await sweepExpired(this.store, since, at, this.refreshEntities);
    this.#lastSweep = at;
    return swept;
  }

  #lastSweep: string | undefined;

  close(): Promise<void> {
    return this.store.close();
  }
}

/** Opens the database (migrating it) and wires every module's hooks. */
export async function openLantern(databaseUrl: string | undefined, options: LanternOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<Lantern> {
  const store = await openStore(databaseUrlFrom(databaseUrl, env));
  return new Lantern(store, options);
}
