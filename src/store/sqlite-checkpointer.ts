import { EventEmitter, once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import { startModuleWorker } from '../domain/module-worker.js';

/** What the checkpoint thread is given (sqlite-checkpoint-worker.ts). */
export interface CheckpointTask {
  path: string;
  intervalMs: number;
}

/** One checkpoint that copied frames: the WAL's frames then, how many of them are now in the database file, and how long it took. */
export interface Checkpoint {
  log: number;
  checkpointed: number;
  ms: number;
}

/** What the checkpoint thread posts: a checkpoint copied frames, a look found the file locked (and was skipped), or it stopped on an error. */
export type CheckpointMessage = ({ kind: 'checkpoint' } & Checkpoint) | { kind: 'busy' } | { kind: 'error'; message: string };

/** SQLite's default: the commit that takes the WAL past this many pages checkpoints it itself. */
export const SQLITE_AUTOCHECKPOINT_PAGES = 1000;
/**
 * While the thread checkpoints: the commits still checkpoint a WAL past this many pages (80 MB of
 * 8 KiB pages). A writer that never pauses (a bulk load) keeps the thread from ever copying all of
 * the WAL, which is started over only then: without this the WAL of a 50 000-entity estate's build
 * grew to 9 GB. A server between uploads stays far below it.
 */
export const WAL_BACKSTOP_PAGES = 10_000;
/** How often the thread looks at the WAL. A look that finds nothing new reads the WAL's index only. */
export const CHECKPOINT_INTERVAL_MS = 500;
/** How long stop() waits for the thread to finish a checkpoint it is in before it ends the thread. */
const STOP_WAIT_MS = 5_000;

/**
 * Checkpoints a SQLite file's WAL from a thread of its own, for a long-running server.
 *
 * Why: by default the commit that takes the WAL past 1 000 pages copies the WAL back into the
 * database file and syncs both, inside that commit: on a 50 000-entity estate every fifth or sixth
 * first scan of a target took 25–30 ms more (about 8 MB written and synced), and a large report's
 * ingest pays for all its pages at once. While this runs, the writer's own checkpoints wait for a
 * WAL of WAL_BACKSTOP_PAGES instead of 1 000, and the thread runs PASSIVE checkpoints, which neither
 * wait for nor block the writer and the readers: between them a commit only appends to the WAL.
 * Should the thread fail, the writer's own checkpoints come back at SQLite's default and `failure`
 * is emitted.
 *
 * Emits `checkpoint` (Checkpoint) for each checkpoint that copied frames and `failure` (Error).
 */
export class SqliteCheckpointer extends EventEmitter<{ checkpoint: [Checkpoint]; failure: [Error] }> {
  readonly #thread: Worker;
  readonly #writer: BetterSqlite3.Database;
  #running = true;
  #stopping = false;
  /** Checkpoints that copied frames, the slowest of them, and looks skipped because the file was locked. */
  readonly stats = { checkpoints: 0, slowestMs: 0, busy: 0 };

  constructor(path: string, writer: BetterSqlite3.Database, intervalMs = CHECKPOINT_INTERVAL_MS, backstopPages = WAL_BACKSTOP_PAGES) {
    super();
    this.#writer = writer;
    writer.pragma(`wal_autocheckpoint = ${backstopPages}`);
    const task: CheckpointTask = { path, intervalMs };
    this.#thread = startModuleWorker(import.meta.url, 'sqlite-checkpoint-worker', { workerData: task });
    // A process that is otherwise done (one that forgot to close the store) is not kept alive by it.
    this.#thread.unref();
    this.#thread.on('message', (message: CheckpointMessage) => {
      if (message.kind === 'checkpoint') {
        const { kind: _, ...done } = message;
        this.stats.checkpoints++;
        this.stats.slowestMs = Math.max(this.stats.slowestMs, done.ms);
        this.emit('checkpoint', done);
      } else if (message.kind === 'busy') this.stats.busy++;
      else if (message.kind === 'error') this.#fail(`the WAL checkpoint thread stopped: ${message.message}`);
    });
    this.#thread.on('error', (error) => this.#fail(`the WAL checkpoint thread failed: ${error.message}`));
    this.#thread.on('exit', (code) => {
      if (!this.#stopping) this.#fail(`the WAL checkpoint thread exited (code ${code})`);
    });
  }

  /** Whether the thread checkpoints the WAL (and the writer's own checkpoints wait for the backstop). */
  get running(): boolean {
    return this.#running;
  }

  /** Ends the thread (after a checkpoint it is in) and gives the writer its own checkpoints back. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    const wasRunning = this.#running;
    this.#running = false;
    if (wasRunning) {
      const exited = once(this.#thread, 'exit');
      // Held by the thread until it ends: a process with nothing else to do would otherwise exit
      // with the store's close still waiting for it.
      this.#thread.ref();
      this.#thread.postMessage('stop');
      const waited = new AbortController();
      const ended = await Promise.race([exited.then(() => true), delay(STOP_WAIT_MS, false, { signal: waited.signal }).catch(() => false)]);
      waited.abort();
      // Ends it after the statement it is in: a checkpoint stopped at any point loses nothing.
      if (!ended) await this.#thread.terminate();
    }
    this.#restoreWriterCheckpoints();
  }

  #fail(message: string): void {
    if (!this.#running) return;
    this.#running = false;
    this.#restoreWriterCheckpoints();
    void this.#thread.terminate();
    const error = new Error(`${message}; the writer checkpoints the WAL itself again (every ${SQLITE_AUTOCHECKPOINT_PAGES} pages).`);
    // Heard by `lantern serve`'s log; with nobody listening, written to stderr rather than thrown.
    if (this.listenerCount('failure') > 0) this.emit('failure', error);
    else process.stderr.write(`${error.message}\n`);
  }

  #restoreWriterCheckpoints(): void {
    if (this.#writer.open) this.#writer.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
  }
}
