import { existsSync } from 'node:fs';
import { InputError } from '../domain/errors.js';
import { DEFAULT_PROJECT_SCOPE, parseScope, type Scope } from '../domain/scope.js';
import type { Lantern, LanternOptions } from '../lantern.js';
import type { Store } from '../store/database.js';
import type { CliIo } from './io.js';

/**
 * Thrown by a command that has printed its report and found problems in the user's input
 * (`catalog validate` with an error): the run exits 1 without another message.
 */
export class ProblemsFound extends Error {
  override name = 'ProblemsFound';
  constructor() {
    super('The command reported problems.');
  }
}

/**
 * Opens the store named by --db (or LANTERN_DATABASE_URL, or lantern.db), runs `work`, closes it.
 * The store's modules load here, not at start-up, so that `--help` and `--version` stay quick.
 */
export async function withStore<T>(io: CliIo, db: string | undefined, work: (store: Store) => Promise<T>, { readOnly = false } = {}): Promise<T> {
  const { databaseUrlFrom, isPostgresUrl, openStore } = await import('../store/database.js');
  const url = databaseUrlFrom(db, io.env);
  // A command that only reads would otherwise create an empty database at a mistyped path.
  const file = url.replace(/^sqlite:/i, '');
  if (readOnly && !isPostgresUrl(url) && file !== ':memory:' && file !== '' && !existsSync(file)) {
    throw new InputError(`No database at ${file}: give --db (or LANTERN_DATABASE_URL) naming an existing one; \`lantern ingest\` creates one with its first report.`);
  }
  const store = await openStore(url);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/**
 * Opens Lantern on the store named by --db, runs `work`, closes it. Commands that write go
 * through Lantern, so that the same follow-up work (target links …) runs as in the server.
 */
export async function withLantern<T>(io: CliIo, db: string | undefined, options: LanternOptions, work: (lantern: Lantern) => Promise<T>): Promise<T> {
  const { Lantern } = await import('../lantern.js');
  return withStore(io, db, (store) => work(new Lantern(store, options)));
}

/** `--scope`: `ORG.PROJECT` or `account`; the default project when absent. */
export function scopeOption(value: string | undefined): Scope {
  return value === undefined ? DEFAULT_PROJECT_SCOPE : parseScope(value, '--scope');
}

export function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InputError(`Invalid ${flag} ${JSON.stringify(value)}: expected a positive number.`);
  return n;
}
