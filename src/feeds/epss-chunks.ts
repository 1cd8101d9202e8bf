/**
 * The EPSS file's rows as an import hands them from the parser to a store: in chunks of typed
 * arrays, each CVE as a number (cveKey()), so that they cross from the parsing thread
 * (epss-parse.ts) without copying and are written without a string per row surviving the parse.
 * No database or Kysely here: the parsing thread loads this module and the parser only.
 */

/** One CVE's score as the parser reads it from a line. */
export interface EpssLine {
  cve: string;
  epss: number;
  percentile: number;
}

/** Consecutive lines of the file: `count` rows, each a CVE key (cveKey()), a score and a percentile. */
export interface EpssChunk {
  count: number;
  keys: Float64Array;
  epss: Float64Array;
  percentiles: Float64Array;
  /** The ids a key does not hold whole (keyHoldsId()), by row of the chunk; none so far in FIRST's files. */
  ids: Array<[row: number, cve: string]>;
}

/** Rows of a chunk: about 400 KB of arrays, a few tens of milliseconds of parsing. */
export const EPSS_CHUNK_ROWS = 16_384;

/** Base-11 places of the number kept in a key: 11^7 · 211 years < 2^32. */
const NUMBER_PLACES = 7;
const NUMBERS = 11 ** NUMBER_PLACES;
/** Years a key tells apart: 1990 to 2200. */
const FIRST_YEAR = 1990;
const YEARS = 211;
/** `CVE-YYYY-` for each year a key holds. */
const YEAR_PREFIXES = Array.from({ length: YEARS }, (_, year) => `CVE-${FIRST_YEAR + year}-`);
const DIGITS = '0123456789';

/**
 * A CVE id (checked by CVE_ID) as a number that never orders two ids against their order as
 * text: its year, then the first seven digits of its number in base 11, 0 for no digit (a shorter
 * number comes before a longer one it starts with). Ids alike in these share a key: none so far,
 * as no CVE number has had eight digits.
 */
export function cveKey(cve: string): number {
  // CVE-YYYY-N…: years from 1990 to 2200 apart, those outside it with the nearest.
  let key = Math.min(Math.max(Number(cve.slice(4, 8)) - FIRST_YEAR, 0), YEARS - 1);
  for (let at = 9; at < 9 + NUMBER_PLACES; at++) key = key * 11 + (at < cve.length ? cve.charCodeAt(at) - 47 : 0);
  return key;
}

/** The year part of a key (cveKey()): keys of different years never interleave in the ids' order as text. */
export function yearOfKey(key: number): number {
  return Math.floor(key / NUMBERS);
}

/**
 * `CVE-YYYY-` for a key's year (yearOfKey()): as text, after every id of the years before it and
 * before every id of its own (a bound of a range of years, store/feeds.ts).
 */
export function yearPrefix(year: number): string {
  return YEAR_PREFIXES[year] as string;
}

/** Whether idOfKey(cveKey(cve)) gives `cve` back: a year from 1990 to 2200 and at most seven digits. */
export function keyHoldsId(cve: string): boolean {
  if (cve.length > 9 + NUMBER_PLACES) return false;
  const year = (cve.charCodeAt(4) - 48) * 1000 + (cve.charCodeAt(5) - 48) * 100 + (cve.charCodeAt(6) - 48) * 10 + (cve.charCodeAt(7) - 48);
  return year >= FIRST_YEAR && year < FIRST_YEAR + YEARS;
}

/** The CVE id of a key whose id it holds whole (keyHoldsId()). */
export function idOfKey(key: number): string {
  const year = Math.floor(key / NUMBERS);
  let rest = key - year * NUMBERS;
  let number = '';
  for (let place = NUMBERS / 11; place >= 1; place /= 11) {
    const digit = Math.floor(rest / place);
    if (digit === 0) break;
    number += DIGITS[digit - 1] as string;
    rest -= digit * place;
  }
  return (YEAR_PREFIXES[year] as string) + number;
}

/** The most characters idOfKey() gives: `CVE-YYYY-` and seven digits. */
export const KEY_ID_LENGTH = 9 + NUMBER_PLACES;

/**
 * Writes idOfKey(key) into `buffer` at `at` as ASCII, without making the string, and returns where
 * it ends (room for KEY_ID_LENGTH bytes is the caller's to make).
 */
export function writeIdOfKey(key: number, buffer: Uint8Array, at: number): number {
  const year = Math.floor(key / NUMBERS);
  let rest = key - year * NUMBERS;
  const prefix = YEAR_PREFIXES[year] as string;
  for (let i = 0; i < prefix.length; i++) buffer[at++] = prefix.charCodeAt(i);
  for (let place = NUMBERS / 11; place >= 1; place /= 11) {
    const digit = Math.floor(rest / place);
    if (digit === 0) break;
    // A key holds each digit as its character code less 47 (cveKey()).
    buffer[at++] = digit + 47;
    rest -= digit * place;
  }
  return at;
}

/** The CVE id of a chunk's row. */
export function chunkId(chunk: EpssChunk, row: number, ids: ReadonlyMap<number, string> | undefined): string {
  return ids?.get(row) ?? idOfKey(chunk.keys[row] as number);
}

/** The ids of a chunk that its keys do not hold, by row; undefined when there are none (the usual case). */
export function chunkIds(chunk: EpssChunk): ReadonlyMap<number, string> | undefined {
  return chunk.ids.length === 0 ? undefined : new Map(chunk.ids);
}

/** Gathers parsed lines into chunks of `size` rows and hands each to `emit` when full, and the rest on flush(). */
export class EpssChunker {
  private chunk: EpssChunk;

  constructor(
    private readonly emit: (chunk: EpssChunk) => void,
    private readonly size = EPSS_CHUNK_ROWS,
  ) {
    this.chunk = this.empty();
  }

  add(line: EpssLine): void {
    const chunk = this.chunk;
    const at = chunk.count++;
    chunk.keys[at] = cveKey(line.cve);
    chunk.epss[at] = line.epss;
    chunk.percentiles[at] = line.percentile;
    if (!keyHoldsId(line.cve)) chunk.ids.push([at, line.cve]);
    if (chunk.count === this.size) this.flush();
  }

  /** Hands on the rows gathered so far, if any. */
  flush(): void {
    if (this.chunk.count === 0) return;
    const { count, keys, epss, percentiles, ids } = this.chunk;
    this.chunk = this.empty();
    this.emit({ count, keys: keys.subarray(0, count), epss: epss.subarray(0, count), percentiles: percentiles.subarray(0, count), ids });
  }

  private empty(): EpssChunk {
    return { count: 0, keys: new Float64Array(this.size), epss: new Float64Array(this.size), percentiles: new Float64Array(this.size), ids: [] };
  }
}
