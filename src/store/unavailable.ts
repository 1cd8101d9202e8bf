import { UnavailableError } from '../domain/errors.js';

/** How long a caller waits before asking again while PostgreSQL does not answer. */
export const POSTGRES_RETRY_AFTER_SECONDS = 5;
/** How long a caller waits before asking again while another process writes to the SQLite file. */
export const SQLITE_RETRY_AFTER_SECONDS = 2;

/** Socket errors: the server is down, restarting, or the network between is cut. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

/** SQLSTATE 25P03: PostgreSQL ended a session idle in a transaction for longer than idle_in_transaction_session_timeout. */
export const IDLE_IN_TRANSACTION_TIMEOUT = '25P03';

/**
 * PostgreSQL SQLSTATEs that mean "not now" rather than "not this": 57P01 admin_shutdown,
 * 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, recovering), 53300
 * too_many_connections, 25P03 idle_in_transaction_session_timeout (the transaction was rolled
 * back whole: asking again runs it anew); and class 08, connection exceptions.
 */
function isUnavailablePostgresState(code: string): boolean {
  return code === '57P01' || code === '57P02' || code === '57P03' || code === '53300' || code === IDLE_IN_TRANSACTION_TIMEOUT || code.startsWith('08');
}

/**
 * What node-postgres (and its pool) throw, without a code, when a connection dies or cannot be made:
 * "Connection terminated unexpectedly", "Connection terminated due to connection timeout",
 * "timeout exceeded when trying to connect", "Client has encountered a connection error and is not queryable".
 */
const PG_CONNECTION_MESSAGE = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/** better-sqlite3's codes for a file another connection holds: SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED … */
const SQLITE_BUSY = /^SQLITE_(BUSY|LOCKED)/;

/**
 * The one place that tells "the database does not answer now" from every other failure: the error
 * as an UnavailableError (HTTP 503 with Retry-After), or undefined when it is something else.
 */
export function databaseUnavailable(error: unknown): UnavailableError | undefined {
  if (error instanceof UnavailableError) return error;
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && SQLITE_BUSY.test(code)) {
    return new UnavailableError(
      `The database is busy: another Lantern process is writing to the SQLite file, which takes one writer at a time; try again in ${SQLITE_RETRY_AFTER_SECONDS} seconds.`,
      SQLITE_RETRY_AFTER_SECONDS,
    );
  }
  const unreachable =
    (typeof code === 'string' && (SOCKET_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && isUnavailablePostgresState(code)))) || PG_CONNECTION_MESSAGE.test(error.message);
  if (!unreachable) return undefined;
  return new UnavailableError(`The database is not reachable; Lantern retries by itself — try again in ${POSTGRES_RETRY_AFTER_SECONDS} seconds.`, POSTGRES_RETRY_AFTER_SECONDS);
}
