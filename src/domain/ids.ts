import { InputError } from './errors.js';

/**
 * Row ids are PostgreSQL `integer`s (int4): an id beyond it cannot name a row, and PostgreSQL
 * refuses it with an error rather than finding nothing. Inputs are checked here, before a query.
 */
export const MAX_ID = 2_147_483_647;

/** `value` as a row id, or an InputError naming `what`. */
export function checkId(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_ID) {
    throw new InputError(`Invalid ${what} ${JSON.stringify(String(value))}: expected a whole number from 1 to ${MAX_ID}.`);
  }
  return value;
}

/** A row id written as decimal digits (a command-line argument, a path segment). */
export function parseId(text: string, what: string): number {
  if (!/^\d{1,10}$/.test(text)) throw new InputError(`Invalid ${what} ${JSON.stringify(text.slice(0, 60))}: expected a whole number from 1 to ${MAX_ID}.`);
  return checkId(Number(text), what);
}
