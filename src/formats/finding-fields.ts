import type { DetailValue } from '../domain/finding.js';
import { num } from './json.js';

/**
 * Small builders the parsers share for filling a Finding from untrusted JSON, so that findings
 * never carry `key: undefined`, empty lists, or line numbers that are not lines.
 */

type Defined<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

// These run once or more per finding, so they are plain loops (entries/fromEntries cost 5x more
// on a 100 000-finding report).

/** The fields whose value is defined. */
export function optional<T extends Record<string, unknown>>(fields: T): Defined<T> {
  const out: Record<string, unknown> = {};
  for (const key in fields) if (fields[key] !== undefined) out[key] = fields[key];
  return out as Defined<T>;
}

/** The list fields that hold at least one element. */
export function nonEmpty<T extends Record<string, string[]>>(fields: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key in fields) {
    const list = fields[key] as string[];
    if (list.length > 0) out[key] = list as T[typeof key];
  }
  return out;
}

/** `{ details }` with the defined scalar values, or nothing when there are none. */
export function scalarDetails(fields: Record<string, DetailValue | undefined>): { details?: Record<string, DetailValue> } {
  const details = optional(fields) as Record<string, DetailValue>;
  return Object.keys(details).length > 0 ? { details } : {};
}

/** A 1-based line or column number, else undefined. */
export function positiveInteger(value: unknown): number | undefined {
  const n = num(value);
  return n !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Distinct values in first-seen order, without blanks. */
export function distinct(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== undefined && v !== ''))];
}

/**
 * A scanner's message as a title: its first sentence (up to `.`, `!` or `?` followed by a space or
 * the end), on one line, at most 200 characters.
 */
export function firstSentence(message: string | undefined): string | undefined {
  const line = message?.split('\n').find((l) => l.trim() !== '')?.trim();
  if (line === undefined) return undefined;
  const end = /[.!?](?=\s|$)/.exec(line);
  const sentence = end ? line.slice(0, end.index + 1) : line;
  return sentence.length > 200 ? `${sentence.slice(0, 199)}…` : sentence;
}
