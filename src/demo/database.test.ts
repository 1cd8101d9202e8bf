import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../domain/errors.js';
import { openStore } from '../store/database.js';
import { clearDemoDatabase, defaultDemoDatabase, isDemoDatabase, stampDemoDatabase } from './database.js';

describe('the demo database', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-demo-db-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lives in the temporary folder by default', () => {
    expect(defaultDemoDatabase()).toBe(join(tmpdir(), 'lantern-demo.db'));
  });

  it('is stamped in the file itself, so a stamped database is recognised once closed', async () => {
    const path = join(dir, 'demo.db');
    const store = await openStore(path);
    stampDemoDatabase(store);
    // Still open, WAL and all: the stamp is already in the main file.
    expect(isDemoDatabase(path)).toBe(true);
    await store.close();
    expect(isDemoDatabase(path)).toBe(true);
  });

  it('clears an earlier demo database and its WAL files, and nothing when there is none', async () => {
    const path = join(dir, 'demo.db');
    clearDemoDatabase(path);
    const store = await openStore(path);
    stampDemoDatabase(store);
    await store.close();
    writeFileSync(`${path}-wal`, '');
    writeFileSync(`${path}-shm`, '');
    clearDemoDatabase(path);
    expect([path, `${path}-wal`, `${path}-shm`].map(existsSync)).toEqual([false, false, false]);
  });

  it('refuses a Lantern database that is not a demo one, another file, a short file and a folder', async () => {
    const lanternDb = join(dir, 'lantern.db');
    await (await openStore(lanternDb)).close();
    const other = join(dir, 'notes.txt');
    writeFileSync(other, 'x'.repeat(200));
    const short = join(dir, 'short.db');
    writeFileSync(short, 'SQLite format 3\u0000');
    const folder = join(dir, 'folder.db');
    mkdirSync(folder);
    for (const path of [lanternDb, other, short, folder]) {
      expect(() => clearDemoDatabase(path), path).toThrow(InputError);
      expect(existsSync(path)).toBe(true);
    }
  });
});
