import { InputError } from '../domain/errors.js';
import { ACCOUNT_SCOPE, type Scope } from '../domain/scope.js';
import { isObject, type JsonObject } from '../formats/json.js';
import { admitEntities, type CatalogEntity, type EntitySource } from './entity.js';
import { parseCatalogValue } from './parse.js';
import type { CatalogFileReport, CatalogReadResult } from './read.js';
import { ReadingPolicy, type ReadingPolicyOptions } from './reading-policy.js';
import { backstageBaseUrl } from './source-address.js';
import { byteSize, DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, getText } from './source-reader.js';
import { MAX_NESTING } from './yaml-source.js';

/**
 * A catalog read from a running Backstage instead of files: every entity its catalog API serves,
 * paged through `GET /api/catalog/entities/by-query` with Backstage's cursors, under the same
 * reading policy as a URL location. Backstage's answer is treated like any remote file: pages
 * and the whole read are bounded in size and time, and a page that is not what the API answers
 * fails the whole read, so that a refresh keeps the entities of the last good one.
 *
 * Each entity is reported as read from its own address in Backstage's API
 * (`…/entities/by-name/KIND/NAMESPACE/NAME`): an entity that no longer validates keeps its last
 * good version, as a catalog file mid-edit does, without holding back its neighbours.
 */

/** How a Backstage catalog is read. The token never reaches the database, a log or an error. */
export interface BackstageReadOptions {
  /** Sent as `Authorization: Bearer …` (LANTERN_BACKSTAGE_TOKEN); absent: no Authorization header. */
  token?: string | undefined;
  /** Entities asked for per page (`limit`). Default 200. */
  pageSize?: number | undefined;
  /** The most pages one read follows. Default 1000. */
  maxPages?: number | undefined;
  /** The most bytes all pages of one read may hold together. Default 256 MiB. */
  maxTotalBytes?: number | undefined;
  /** How long one whole read (every page) may take. Default 5 minutes. */
  deadlineMs?: number | undefined;
}

export const DEFAULT_BACKSTAGE_PAGE_SIZE = 200;
export const DEFAULT_BACKSTAGE_MAX_PAGES = 1000;
export const DEFAULT_BACKSTAGE_MAX_TOTAL_BYTES = 256 * 1024 * 1024;
export const DEFAULT_BACKSTAGE_DEADLINE_MS = 5 * 60 * 1000;
/** Backstage's cursors are a few hundred characters; a longer one is not a cursor. */
const MAX_CURSOR_LENGTH = 16 * 1024;

/** The environment variable that holds the Backstage token. */
export const BACKSTAGE_TOKEN_VARIABLE = 'LANTERN_BACKSTAGE_TOKEN';

/**
 * The Backstage token from the environment, or undefined when none is set. A token that an HTTP
 * header cannot carry is refused, and never quoted.
 */
export function backstageTokenFrom(env: NodeJS.ProcessEnv): string | undefined {
  const token = env[BACKSTAGE_TOKEN_VARIABLE]?.trim();
  if (!token) return undefined;
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new InputError(`${BACKSTAGE_TOKEN_VARIABLE} holds spaces, line breaks or characters other than printable ASCII, which an HTTP header cannot carry: expected the token alone.`);
  }
  return token;
}

export interface ReadBackstageOptions extends ReadingPolicyOptions {
  scope?: Scope | undefined;
  /** Entity refs already defined by other locations: a second definition here is a conflict. */
  known?: ReadonlyMap<string, EntitySource> | undefined;
  /** How long one page may take to answer. Default 10 seconds. */
  timeoutMs?: number | undefined;
  /** The largest page. Default 10 MiB, as for one catalog file. */
  maxBytes?: number | undefined;
  backstage?: BackstageReadOptions | undefined;
}

