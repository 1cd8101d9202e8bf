/** Reading and writing the query-string parts that several pages share. */

/** A comma-separated list (`severity=critical,high`), trimmed, without empty or repeated values. */
export function readList(params: URLSearchParams, key: string): string[] {
  const values = params.getAll(key).flatMap((v) => v.split(','));
  return [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))];
}

/** A positive whole number, or the fallback for anything else. */
export function readPositiveInteger(params: URLSearchParams, key: string, fallback: number): number {
  const text = params.get(key);
  if (text === null || !/^\d{1,9}$/.test(text)) return fallback;
  const value = Number(text);
  return value >= 1 ? value : fallback;
}

/** The page sizes the tables offer (`size=`). */
export const PAGE_SIZES = [25, 50, 100, 200] as const;
export const DEFAULT_PAGE_SIZE = 50;

/** `size=` when it is one of PAGE_SIZES, else the default. */
export function readPageSize(params: URLSearchParams): number {
  const size = readPositiveInteger(params, 'size', DEFAULT_PAGE_SIZE);
  return (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_PAGE_SIZE;
}

/** The periods a trend chart offers (`days=`). */
export const TREND_DAYS = [7, 30, 90] as const;
export const DEFAULT_TREND_DAYS = 30;

/** `days=` when it is one of TREND_DAYS, else the default. */
export function readTrendDays(params: URLSearchParams): number {
  const days = readPositiveInteger(params, 'days', DEFAULT_TREND_DAYS);
  return (TREND_DAYS as readonly number[]).includes(days) ? days : DEFAULT_TREND_DAYS;
}

/** `-key` or `key` when key is one of `keys`, else the fallback. */
export function readSort(params: URLSearchParams, keys: readonly string[], fallback: string): string {
  const text = params.get('sort');
  if (text === null) return fallback;
  return keys.includes(text.replace(/^-/, '')) ? text : fallback;
}

/**
 * The sort after a click on a column: the same column flips direction; another starts in the
 * column's natural direction (descending for counts and dates, ascending for names).
 */
export function nextSort(current: string, key: string, descendingFirst: boolean): string {
  if (current === key) return `-${key}`;
  if (current === `-${key}`) return key;
  return descendingFirst ? `-${key}` : key;
}

/** `aria-sort` for a column header. */
export function ariaSort(current: string, key: string): 'ascending' | 'descending' | 'none' {
  if (current === key) return 'ascending';
  if (current === `-${key}`) return 'descending';
  return 'none';
}

/** Writes entries in order, leaving out empty lists, empty text and values equal to their default. */
export function writeSearch(entries: Array<[string, string | number | boolean | readonly string[] | null | undefined, (string | number | boolean)?]>): string {
  const params = new URLSearchParams();
  for (const [key, value, fallback] of entries) {
    if (value === null || value === undefined || value === '' || value === false) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(key, value.join(','));
      continue;
    }
    if (fallback !== undefined && value === fallback) continue;
    params.set(key, String(value));
  }
  // Commas stay readable in shared URLs; URLSearchParams would write them as %2C.
  const text = params.toString().replace(/%2C/g, ',');
  return text ? `?${text}` : '';
}

/** The periods the SLA compliance section offers (`slaDays=`). */
export const SLA_DAYS = [30, 90, 180] as const;
export const DEFAULT_SLA_DAYS = 90;

/** `slaDays=` when it is one of SLA_DAYS, else the default. */
export function readSlaDays(params: URLSearchParams): number {
  const days = readPositiveInteger(params, 'slaDays', DEFAULT_SLA_DAYS);
  return (SLA_DAYS as readonly number[]).includes(days) ? days : DEFAULT_SLA_DAYS;
}
