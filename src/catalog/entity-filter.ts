import { InputError } from '../domain/errors.js';

/**
 * The query language of Backstage's catalog API, read from query parameters: `filter`, `fields`,
 * `order` / `orderField`, the full-text filter and the by-query cursor. Pure; the store turns a
 * parsed query into SQL (store/entity-query.ts).
 */

/** One condition: the key exists, or (with values) has one of the values. Lower-cased. */
export interface EntityCondition {
  key: string;
  values?: string[];
}

/** Filter sets, any of which may match; the conditions of one set must all match. Empty: every entity. */
export type EntityFilter = EntityCondition[][];

export interface EntityOrder {
  field: string;
  order: 'asc' | 'desc';
}

export interface FullTextFilter {
  term: string;
  /** Lower-cased keys to search; empty: the first order field, else metadata.name. */
  fields: string[];
}

/**
 * `filter=kind=component,spec.type=service&filter=kind=api`: each parameter is a set of
 * comma-separated conditions `key=value` or `key` (exists); a key repeated within a set matches
 * any of its values. Keys and values compare case-insensitively, as in Backstage.
 */
export function parseEntityFilter(params: readonly string[] | undefined): EntityFilter {
  const sets: EntityFilter = [];
  for (const param of params ?? []) {
    const byKey = new Map<string, { exists: boolean; values: string[] }>();
    for (const statement of param.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
      const equals = statement.indexOf('=');
      const key = (equals === -1 ? statement : statement.slice(0, equals)).trim().toLowerCase();
      if (key === '') {
        throw new InputError(`Invalid filter ${JSON.stringify(statement)}: expected key=value or key, such as kind=component or spec.type.`);
      }
      const condition = byKey.get(key) ?? { exists: false, values: [] };
      byKey.set(key, condition);
      if (equals === -1) condition.exists = true;
      else condition.values.push(statement.slice(equals + 1).trim().toLowerCase());
    }
    // Any value satisfies an existence check, so it makes the key's listed values moot.
    if (byKey.size > 0) sets.push([...byKey].map(([key, c]) => (c.exists ? { key } : { key, values: c.values })));
  }
  return sets;
}

/** `fields=kind,metadata.name` (one parameter or several): the paths to keep, or undefined for all. */
export function parseFields(params: readonly string[] | undefined): string[] | undefined {
  const fields = (params ?? []).flatMap((p) => p.split(',')).map((f) => f.trim()).filter((f) => f !== '');
  for (const field of fields) {
    if (field.includes('[')) throw new InputError(`Invalid field ${JSON.stringify(field)}: list items cannot be selected; select the whole list.`);
  }
  return fields.length > 0 ? fields : undefined;
}

/** by-query's `orderField=metadata.name,asc`. */
export function parseOrderFields(params: readonly string[] | undefined): EntityOrder[] {
  return (params ?? []).map((param) => {
    const [field = '', order = 'asc', ...rest] = param.split(',').map((s) => s.trim());
    return checkedOrder(field, order, rest.length > 0, param, 'orderField', 'metadata.name,asc');
  });
}

/** GET /entities's `order=asc:metadata.name`, as @backstage/catalog-client sends it. */
export function parseOrder(params: readonly string[] | undefined): EntityOrder[] {
  return (params ?? []).map((param) => {
    const colon = param.indexOf(':');
    const order = colon === -1 ? 'asc' : param.slice(0, colon).trim();
    const field = colon === -1 ? param.trim() : param.slice(colon + 1).trim();
    return checkedOrder(field, order, false, param, 'order', 'asc:metadata.name');
  });
}

function checkedOrder(field: string, order: string, extra: boolean, param: string, name: string, example: string): EntityOrder {
  if (field === '' || extra || (order !== 'asc' && order !== 'desc')) {
    throw new InputError(`Invalid ${name} ${JSON.stringify(param)}: expected a field and asc or desc, such as ${example}.`);
  }
  return { field: field.toLowerCase(), order };
}

export function parseFullTextFilter(term: string | undefined, fields: readonly string[] | undefined): FullTextFilter | undefined {
  const trimmed = term?.trim();
  if (!trimmed) return undefined;
  return { term: trimmed.toLowerCase(), fields: (fields ?? []).flatMap((f) => f.split(',')).map((f) => f.trim().toLowerCase()).filter((f) => f !== '') };
}

/** What a by-query cursor carries: the query it pages through and where the page starts. */
export interface QueryCursor {
  filter: EntityFilter;
  orderFields: EntityOrder[];
  fullTextFilter?: FullTextFilter | undefined;
  offset: number;
}

/** Opaque to clients: base64 of JSON, as Backstage's are (and without a `query` key, which the client reads as a predicate query). */
export function encodeCursor(cursor: QueryCursor): string {
  return Buffer.from(JSON.stringify({ f: cursor.filter, o: cursor.orderFields, t: cursor.fullTextFilter ?? null, s: cursor.offset }), 'utf8').toString('base64');
}

export function decodeCursor(text: string): QueryCursor {
  const invalid = () => new InputError(`Invalid cursor ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)}: pass a cursor exactly as a previous answer's pageInfo gave it.`);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!isCursorShape(raw)) throw invalid();
  return { filter: raw.f, orderFields: raw.o, fullTextFilter: raw.t ?? undefined, offset: raw.s };
}

function isCursorShape(raw: unknown): raw is { f: EntityFilter; o: EntityOrder[]; t: FullTextFilter | null; s: number } {
  if (raw === null || typeof raw !== 'object') return false;
  const { f, o, t, s } = raw as Record<string, unknown>;
  const isText = (v: unknown) => typeof v === 'string';
  const isCondition = (c: unknown) =>
    c !== null && typeof c === 'object' && isText((c as EntityCondition).key) && ((c as EntityCondition).values === undefined || (Array.isArray((c as EntityCondition).values) && ((c as EntityCondition).values as unknown[]).every(isText)));
  const filterOk = Array.isArray(f) && f.every((set) => Array.isArray(set) && set.every(isCondition));
  const orderOk = Array.isArray(o) && o.every((x) => x !== null && typeof x === 'object' && isText(x.field) && (x.order === 'asc' || x.order === 'desc'));
  const textOk = t === null || (t !== undefined && typeof t === 'object' && isText((t as FullTextFilter).term) && Array.isArray((t as FullTextFilter).fields) && (t as FullTextFilter).fields.every(isText));
  return filterOk && orderOk && textOk && typeof s === 'number' && Number.isInteger(s) && s >= 0;
}