/** Reads every entity of the Backstage at `address` (`backstage+https://…`). Never throws for bad input or a bad answer. */
export async function readBackstageCatalog(address: string, options: ReadBackstageOptions = {}): Promise<CatalogReadResult> {
  const scope = options.scope ?? ACCOUNT_SCOPE;
  let base: URL;
  try {
    base = backstageBaseUrl(address);
  } catch (error) {
    return failedRead(address.trim(), scope, error instanceof Error ? error.message : String(error));
  }
  const location = `backstage+${base.href}`;
  const pages = await readPages(base, location, options);
  if ('error' in pages) return failedRead(location, scope, pages.error);

  const locationReport: CatalogFileReport = { file: location, entities: [], problems: [] };
  const files: CatalogFileReport[] = [locationReport];
  const entities: CatalogEntity[] = [];
  const defined = new Map(options.known ?? []);
  const read = new Set<string>();
  for (const item of pages.items) {
    const file = entityAddress(base, item);
    // A catalog that changes while it is paged may serve one entity on two pages.
    if (read.has(file.toLowerCase())) continue;
    read.add(file.toLowerCase());
    const report: CatalogFileReport = { file, entities: [], problems: [] };
    files.push(report);
    if (nestedDeeperThan(item, MAX_NESTING)) {
      report.problems.push({ level: 'error', message: `The entity nests collections more than ${MAX_NESTING} levels deep, which no catalog entity needs; it was not read.`, file, document: 1 });
      continue;
    }
    // Relations and status are what Backstage computed; Lantern computes its own.
    const { relations: _relations, status: _status, ...value } = item;
    const parsed = await parseCatalogValue(value, { file, location, scope });
    report.problems.push(...parsed.problems);
    report.entities.push(...admitEntities(parsed.entities, defined, entities, report.problems));
  }
  if (pages.items.length === 0) {
    locationReport.problems.push({ level: 'warning', message: `The Backstage catalog ${location} served no entity: its catalog is empty, or the token in ${BACKSTAGE_TOKEN_VARIABLE} may read none of it.`, file: location });
  }
  return { location, scope, entities, files };
}

function failedRead(location: string, scope: Scope, message: string): CatalogReadResult {
  return { location, scope, entities: [], files: [{ file: location, entities: [], problems: [{ level: 'error', message, file: location, code: 'unreadable' }] }] };
}

/** An item of a page, checked to have what names an entity. */
type EntityItem = JsonObject & { kind: string; metadata: JsonObject & { name: string } };

