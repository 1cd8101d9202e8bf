import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './database.js';
import { type Checkpoint, SQLITE_AUTOCHECKPOINT_PAGES, SqliteCheckpointer, WAL_BACKSTOP_PAGES } from './sqlite-checkpointer.js';

/**
 * SQLite only: PostgreSQL writes its WAL back by its own checkpointer process, never in a commit.
 * The writer's commits used to checkpoint the WAL themselves every 1 000 pages; a server's store
 * has a thread do it (sqlite-checkpointer.ts).
 */
describe('SQLite WAL checkpoints in a thread of their own', () => {
  let dir: string;
  let path: string;
  let handle: BetterSqlite3.Database | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-checkpoint-'));
    path = join(dir, 'test.db');
  });
  afterEach(() => {
    handle?.close();
    handle = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const open = () => {
    const db = new BetterSqlite3(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('create table blobs (id integer primary key, data blob)');
    return db;
  };
  const pageSize = (db: BetterSqlite3.Database) => db.pragma('page_size', { simple: true }) as number;
  /** Commits of about `pages` pages each. */
  const write = (db: BetterSqlite3.Database, commits: number, pages: number) => {
    const insert = db.prepare('insert into blobs (data) values (?)');
    for (let c = 0; c < commits; c++) db.transaction(() => {
      for (let p = 0; p < pages; p++) insert.run(Buffer.alloc(pageSize(db) - 200, c + p));
    })();
  };
  const walPages = (db: BetterSqlite3.Database) => statSync(`${path}-wal`).size / pageSize(db);
  const until = async (done: () => boolean, what: string) => {
    for (let wait = 0; !done(); wait++) {
      if (wait > 200) throw new Error(`gave up waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  it('leaves the writer’s own checkpoints for a WAL far longer than SQLite’s 1 000 pages', async () => {
    handle = open();
    // A thread that would look only after the test: the commits alone decide the WAL's length.
    const checkpointer = new SqliteCheckpointer(path, handle, 60_000);
    try {
      expect(handle.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_BACKSTOP_PAGES);
      write(handle, 10, 300);
      // With the writer's checkpoints the WAL starts over after 1 000 pages and stays near that.
      expect(walPages(handle)).toBeGreaterThan(2_500);
    } finally {
      await checkpointer.stop();
    }
    expect(handle.pragma('wal_autocheckpoint', { simple: true })).toBe(SQLITE_AUTOCHECKPOINT_PAGES);
  });

  it('still has the commits checkpoint a WAL past its backstop, should the thread not keep up', async () => {
    handle = open();
    const checkpointer = new SqliteCheckpointer(path, handle, 60_000, 2_000);
    try {
      write(handle, 10, 300);
      // Checkpointed by the commit past 2 000 pages, the WAL started over and stays near that.
      expect(walPages(handle)).toBeLessThan(2_500);
    } finally {
      await checkpointer.stop();
    }
  });

  it('the writer alone, for comparison, starts its WAL over after 1 000 pages', () => {
    handle = open();
    write(handle, 10, 300);
    expect(walPages(handle)).toBeLessThan(1_500);
  });

  it('copies the WAL into the database file from its thread, and the writer then starts the WAL over', async () => {
    handle = open();
    const checkpointer = new SqliteCheckpointer(path, handle, 20);
    const heard: Checkpoint[] = [];
    checkpointer.on('checkpoint', (done) => heard.push(done));
    try {
      write(handle, 4, 300);
      await until(() => heard.some((c) => c.checkpointed === c.log && c.log >= 1_200), 'a checkpoint of the whole WAL');
      expect(checkpointer.stats.checkpoints).toBe(heard.length);
      // Every page written is in the database file now.
      expect(statSync(path).size / pageSize(handle)).toBeGreaterThanOrEqual(1_200);
      // Every frame being in the file, the next commit writes from the WAL's start: it does not grow.
      const before = walPages(handle);
      write(handle, 1, 100);
      expect(walPages(handle)).toBe(before);
      expect(handle.prepare('select count(*) as n from blobs').get()).toEqual({ n: 1_300 });
    } finally {
      await checkpointer.stop();
    }
    expect(checkpointer.running).toBe(false);
    await checkpointer.stop();
  });

  it('skips its looks while another connection holds the file locked, and checkpoints once it is free', async () => {
    handle = open();
    // The writer holds the file exclusively from its next write on: no other connection may read it.
    handle.pragma('locking_mode = EXCLUSIVE');
    write(handle, 1, 10);
    const checkpointer = new SqliteCheckpointer(path, handle, 20);
    const heard: Checkpoint[] = [];
    checkpointer.on('checkpoint', (done) => heard.push(done));
    try {
      await until(() => checkpointer.stats.busy >= 3, 'looks that found the file locked');
      expect(checkpointer.running).toBe(true);
      expect(heard).toEqual([]);
      // Released (the lock goes with the next read in normal mode): the thread copies the WAL.
      handle.pragma('locking_mode = NORMAL');
      handle.prepare('select count(*) from blobs').get();
      await until(() => heard.length > 0, 'a checkpoint after the lock went');
      expect(checkpointer.running).toBe(true);
    } finally {
      await checkpointer.stop();
    }
  });

  it('gives the writer its checkpoints back and says why when the thread cannot go on', async () => {
    handle = open();
    const checkpointer = new SqliteCheckpointer(join(dir, 'gone.db'), handle, 20);
    const failure = new Promise<Error>((resolve) => checkpointer.once('failure', resolve));
    expect((await failure).message).toMatch(/^the WAL checkpoint thread stopped: .+; the writer checkpoints the WAL itself again \(every 1000 pages\)\.$/);
    expect(checkpointer.running).toBe(false);
    expect(handle.pragma('wal_autocheckpoint', { simple: true })).toBe(SQLITE_AUTOCHECKPOINT_PAGES);
    await checkpointer.stop();
  });

  it('lets a process that closes the store and has nothing else to do end normally', async () => {
    // The store's close waits for the thread: a process with nothing else pending used to exit at
    // that wait with code 13 (an unsettled top-level await) before the writer was closed.
    const script = join(dir, 'close.mts');
    const database = new URL('./database.ts', import.meta.url).href;
    writeFileSync(script, `const { openStore } = await import(${JSON.stringify(database)});
const store = await openStore(${JSON.stringify(path)}, { checkpointInThread: true });
store.sqlite.exec('create table t (x)');
await store.close();
console.log('closed');
`);
    const result = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000 });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: 'closed\n', stderr: '' });
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  describe('a store opened with checkpointInThread', () => {
    let store: Store | undefined;
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });

    it('has the thread, and the writer’s checkpoints wait for the backstop, until it closes; other stores keep SQLite’s', async () => {
      store = await openStore(path, { checkpointInThread: true });
      const checkpointer = store.checkpointer;
      expect(checkpointer?.running).toBe(true);
      expect(store.sqlite?.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_BACKSTOP_PAGES);
      await store.close();
      store = undefined;
      expect(checkpointer?.running).toBe(false);

      store = await openStore(path);
      expect(store.checkpointer).toBeUndefined();
      expect(store.sqlite?.pragma('wal_autocheckpoint', { simple: true })).toBe(SQLITE_AUTOCHECKPOINT_PAGES);
      await store.close();
      // Nor is there a thread for a database that lives on one connection.
      store = await openStore(':memory:', { checkpointInThread: true });
      expect(store.checkpointer).toBeUndefined();
    });
  });
});
