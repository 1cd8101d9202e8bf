/** How numbers, dates and places read on every page. */

const counts = new Intl.NumberFormat('en');

export function formatCount(value: number): string {
  return counts.format(value);
}

/**
 * A whole percentage as the API gives it. A severity that has issues never reads 0%: the API rounds
 * so that the five add up to 100, and one issue among thousands rounds to 0.
 */
export function formatPercent(percent: number, count: number): string {
  if (count > 0 && percent < 1) return '<1%';
  return `${Math.round(percent)}%`;
}

export function formatDateTime(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false, timeZone }).format(date);
}

export function formatDate(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', day: 'numeric', timeZone }).format(date);
}

/** A calendar day of the API (`2026-11-20`, UTC) as every chart, table and sentence writes it: `20 Nov 2026`. */
export function formatDay(day: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? formatDate(`${day}T12:00:00Z`, 'UTC') : day;
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "3 days ago", "yesterday", "just now"; a time a little ahead of the clock reads as now. */
export function formatRelative(iso: string, now: Date = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const seconds = (now.getTime() - date.getTime()) / 1000;
  if (seconds < 60) return 'just now';
  for (const [unit, size] of UNITS) {
    if (seconds >= size) return relative.format(-Math.floor(seconds / size), unit);
  }
  return 'just now';
}

/** `L10`, `L10-12`, or nothing without a line. */
export function formatLines(startLine: number | null | undefined, endLine: number | null | undefined): string {
  if (startLine === null || startLine === undefined) return '';
  if (endLine === null || endLine === undefined || endLine === startLine) return `L${startLine}`;
  return `L${startLine}-${endLine}`;
}

/** `src/pay.ts:10-12`. */
export function formatFileLocation(filePath: string, startLine: number | null | undefined, endLine: number | null | undefined): string {
  const lines = formatLines(startLine, endLine);
  return lines ? `${filePath}:${lines.slice(1)}` : filePath;
}

/** `4.17.20 → 4.17.21`, or the installed version alone when no fix is known. */
export function formatVersions(installed: string | null, fixed: string | null): string {
  if (installed && fixed) return `${installed} → ${fixed}`;
  if (fixed) return `fixed in ${fixed}`;
  return installed ?? '';
}

const tenths = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

/** A score or pass rate, a percentage with one decimal as the API gives it: `45.5%`, `100%`. */
export function formatScore(percent: number): string {
  return `${tenths.format(percent)}%`;
}
