import { tmpdir } from 'node:os';
import { InputError } from '../domain/errors.js';

/**
 * How long the HTTP server waits for clients and how much it takes on at once. Every field has a
 * `lantern serve` flag; the defaults are in the README's Configuration table.
 */
export interface ServerLimits {
  /** The whole request, first byte to last, must arrive within this (Node's requestTimeout). */
  requestTimeoutMs: number;
  /** The request headers must arrive within this (Node's headersTimeout). */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Connections beyond this are refused as they are accepted (Node's server.maxConnections). */
  maxConnections: number;
  /** Report uploads received and ingested at once; more wait for a slot. */
  maxConcurrentIngests: number;
  /** How long an upload waits for an ingest slot before it is answered 503 with Retry-After. */
  ingestQueueTimeoutMs: number;
  /** An upload arriving slower than this, over a whole rate window, is cut off with 408. */
  minUploadBytesPerSecond: number;
  /** The window the upload rate is measured over. */
  uploadRateWindowMs: number;
  /** A gzip upload may inflate to at most this many times its compressed size (after the first MiB). */
  maxInflationRatio: number;
  /** Where uploads larger than IN_MEMORY_BYTES are written while they arrive (one temporary file each, removed afterwards). */
  uploadDirectory: string;
}

export const DEFAULT_LIMITS: Readonly<ServerLimits> = {
  requestTimeoutMs: 10 * 60_000,
  headersTimeoutMs: 30_000,
  // Fastify's default: longer than the idle timeout of common load balancers (60 s), which must
  // close an idle connection before the server does.
  keepAliveTimeoutMs: 72_000,
  maxConnections: 512,
  maxConcurrentIngests: 2,
  ingestQueueTimeoutMs: 10_000,
  minUploadBytesPerSecond: 1024,
  uploadRateWindowMs: 30_000,
  maxInflationRatio: 100,
  uploadDirectory: tmpdir(),
};

/** The defaults with `overrides` applied, checked. */
export function serverLimits(overrides: Partial<ServerLimits> = {}): ServerLimits {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value === 'number' && !(Number.isFinite(value) && value > 0)) {
      throw new InputError(`Invalid server limit ${name} ${JSON.stringify(value)}: expected a positive number.`);
    }
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new InputError(`The headers timeout (${limits.headersTimeoutMs} ms) is longer than the request timeout (${limits.requestTimeoutMs} ms); expected at most as long.`);
  }
  return limits;
}
