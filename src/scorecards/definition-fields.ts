import type { FieldPath } from '../catalog/entity.js';
import type { FieldIssue } from '../catalog/validate.js';
import { isObject, type JsonObject } from '../formats/json.js';

/** Scorecard and check ids: they appear in URLs, files and stored results. */
const ID = /^[a-z0-9][a-z0-9._-]{0,99}$/;
export const ID_FORM = 'lower-case letters, digits, ".", "_" and "-", starting with a letter or digit, at most 100 characters';

export function isDefinitionId(value: unknown): value is string {
  return typeof value === 'string' && ID.test(value);
}

/** Describes a value in a message: `"x"`, `3`, `a list`, `a mapping`. */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isObject(value)) return 'a mapping';
  return JSON.stringify(value) ?? String(value);
}

/**
 * Reads the fields of an untrusted definition (a YAML document, a request body), collecting every
 * problem with the path of its field instead of stopping at the first.
 */
export class DefinitionFields {
  readonly issues: FieldIssue[] = [];

  error(path: FieldPath, message: string): undefined {
    this.issues.push({ level: 'error', path, message });
    return undefined;
  }

  /** The value as a mapping whose keys are all among `allowed`; undefined (and a problem) if it is not one. */
  mapping(value: unknown, path: FieldPath, what: string, allowed: readonly string[]): JsonObject | undefined {
    if (!isObject(value)) return this.error(path, `The ${what} is ${describeValue(value)}: expected a mapping.`);
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.error([...path, key], `Unknown field ${JSON.stringify(key)} in the ${what}: expected ${allowed.join(', ')}.`);
    }
    return value;
  }

  id(value: unknown, path: FieldPath, what: string): string | undefined {
    if (value === undefined) return this.error(path, `The ${what} has no id: expected ${ID_FORM}.`);
    if (!isDefinitionId(value)) return this.error(path, `Invalid ${what} id ${describeValue(value)}: expected ${ID_FORM}.`);
    return value;
  }

  /** A string field; `fallback` when absent, or a problem when there is none. */
  text(value: unknown, path: FieldPath, what: string, fallback?: string): string | undefined {
    if (value === undefined || value === null) return fallback ?? this.error(path, `The ${what} is missing: expected a text.`);
    // An optional text may be empty; a required one (a name) may not.
    if (typeof value !== 'string' || (fallback === undefined && value.trim() === '')) return this.error(path, `Invalid ${what} ${describeValue(value)}: expected a non-empty text.`);
    return value.trim();
  }

  /** One of `choices`; `fallback` when absent. */
  choice<T extends string>(value: unknown, path: FieldPath, what: string, choices: readonly T[], fallback: T): T | undefined {
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
    return this.error(path, `Invalid ${what} ${describeValue(value)}: expected ${choices.join(' or ')}.`);
  }

  /** A list of non-empty texts (a single text counts as a list of one); undefined when absent. */
  texts(value: unknown, path: FieldPath, what: string): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    const items = Array.isArray(value) ? value : [value];
    const out: string[] = [];
    items.forEach((item, i) => {
      const at = Array.isArray(value) ? [...path, i] : path;
      if (typeof item !== 'string' || item.trim() === '') this.error(at, `Invalid ${what} ${describeValue(item)}: expected a non-empty text.`);
      else out.push(item.trim());
    });
    return out;
  }
}
