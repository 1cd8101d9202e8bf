import type { DetailValue, Finding, Occurrence, ParsedReport } from '../domain/finding.js';

/**
 * The one place where a parsed report's text is made fit to store, whatever format it came from:
 * - NUL characters are removed: PostgreSQL text columns refuse them, and real reports carry them
 *   (binary file contents in a snippet, a package name read from a corrupt archive).
 * - A description, remediation, message or snippet longer than FIELD_LIMIT bytes is cut to it.
 * Each change is noted on the finding (`notes`), which the issue keeps and shows.
 */

/** The most UTF-8 bytes one description, remediation, message or snippet keeps. */
export const FIELD_LIMIT = 64 * 1024;

const NUL = '\u0000';
export const NUL_NOTE = "NUL characters were removed from this finding's text.";

/** The report's header with NUL characters removed (the findings are left to storableFinding). */
export function storableHeader<T extends Omit<ParsedReport, 'findings'>>(report: T): T {
  for (const key of ['scanner', 'scannerVersion', 'artifact', 'scannedAt'] as const) {
    const value = report[key];
    if (value !== undefined && value.includes(NUL)) report[key] = withoutNul(value);
  }
  report.errors = report.errors.map(withoutNul);
  return report;
}

/** The finding as it may be stored: without NUL characters and with long fields cut, each change noted. */
export function storableFinding(finding: Finding): Finding {
  const notes: string[] = [];
  const cleaned = hasNul(finding) ? (removeNul(finding) as Finding) : finding;
  if (cleaned !== finding) notes.push(NUL_NOTE);

  const cut = (name: string, text: string | undefined): string | undefined => {
    if (text === undefined || text.length * 3 <= FIELD_LIMIT) return text;
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes <= FIELD_LIMIT) return text;
    notes.push(`The ${name} was cut to 64 KB; it was ${kilobytes(bytes)} (${bytes} bytes).`);
    // A character cut in half at the limit decodes as U+FFFD: drop it.
    return Buffer.from(text, 'utf8').toString('utf8', 0, FIELD_LIMIT).replace(/\uFFFD+$/, '');
  };
  const description = cut('description', cleaned.description);
  const remediation = cut('remediation', cleaned.remediation);
  const snippet = cut('snippet', cleaned.occurrence.snippet);
  const details = cleaned.occurrence.details;
  const message = typeof details?.message === 'string' ? cut('message', details.message) : undefined;
  if (notes.length === 0) return finding;

  const occurrence: Occurrence = { ...cleaned.occurrence };
  if (snippet !== undefined) occurrence.snippet = snippet;
  if (message !== undefined && details) occurrence.details = { ...details, message };
  const result: Finding = { ...cleaned, occurrence, notes: [...(cleaned.notes ?? []), ...notes] };
  if (description !== undefined) result.description = description;
  if (remediation !== undefined) result.remediation = remediation;
  return result;
}

function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

function withoutNul(text: string): string {
  return text.includes(NUL) ? text.split(NUL).join('') : text;
}

/** True when any text of the value, keys included, holds a NUL; cheaper than copying every finding. */
function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(NUL);
  if (Array.isArray(value)) return value.some(hasNul);
  if (typeof value === 'object' && value !== null) {
    for (const key in value) if (key.includes(NUL) || hasNul((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

function removeNul(value: unknown): unknown {
  if (typeof value === 'string') return withoutNul(value);
  if (Array.isArray(value)) return value.map(removeNul);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[withoutNul(key)] = removeNul(v) as DetailValue;
    return out;
  }
  return value;
}
