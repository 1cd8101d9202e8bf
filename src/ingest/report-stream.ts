import { randomUUID } from 'node:crypto';
import { type FileHandle, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform, type TransformCallback, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { InputError, PayloadTooLargeError, RequestTimeoutError } from '../domain/errors.js';
import { megabytes } from './report-file.js';

export interface ReceiveOptions {
  /** Where a report larger than `memoryBytes` is written while it arrives (a temporary file, removed by `remove()`). */
  directory: string;
  /** A report up to this size (inflated) is held in memory instead; default IN_MEMORY_BYTES. */
  memoryBytes?: number;
  /** The largest report accepted, counted after gzip is inflated (--max-report-mb). */
  maxBytes: number;
  /** A gzip body may inflate to at most this many times the bytes received (after the first MiB). */
  maxInflationRatio: number;
  /** A body arriving slower than this over a whole window is cut off. */
  minBytesPerSecond: number;
  /** The window the arrival rate is measured over. */
  rateWindowMs: number;
}

/** A received report, in memory or in a temporary file; `remove()` deletes the file, if any (safe to call twice). */
export interface ReceivedReport {
  /** The temporary file the report was written to; undefined when it is held in memory. */
  path: string | undefined;
  /** The report's size (inflated, if it arrived as gzip). */
  bytes: number;
  /** The report's bytes, whole. */
  read(): Promise<Uint8Array>;
  remove(): Promise<void>;
}

/**
 * Reports up to this size stay in memory as they arrive: most are far smaller, and creating,
 * writing, reading back and removing a file was about a tenth of the server's CPU time for an
 * upload of a few dozen findings (issue 17). The ingest reads the report whole anyway, so this
 * raises what an upload holds by at most this much per concurrent ingest.
 */
export const IN_MEMORY_BYTES = 4 * 1024 * 1024;

/** Inflation up to this size is never refused for its ratio: a small report may compress very well. */
export const RATIO_FREE_BYTES = 1024 * 1024;
const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Receives a report arriving as a byte stream (raw or gzip, told by its magic bytes), inflating gzip
 * as a stream: held in memory up to `memoryBytes`, and past that written to a temporary file as it
 * arrives, so that memory holds a few chunks whatever the report's size. Refuses, with PayloadTooLargeError, a report larger than the limit once inflated
 * and a gzip body that inflates beyond the ratio (a "gzip bomb"); with RequestTimeoutError, a body
 * that arrives too slowly. On any failure the file is removed and the body is left unread.
 */
export async function receiveReport(body: Readable, options: ReceiveOptions): Promise<ReceivedReport> {
  if (body.destroyed) throw new InputError('The client closed the connection before the whole report arrived.');
  const sink = new ReportSink(join(options.directory, `lantern-upload-${randomUUID()}`), options.memoryBytes ?? IN_MEMORY_BYTES);
  const arrival = new ArrivalMeter(options.minBytesPerSecond, options.rateWindowMs);
  // The body is piped rather than put in the pipeline: a failure must not destroy it (and with it
  // the connection the error response goes back on). A client that goes away fails the arrival.
  const onClose = () => {
    if (!body.readableEnded) arrival.destroy(new InputError('The client closed the connection before the whole report arrived.'));
  };
  const onError = (error: Error) => arrival.destroy(error);
  body.once('close', onClose);
  body.once('error', onError);
  body.pipe(arrival);
  try {
    const head = await peek(arrival, GZIP_MAGIC.length);
    const gzip = head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
    const size = new SizeLimit(options.maxBytes, gzip ? { ratio: options.maxInflationRatio, compressed: () => arrival.bytes } : undefined);
    await (gzip ? pipeline(arrival, createGunzip(), size, sink) : pipeline(arrival, size, sink)).catch((error: unknown) => {
      throw isZlibError(error) ? new InputError(`The request body starts like gzip but cannot be decompressed: ${(error as Error).message}.`) : error;
    });
    return { path: sink.path, bytes: size.bytes, read: () => sink.read(), remove: () => sink.remove() };
  } catch (error) {
    body.unpipe(arrival);
    arrival.destroy();
    await sink.remove();
    throw error;
  } finally {
    body.off('close', onClose);
    body.off('error', onError);
  }
}

/** The first `size` bytes of a stream (fewer if it ends sooner), left in it to be read again. */
function peek(stream: Readable, size: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const settle = (done: () => void) => {
      stream.off('readable', onReadable).off('end', onEnd).off('error', reject).off('close', onClose);
      done();
    };
    const onReadable = () => {
      const head = stream.read(size) as Buffer | null;
      if (head === null) return;
      stream.unshift(head);
      settle(() => resolve(head));
    };
    const onEnd = () => settle(() => resolve(Buffer.alloc(0)));
    const onClose = () => settle(() => reject(stream.errored ?? new InputError('The report stream closed before it began.')));
    stream.on('readable', onReadable).once('end', onEnd).once('error', reject).once('close', onClose);
    onReadable();
  });
}

