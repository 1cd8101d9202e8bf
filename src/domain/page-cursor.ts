import { InputError } from './errors.js';

/** The opaque `cursor` of a paged list: where the next page starts. */
export function writeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

/** The offset a cursor from writeCursor names; 0 without one. */
export function readCursor(cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0) return offset;
  } catch {
    // falls through to the error below
  }
  throw new InputError(`Invalid cursor ${JSON.stringify(cursor.slice(0, 60))}: pass the nextCursor of the previous page.`);
}

/** One page of `rows` from the cursor, with the total and the next page's cursor. */
export function pageOf<T>(rows: readonly T[], limit: number, cursor: string | undefined): { items: T[]; total: number; nextCursor: string | null } {
  const offset = readCursor(cursor);
  return { items: rows.slice(offset, offset + limit), total: rows.length, nextCursor: offset + limit < rows.length ? writeCursor(offset + limit) : null };
}
