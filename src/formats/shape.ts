import { InputError } from '../domain/errors.js';
import { isObject, type JsonObject } from './json.js';
import { isObjectElement } from './lazy-json.js';

/**
 * The shape a report format defines, enforced while a parser reads it. A list, object, text or
 * number that the format defines but that holds a value of another type is refused with an
 * InputError naming its path: reading around it would silently lose findings. A missing field,
 * or `null` (Go tools write it for empty lists and absent objects), is absent, never wrong.
 *
 * Parsers check each object they read against a table of its fields (`check`), then read the
 * checked fields with the lenient helpers of formats/json.ts.
 */

/** What a field must hold when present and not null. */
export type FieldType =
  /** A string, or a number (ids and versions are sometimes written as numbers). */
  | 'text'
  /**
   * A number, or a string: numbers are often written as text ("7.5"), and a string that is no
   * number ("high", "") is read as no number, which loses no finding.
   */
  | 'number'
  | 'boolean'
  | 'object'
  /** A list of any values. */
  | 'list'
  /** A list of objects. */
  | 'objects'
  /** A list of texts, or one text standing for a one-element list. */
  | 'texts';

export type Fields = Readonly<Record<string, FieldType>>;

const EXPECTED: Record<FieldType, string> = {
  text: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  list: 'a list',
  objects: 'a list',
  texts: 'a list of strings',
};

/** A JSON value's type in words, never its content: a wrong value may be a secret. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return `a ${typeof value}`;
}

/** `parent.key`, or `key` at the top of the report. */
export function fieldPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** The reader of one format's shape; `report` names it in messages ("Trivy report"). */
export class ReportShape {
  constructor(readonly report: string) {}

  /** Refuses the report: the value at `path` is not what the format puts there. */
  refuse(path: string, value: unknown, expected: string): never {
    const where = path === '' ? 'the document' : path;
    throw new InputError(`Invalid ${this.report}: ${where} is ${jsonTypeOf(value)}; expected ${expected}.`);
  }

  /** A value the format requires to be an object (the document, a list element). */
  object(value: unknown, path: string, fields?: Fields): JsonObject {
    if (!isObject(value)) this.refuse(path, value, 'an object');
    return fields ? this.check(value, path, fields) : value;
  }

  /** An optional object: undefined when absent or null. */
  optionalObject(value: unknown, path: string, fields?: Fields): JsonObject | undefined {
    return value === undefined || value === null ? undefined : this.object(value, path, fields);
  }

  /** A value the format requires to be a list. */
  list(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.refuse(path, value, 'a list');
    return value;
  }

  /**
   * An optional list of objects (empty when absent or null), each element checked to be an object.
   * A large lazy array (formats/lazy-json.ts) is checked by its elements' first bytes, parsing none.
   */
  objects(value: unknown, path: string): JsonObject[] {
    if (value === undefined || value === null) return [];
    const list = this.list(value, path);
    for (let i = 0; i < list.length; i++) {
      if (!isObjectElement(list, i)) this.refuse(`${path}[${i}]`, list[i], 'an object');
    }
    return list as JsonObject[];
  }

  /** Checks the listed fields of an object; returns the object. */
  check(entry: JsonObject, path: string, fields: Fields): JsonObject {
    for (const [key, type] of entriesOf(fields)) {
      const value = entry[key];
      if (value === undefined || value === null) continue;
      if (!holds(type, value)) this.refuse(fieldPath(path, key), value, EXPECTED[type]);
      if (type === 'objects') this.objects(value, fieldPath(path, key));
      else if (type === 'texts' && Array.isArray(value)) {
        value.forEach((element, i) => {
          if (element !== null && !isText(element)) this.refuse(`${fieldPath(path, key)}[${i}]`, element, 'a string');
        });
      }
    }
    return entry;
  }
}

// check() runs for every object of a report: the tables' entries are listed once, not per object.
const entries = new WeakMap<Fields, [string, FieldType][]>();

function entriesOf(fields: Fields): [string, FieldType][] {
  let list = entries.get(fields);
  if (!list) entries.set(fields, (list = Object.entries(fields)));
  return list;
}

function isText(value: unknown): boolean {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function holds(type: FieldType, value: unknown): boolean {
  switch (type) {
    case 'text':
      return isText(value);
    case 'number':
      return typeof value === 'number' || typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isObject(value);
    case 'list':
    case 'objects':
      return Array.isArray(value);
    case 'texts':
      return Array.isArray(value) || isText(value);
  }
}
