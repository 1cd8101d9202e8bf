import { objectElements } from './lazy-json.js';

/**
 * Narrowing helpers for reading untrusted, already-parsed JSON. Reports come from many tool
 * versions: a field may be missing, null, or of another type, and none of that may crash a parser.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value if it is an object, else undefined. */
export function obj(value: unknown): JsonObject | undefined {
  return isObject(value) ? value : undefined;
}

/** The value if it is an array, else an empty array. */
export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * The elements of an array that are objects. A large array from readJson stays lazy: its object
 * elements are picked without parsing any, and each is parsed when read.
 */
export function objects(value: unknown): JsonObject[] {
  if (!Array.isArray(value)) return [];
  return (objectElements(value) as JsonObject[] | undefined) ?? value.filter(isObject);
}

/** A non-blank string (trimmed), a number written as a string, else undefined. */
export function str(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A finite number, or a string that is one ("7.5"), else undefined. */
export function num(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** The non-blank strings of an array (or a single string as a one-element list). */
export function strings(value: unknown): string[] {
  if (typeof value === 'string') return str(value) ? [value.trim()] : [];
  return arr(value).map(str).filter((s): s is string => s !== undefined);
}
