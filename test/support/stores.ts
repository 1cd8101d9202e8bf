import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { type OpenOptions, openStore, type Store } from '../../src/store/database.js';

/**
 * Every storage test runs on both stores: SQLite in a temporary file, and PostgreSQL when
 * LANTERN_TEST_DATABASE_URL points at a server (each store in a schema of its own, dropped when
 * the run ends). Without the variable the PostgreSQL suites are skipped with a message saying so.
 */
export const POSTGRES_URL = process.env.LANTERN_TEST_DATABASE_URL;

export type StoreKind = 'sqlite' | 'postgres';
let counter = 0;

/** `options` other than the schema apply to PostgreSQL only. */
export async function openTestStore(kind: StoreKind, options: Omit<OpenOptions, 'schema'> = {}): Promise<Store> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'lantern-test-'));
    const store = await openStore(join(dir, 'test.db'));
    return { ...store, close: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  if (!POSTGRES_URL) throw new Error('LANTERN_TEST_DATABASE_URL is not set');
  // Named after the run (test/support/postgres-schemas.ts), which drops them all when it ends.
  const run = process.env.LANTERN_TEST_RUN ?? 'adhoc';
  const schema = `lantern_t${run}_${process.pid}_${++counter}`;
  return openStore(POSTGRES_URL, { schema, poolSize: 4, ...options });
}

let warned = false;

/** Declares the suite once per store kind; `body` receives the kind to open stores with. */
export function describeEachStore(name: string, body: (kind: StoreKind) => void): void {
  describe(`${name} [sqlite]`, () => body('sqlite'));
  if (POSTGRES_URL) {
    describe(`${name} [postgres]`, () => body('postgres'));
    return;
  }
  if (!warned) {
    warned = true;
    console.warn('[lantern] LANTERN_TEST_DATABASE_URL is not set: the PostgreSQL runs of the storage tests are skipped.');
  }
  describe.skip(`${name} [postgres] (skipped: LANTERN_TEST_DATABASE_URL is not set)`, () => body('postgres'));
}
