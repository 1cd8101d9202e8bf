import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../domain/errors.js';
import { databaseUnavailable, POSTGRES_RETRY_AFTER_SECONDS, SQLITE_RETRY_AFTER_SECONDS } from './unavailable.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('databaseUnavailable', () => {
  it('tells a SQLite file another process holds, to be asked again in 2 seconds', () => {
    for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED']) {
      const unavailable = databaseUnavailable(withCode(code));
      expect(unavailable?.retryAfterSeconds, code).toBe(SQLITE_RETRY_AFTER_SECONDS);
      expect(unavailable?.message).toContain('another Lantern process is writing to the SQLite file');
    }
  });

  it('tells PostgreSQL out of reach: sockets, shutdowns, full, a transaction ended for idling, connection classes and the driver’s own messages', () => {
    const errors = [
      withCode('ECONNREFUSED'),
      withCode('ETIMEDOUT'),
      withCode('57P01'),
      withCode('57P03'),
      withCode('53300'),
      withCode('25P03'),
      withCode('08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Client has encountered a connection error and is not queryable'),
    ];
    for (const error of errors) {
      const unavailable = databaseUnavailable(error);
      expect(unavailable, error.message).toBeInstanceOf(UnavailableError);
      expect(unavailable?.retryAfterSeconds).toBe(POSTGRES_RETRY_AFTER_SECONDS);
      expect(unavailable?.message).toContain('The database is not reachable');
    }
  });

  it('leaves every other failure alone, and passes an UnavailableError through', () => {
    for (const error of [withCode('23505', 'duplicate key'), withCode('40001'), withCode('42P01'), withCode('SQLITE_CONSTRAINT'), new Error('boom'), 'not an error', undefined]) {
      expect(databaseUnavailable(error), String(error)).toBeUndefined();
    }
    const own = new UnavailableError('The ingest queue is full.', 7);
    expect(databaseUnavailable(own)).toBe(own);
  });
});