/**
 * Passes bytes through, counting them, and fails when fewer than the minimum rate arrive in a
 * window: a client sending a byte every few seconds would otherwise hold a connection, a
 * concurrent-ingest slot and a temporary file for as long as it likes.
 */
class ArrivalMeter extends Transform {
  bytes = 0;
  #windowStart = 0;
  readonly #timer: NodeJS.Timeout;

  constructor(minBytesPerSecond: number, windowMs: number) {
    super();
    const minimum = (minBytesPerSecond * windowMs) / 1000;
    this.#timer = setInterval(() => {
      if (this.bytes - this.#windowStart < minimum) {
        this.destroy(new RequestTimeoutError(`The report arrived at fewer than ${minBytesPerSecond} bytes per second over ${windowMs / 1000} s; the upload was cut off (--min-upload-rate).`));
      }
      this.#windowStart = this.bytes;
    }, windowMs);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    clearInterval(this.#timer);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    clearInterval(this.#timer);
    callback(error);
  }
}

/**
 * Holds the bytes written to it in memory until there are more than `memoryBytes`; then creates
 * the file at `filePath` (exclusively, readable by this user only) and writes them all there.
 */
class ReportSink extends Writable {
  #chunks: Buffer[] = [];
  #held = 0;
  /** The file being opened or open, once the report outgrew memory. */
  #file: Promise<FileHandle> | undefined;

  constructor(
    private readonly filePath: string,
    private readonly memoryBytes: number,
  ) {
    super();
  }

  get path(): string | undefined {
    return this.#file ? this.filePath : undefined;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.#file && this.#held + chunk.length <= this.memoryBytes) {
      this.#chunks.push(chunk);
      this.#held += chunk.length;
      return callback();
    }
    this.#append(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.#file) return callback();
    this.#file.then((file) => file.close()).then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#file) return callback(error);
    // The handle may be closed already (after _final): closing it again fails, and changes nothing.
    this.#file.then((file) => file.close()).then(() => callback(error), () => callback(error));
  }

  async #append(chunk: Buffer): Promise<void> {
    if (!this.#file) {
      this.#file = open(this.filePath, 'wx', 0o600);
      const held = this.#chunks;
      this.#chunks = [];
      this.#held = 0;
      // writeFile on a handle writes all of a buffer from where the handle is, as often as it takes.
      for (const part of held) await (await this.#file).writeFile(part);
    }
    await (await this.#file).writeFile(chunk);
  }

  read(): Promise<Uint8Array> {
    if (this.#file) return readFile(this.filePath);
    return Promise.resolve(this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks, this.#held));
  }

  /** Drops the bytes held, and removes the file if one was begun (once its opening has settled). */
  async remove(): Promise<void> {
    this.#chunks = [];
    this.#held = 0;
    if (!this.#file) return;
    await this.#file.catch(() => undefined);
    await rm(this.filePath, { force: true });
  }
}

/** Passes bytes through until more than the limit (or, for gzip, than the ratio allows) have passed. */
class SizeLimit extends Transform {
  bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly inflation: { ratio: number; compressed: () => number } | undefined,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      const what = this.inflation ? 'The gzip-compressed report expands beyond' : 'The report is larger than';
      return callback(new PayloadTooLargeError(`${what} the limit of ${megabytes(this.maxBytes)} (--max-report-mb).`));
    }
    if (this.inflation && this.bytes > RATIO_FREE_BYTES && this.bytes > this.inflation.compressed() * this.inflation.ratio) {
      return callback(
        new PayloadTooLargeError(
          `The gzip-compressed report expands more than ${this.inflation.ratio} times (${megabytes(this.inflation.compressed())} to over ${megabytes(this.bytes)}); scanner reports compress about 10 times, so it is refused as a likely decompression bomb.`,
        ),
      );
    }
    callback(null, chunk);
  }
}

function isZlibError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}
