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

/**
 * Something Lantern depends on does not answer (PostgreSQL down or unreachable, a SQLite file
 * locked by another process, the identity provider): nothing is wrong with the request, and the
 * same request will succeed once it is back. HTTP 503 with Retry-After, exit 1.
 */
export class UnavailableError extends Error {
  override name = 'UnavailableError';

  constructor(
    message: string,
    /** Whole seconds after which the request is worth sending again. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** Lantern is at capacity for this kind of work (ingest slots); the same request may succeed later. HTTP 503 with Retry-After. */
export class BusyError extends UnavailableError {
  override name = 'BusyError';
}

/** A named thing (entity, target, scan, issue) does not exist. HTTP 404, exit 2. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** The request conflicts with what is stored (e.g. an entity defined by two locations). HTTP 409, exit 2. */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

/** The same request came again too soon (reading one catalog location again). HTTP 429 with Retry-After, exit 2. */
export class TooManyRequestsError extends Error {
  override name = 'TooManyRequestsError';
  constructor(
    message: string,
    /** Whole seconds until the request will be taken. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export function isUserError(error: unknown): error is InputError | NotFoundError | ConflictError | TooManyRequestsError | UnauthenticatedError | ForbiddenError {
  return (
    error instanceof InputError ||
    error instanceof NotFoundError ||
    error instanceof ConflictError ||
    error instanceof TooManyRequestsError ||
    error instanceof UnauthenticatedError ||
    error instanceof ForbiddenError
  );
}

/** No credentials, or credentials that are not valid (unknown, revoked, expired). HTTP 401, exit 2. */
export class UnauthenticatedError extends Error {
  override name = 'UnauthenticatedError';
}

/** The caller is known but holds no role that allows this here. HTTP 403, exit 2. */
export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
}
