/**
 * The thread that checkpoints a SQLite file's WAL for a server (sqlite-checkpointer.ts starts it):
 * on a connection of its own it runs `wal_checkpoint(PASSIVE)` every interval, which copies the
 * frames no reader still needs back into the database file and syncs it, without waiting for or
 * blocking the server's writer and readers. It posts what each checkpoint that copied frames did,
 * each look skipped because another connection held the file locked, and an error if it cannot go
 * on; the server's thread decides what to do then.
 */
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import type { CheckpointMessage, CheckpointTask } from './sqlite-checkpointer.js';

const port = parentPort;
if (!port) throw new Error('sqlite-checkpoint-worker.ts runs as a worker thread (sqlite-checkpointer.ts starts it).');
const task = workerData as CheckpointTask;
const post = (message: CheckpointMessage) => port.postMessage(message);

let db: BetterSqlite3.Database | undefined;
let timer: NodeJS.Timeout | undefined;
/** The WAL's frames and how many of them were in the database file, at the last look. */
let last = { log: 0, checkpointed: 0 };
/** Looks in a row that found the file locked by another connection. */
let busyLooks = 0;
/**
 * A look that finds the file locked (another process holding it exclusively, or recovering its
 * WAL) is skipped, as SQLite skips a checkpoint another connection is running; the thread gives up
 * only after this many in a row (about a minute at the default interval).
 */
const MAX_BUSY_LOOKS = 120;
const BUSY_WAIT_MS = 50;
/** Whether the connection's settings are made (they read the schema, which a lock may hold back). */
let configured = false;
try {
  // A locked file makes a statement wait this long at most (better-sqlite3's default is 5 s), then
  // the look is skipped: the next comes an interval later.
  db = new BetterSqlite3(task.path, { fileMustExist: true, timeout: BUSY_WAIT_MS });
  timer = setInterval(checkpoint, task.intervalMs);
} catch (error) {
  fail(error);
}

function checkpoint(): void {
  if (!db) return;
  try {
    if (!configured) {
      // As the server's writer: a checkpoint syncs the WAL and then the database file.
      db.pragma('synchronous = NORMAL');
      configured = true;
    }
    const started = performance.now();
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    if (!result) return;
    // Frames were copied when the count in the database file moved, or the writer started the WAL
    // over (it does once all of it is in the file). Otherwise the look read the WAL's index only.
    const copied = result.checkpointed > 0 && (result.checkpointed !== last.checkpointed || result.log < last.log);
    last = { log: result.log, checkpointed: result.checkpointed };
    busyLooks = 0;
    if (copied) post({ kind: 'checkpoint', log: result.log, checkpointed: result.checkpointed, ms: performance.now() - started });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const busy = typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
    if (busy && ++busyLooks < MAX_BUSY_LOOKS) post({ kind: 'busy' });
    else fail(error);
  }
}

/** No more looks, and the connection closed. */
function close(): void {
  clearInterval(timer);
  timer = undefined;
  db?.close();
  db = undefined;
}

function fail(error: unknown): void {
  close();
  post({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
}

port.on('message', (message: 'stop') => {
  if (message !== 'stop') return;
  close();
  port.close();
});
