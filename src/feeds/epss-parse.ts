/**
 * An EPSS file read and parsed in a thread of its own (epss-worker.ts), its rows handed to the
 * import in chunks as they are parsed. Parsing is about half of an import's work (300 000 lines:
 * decompressing, splitting, checking every number); in its own thread it runs beside the store's
 * half — PostgreSQL's COPY, SQLite's writes of each year of CVEs once the file has moved on to the
 * next — instead of before it, and the server's own thread no longer spends the parse's CPU time
 * (its event loop waited at most 23–29 ms during an import before and after: the parse already
 * yielded between the file's blocks, and the SQLite writes yield every 5 000 rows).
 * The thread is started by the first import and kept, idle and without holding the process open,
 * for the next one: starting it costs a tenth of a parse.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../domain/module-worker.js';
import { InputError, PayloadTooLargeError } from '../domain/errors.js';
import type { EpssChunk } from './epss-chunks.js';
import type { EpssHeader } from './epss.js';

/** What the parsing thread is asked to read: a local file (a URL is downloaded first, by import.ts). */
export interface EpssParseTask {
  path: string;
  /** The file's name or URL, as messages name it. */
  source: string;
  maxBytes: number;
  maxRows: number;
}

/** What the parsing thread answers, in order: the header, chunks of rows, then the end or an error. */
export type EpssParseMessage = { kind: 'header'; header: EpssHeader } | { kind: 'rows'; chunk: EpssChunk } | { kind: 'end' } | { kind: 'error'; name: string; message: string };

/** The thread kept from the last import, when it ended cleanly. */
let idle: Worker | undefined;

/** Threads started so far (for tests: a second import reuses the first one's). */
export const epssParseThreads = { started: 0 };

/** A kept thread that stops (it should not) is never handed another file. */
function forgetIdle(this: Worker): void {
  if (idle === this) idle = undefined;
}

function startThread(): Worker {
  epssParseThreads.started++;
  return startModuleWorker(import.meta.url, 'epss-worker');
}

/**
 * The rows of the EPSS file at `task.path`, in file order, in chunks, parsed by the thread from the
 * moment this is made: the import opens its transaction and prepares its table meanwhile.
 * `onHeader` hears the comment line's model version and date before the first chunk. A malformed
 * or oversized file throws the parser's error (InputError, PayloadTooLargeError) with its message.
 * Iterated once; close() lets the thread go if the rows were not all read (the import failed).
 */
export class EpssParse implements AsyncIterable<EpssChunk> {
  private readonly worker: Worker;
  private readonly queue: Array<EpssParseMessage | undefined> = [];
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  /** Whether the thread's last message (end or error) was read: only then can it take another file. */
  private answered = false;
  private closed = false;

  constructor(
    private readonly task: EpssParseTask,
    private readonly onHeader: (header: EpssHeader) => void,
  ) {
    this.worker = idle ?? startThread();
    this.worker.off('exit', forgetIdle);
    idle = undefined;
    this.worker.ref();
    this.worker.on('message', this.onMessage).on('error', this.onError).on('exit', this.onExit);
    this.worker.postMessage(task);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<EpssChunk> {
    try {
      for (let next = 0; ; next++) {
        while (this.queue.length === next && this.failure === undefined) await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        const message = this.queue[next];
        if (message === undefined) throw this.failure;
        // Let the chunk go once the store has it.
        this.queue[next] = undefined;
        if (message.kind === 'header') this.onHeader(message.header);
        else if (message.kind === 'rows') yield message.chunk;
        else {
          this.answered = true;
          if (message.kind === 'error') throw errorOf(message);
          return;
        }
      }
    } finally {
      this.close();
    }
  }

  /** Keeps the thread for the next import if it finished this file, else stops it. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const worker = this.worker;
    worker.off('message', this.onMessage).off('error', this.onError).off('exit', this.onExit);
    if (this.answered && this.failure === undefined && idle === undefined) {
      worker.unref();
      idle = worker;
      worker.on('exit', forgetIdle);
    } else {
      // Stopped before the end (the store failed) or broken: a thread still reading is let go.
      void worker.terminate();
    }
  }

  private readonly onMessage = (message: EpssParseMessage) => {
    this.queue.push(message);
    this.wake?.();
  };

  private readonly onError = (error: Error) => {
    this.failure ??= error;
    this.wake?.();
  };

  private readonly onExit = (code: number) => {
    this.failure ??= new Error(`The thread parsing ${this.task.source} stopped (exit code ${code}).`);
    this.wake?.();
  };
}

function errorOf(message: { name: string; message: string }): Error {
  if (message.name === 'PayloadTooLargeError') return new PayloadTooLargeError(message.message);
  if (message.name === 'InputError') return new InputError(message.message);
  const error = new Error(message.message);
  error.name = message.name;
  return error;
}
