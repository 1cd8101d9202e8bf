import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../domain/errors.js';
import type { Store } from '../store/database.js';

/**
 * The demo's SQLite database is deleted and built again on every run. So that `lantern demo
 * --db PATH` can never delete someone's real database, the demo stamps its own in the SQLite
 * header (`PRAGMA application_id`) and deletes only files that carry the stamp.
 */
const DEMO_APPLICATION_ID = 0x4c4e5444; // "LNTD"
const SQLITE_HEADER = 'SQLite format 3\u0000';
const APPLICATION_ID_OFFSET = 68;

/** Where `lantern demo` builds its database unless told otherwise: the OS's temporary folder. */
export function defaultDemoDatabase(): string {
  return join(tmpdir(), 'lantern-demo.db');
}

/**
 * Makes room for a fresh demo database at `path`: deletes an earlier demo database there (with
 * its WAL files), and refuses anything else.
 */
export function clearDemoDatabase(path: string): void {
  if (existsSync(path)) {
    if (!isDemoDatabase(path)) {
      throw new InputError(
        `${path} exists and is not a Lantern demo database; the demo builds a fresh database and deletes the old one, so it will not touch this file: give another --db, or delete the file yourself.`,
      );
    }
    rmSync(path);
  }
  for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}

/** Stamps a freshly created demo database, and writes the stamp into the file itself (not only the WAL). */
export function stampDemoDatabase(store: Store): void {
  if (!store.sqlite) throw new Error('The demo database is a SQLite file.');
  store.sqlite.pragma(`application_id = ${DEMO_APPLICATION_ID}`);
  store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
}

export function isDemoDatabase(path: string): boolean {
  if (!statSync(path).isFile()) return false;
  const header = Buffer.alloc(100);
  const fd = openSync(path, 'r');
  try {
    if (readSync(fd, header, 0, header.length, 0) < header.length) return false;
  } finally {
    closeSync(fd);
  }
  return header.toString('latin1', 0, SQLITE_HEADER.length) === SQLITE_HEADER && header.readUInt32BE(APPLICATION_ID_OFFSET) === DEMO_APPLICATION_ID;
}
