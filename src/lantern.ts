import { type AfterIngest, type IngestRequest, type IngestResult, ingestReport } from './ingest/ingest.js';
import { DEFAULT_MAX_REPORT_MB } from './ingest/report-file.js';
import type { Kysely } from 'kysely';
import { databaseUrlFrom, openStore, type Store } from './store/database.js';
import type { Database } from './store/schema.js';
import { type BaselineUpdate, setBaseline } from './store/targets.js';

export interface LanternOptions {
  /** Reports larger than this are refused before they are read. */
  maxReportBytes?: number;
}

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
  readonly afterTargetChange: ((trx: Kysely<Database>, targetId: number) => Promise<void>)[] = [];

  constructor(
    readonly store: Store,
    options: LanternOptions = {},
  ) {
    this.maxReportBytes = options.maxReportBytes ?? DEFAULT_MAX_REPORT_MB * 1024 * 1024;
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

  close(): Promise<void> {
    return this.store.close();
  }
}

/** Opens the database (migrating it) and wires every module's hooks. */
export async function openLantern(databaseUrl: string | undefined, options: LanternOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<Lantern> {
  const store = await openStore(databaseUrlFrom(databaseUrl, env));
  return new Lantern(store, options);
}