async function readPages(base: URL, location: string, options: ReadBackstageOptions): Promise<{ items: EntityItem[] } | { error: string }> {
  const backstage = options.backstage ?? {};
  const pageSize = backstage.pageSize ?? DEFAULT_BACKSTAGE_PAGE_SIZE;
  const maxPages = backstage.maxPages ?? DEFAULT_BACKSTAGE_MAX_PAGES;
  const maxTotalBytes = backstage.maxTotalBytes ?? DEFAULT_BACKSTAGE_MAX_TOTAL_BYTES;
  const deadlineMs = backstage.deadlineMs ?? DEFAULT_BACKSTAGE_DEADLINE_MS;
  const policy = new ReadingPolicy(options);
  const deadline = AbortSignal.timeout(deadlineMs);
  const headers: Record<string, string> = backstage.token === undefined ? {} : { authorization: `Bearer ${backstage.token}` };

  const items: EntityItem[] = [];
  const cursors = new Set<string>();
  let cursor: string | undefined;
  let totalBytes = 0;
  for (let page = 1; ; page++) {
    if (page > maxPages) {
      return { error: `The Backstage catalog ${location} has more than ${maxPages} pages of ${pageSize} entities, the most Lantern reads from one location.` };
    }
    const url = new URL('api/catalog/entities/by-query', base);
    url.searchParams.set('limit', String(pageSize));
    if (cursor !== undefined) url.searchParams.set('cursor', cursor);
    let text: string;
    try {
      text = await getText(url.href, {
        policy,
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
        accept: 'application/json',
        headers,
        // The token goes to the Backstage registered, never to where it redirects elsewhere.
        sameOrigin: true,
        signal: deadline,
        limitName: 'for one page of a Backstage catalog',
        unreadable: () =>
          new InputError(
            deadline.aborted
              ? `The Backstage catalog ${location} was not read within ${deadlineMs / 1000} seconds (stopped at page ${page}), the longest one read of a location may take.`
              : `Page ${page} of the Backstage catalog ${location} could not be read from ${url.origin}.`,
          ),
        statusError: (status) => refusal(location, status, backstage.token !== undefined),
      });
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
    totalBytes += Buffer.byteLength(text);
    if (totalBytes > maxTotalBytes) {
      return { error: `The Backstage catalog ${location} is larger than ${byteSize(maxTotalBytes)} over its first ${page} pages, the most Lantern reads from one location.` };
    }
    const parsed = readPage(text);
    if ('expected' in parsed) {
      return { error: `Page ${page} of the Backstage catalog ${location} is not an answer of GET /api/catalog/entities/by-query: expected ${parsed.expected}.` };
    }
    items.push(...parsed.items);
    if (parsed.nextCursor === undefined) return { items };
    if (cursors.has(parsed.nextCursor)) {
      return { error: `Page ${page} of the Backstage catalog ${location} names as its next page a cursor an earlier page already gave, so the pages would never end.` };
    }
    cursors.add(parsed.nextCursor);
    cursor = parsed.nextCursor;
  }
}

/** What Backstage's refusal means, when it is about the token; other statuses read as unreadable. */
function refusal(location: string, status: number, hasToken: boolean): InputError | undefined {
  if (status === 401) {
    return new InputError(
      hasToken
        ? `The Backstage catalog ${location} refused the token in ${BACKSTAGE_TOKEN_VARIABLE} (HTTP 401): expected a static or service token that Backstage's backend accepts.`
        : `The Backstage catalog ${location} needs a token (HTTP 401): set ${BACKSTAGE_TOKEN_VARIABLE} to a static or service token that Backstage's backend accepts.`,
    );
  }
  if (status === 403) {
    return new InputError(`The Backstage catalog ${location} does not let the token in ${BACKSTAGE_TOKEN_VARIABLE} read its entities (HTTP 403): expected a token allowed catalog.entity.read.`);
  }
  return undefined;
}

/** One page: its entities and the cursor to the next, or what was expected instead. */
function readPage(text: string): { items: EntityItem[]; nextCursor?: string } | { expected: string } {
  const shape = 'a JSON object with items (a list of entities), pageInfo and totalItems';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { expected: `${shape}, not text that is not JSON` };
  }
  if (!isObject(value)) return { expected: `${shape}, not ${describe(value)}` };
  const { items, pageInfo, totalItems } = value;
  if (!Array.isArray(items)) return { expected: `items to be a list of entities, not ${describe(items)}` };
  if (!isObject(pageInfo)) return { expected: `pageInfo to be an object, not ${describe(pageInfo)}` };
  if (totalItems !== undefined && !(typeof totalItems === 'number' && Number.isInteger(totalItems) && totalItems >= 0)) {
    return { expected: `totalItems to be a whole number, not ${describe(totalItems)}` };
  }
  const { nextCursor } = pageInfo;
  if (nextCursor !== undefined && (typeof nextCursor !== 'string' || nextCursor === '' || nextCursor.length > MAX_CURSOR_LENGTH)) {
    return { expected: `pageInfo.nextCursor to be absent or a cursor of at most ${MAX_CURSOR_LENGTH} characters, not ${describe(nextCursor)}` };
  }
  for (const [i, item] of items.entries()) {
    if (!isEntityItem(item)) return { expected: `items[${i}] to be an entity with a kind and a metadata.name, not ${isObject(item) ? 'an object without them' : describe(item)}` };
  }
  return { items: items as EntityItem[], ...(nextCursor === undefined ? {} : { nextCursor }) };
}

function isEntityItem(item: unknown): item is EntityItem {
  const nonEmpty = (v: unknown) => typeof v === 'string' && v !== '';
  return isObject(item) && nonEmpty(item.kind) && isObject(item.metadata) && nonEmpty(item.metadata.name) && (item.metadata.namespace === undefined || nonEmpty(item.metadata.namespace));
}

/** The entity's own address in Backstage's API: where it was read from, as problems and conflicts name it. */
function entityAddress(base: URL, item: EntityItem): string {
  const namespace = typeof item.metadata.namespace === 'string' ? item.metadata.namespace : 'default';
  const path = [item.kind, namespace, item.metadata.name].map(encodeURIComponent).join('/');
  return new URL(`api/catalog/entities/by-name/${path}`, base).href;
}

/** What a value is, never quoting it: a remote answer may hold anything. */
function describe(value: unknown): string {
  if (value === undefined) return 'absent';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `text (${value.length} characters)`;
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** True when objects and lists nest deeper than `max`, measured without recursion. */
function nestedDeeperThan(value: unknown, max: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [node, depth] = next;
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) return true;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return false;
}
