/**
 * Typed errors. Each maps to one HTTP status (api/errors.ts) and one CLI exit code (cli/main.ts);
 * messages are whole sentences that quote the offending value and say what was expected.
 */

/** The caller's input is wrong: a malformed report, an invalid scope, a bad flag. HTTP 400, exit 2. */
export class InputError extends Error {
  override name = 'InputError';
}

/** An input was larger than the configured limit. HTTP 413, exit 2. */
export class PayloadTooLargeError extends InputError {
  override name = 'PayloadTooLargeError';
}

/** An input arrived too slowly (a request body trickling in). HTTP 408, exit 2. */
export class RequestTimeoutError extends InputError {
  override name = 'RequestTimeoutError';
}

/** Lantern is at capacity for this kind of work; the same request may succeed later. HTTP 503 with Retry-After. */
export class BusyError extends Error {
  override name = 'BusyError';

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** A named thing (entity, target, scan, issue) does not exist. HTTP 404, exit 2. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** The request conflicts with what is stored (e.g. an entity defined by two locations). HTTP 409, exit 2. */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

export function isUserError(error: unknown): error is InputError | NotFoundError | ConflictError {
  return error instanceof InputError || error instanceof NotFoundError || error instanceof ConflictError;
}
