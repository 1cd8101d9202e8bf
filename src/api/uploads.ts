import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { BusyError, RequestTimeoutError } from '../domain/errors.js';
import { receiveReport } from '../ingest/report-stream.js';
import type { ServerLimits } from './limits.js';

/** What a client told it is busy waits before it asks again. */
export const RETRY_AFTER_SECONDS = 30;

/**
 * Report uploads: at most `maxConcurrentIngests` at once, each received as it arrives (gzip inflated
 * on the way, limits applied) into memory, or into a temporary file when it is large, then ingested
 * as `lantern ingest FILE` does. The file is removed whatever the outcome.
 */
export class ReportUploads {
  readonly #slots: Slots;

  constructor(
    private readonly limits: ServerLimits,
    private readonly maxReportBytes: number,
    /** Told how long each upload waited for its slot, and whether it got one (metrics). */
    onWait?: (seconds: number, outcome: SlotOutcome) => void,
  ) {
    this.#slots = new Slots(limits.maxConcurrentIngests, limits.ingestQueueTimeoutMs, onWait);
  }

  /** Uploads waiting for an ingest slot now. */
  get waiting(): number {
    return this.#slots.waiting;
  }

  ingest<T>(body: Readable, reply: FastifyReply, ingest: (report: Uint8Array) => Promise<T>): Promise<T> {
    return this.#slots.run(async () => {
      const received = await receiveReport(body, {
        directory: this.limits.uploadDirectory,
        maxBytes: this.maxReportBytes,
        maxInflationRatio: this.limits.maxInflationRatio,
        minBytesPerSecond: this.limits.minUploadBytesPerSecond,
        rateWindowMs: this.limits.uploadRateWindowMs,
      }).catch((error: unknown) => {
        if (error instanceof RequestTimeoutError) {
          // A trickling client gets its answer and loses the connection.
          reply.header('connection', 'close');
        } else {
          // The rest of a refused body is read and dropped, so that the client, still sending,
          // reads the answer instead of a reset connection.
          body.resume();
        }
        throw error;
      });
      try {
        // An empty body goes to the parser as a 0-byte file does from the CLI: accepted only when
        // the named format writes empty reports (OSV-Scanner), else refused with the CLI's message.
        return await ingest(await received.read());
      } finally {
        await received.remove();
      }
    });
  }
}

/** Whether an upload got an ingest slot or gave up waiting for one (answered 503). */
export type SlotOutcome = 'granted' | 'timed-out';

/** A counting semaphore whose waiters give up after `queueMs`. */
class Slots {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(
    size: number,
    private readonly queueMs: number,
    private readonly onWait: ((seconds: number, outcome: SlotOutcome) => void) | undefined,
  ) {
    this.#free = size;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.#acquire();
    try {
      return await work();
    } finally {
      this.#release();
    }
  }

  #acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      this.onWait?.(0, 'granted');
      return Promise.resolve();
    }
    const asked = performance.now();
    const waited = (outcome: SlotOutcome) => this.onWait?.((performance.now() - asked) / 1000, outcome);
    return new Promise((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        waited('granted');
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(grant), 1);
        waited('timed-out');
        reject(new BusyError(`Lantern is already ingesting as many reports as it is configured to (--max-concurrent-ingests); retry in ${RETRY_AFTER_SECONDS} s.`, RETRY_AFTER_SECONDS));
      }, this.queueMs);
      this.#waiting.push(grant);
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}
