import type { DetailValue, Finding, Occurrence, ParsedReport } from '../domain/finding.js';
import { isWellFormed, wellFormedText } from '../domain/well-formed.js';

/**
 * The one place where a parsed report's text is made fit to store, whatever format it came from:
 * - NUL characters are removed: PostgreSQL text columns refuse them, and real reports carry them
 *   (binary file contents in a snippet, a package name read from a corrupt archive).
 * - Unpaired UTF-16 surrogates (a JSON report's `"\ud800"`, which JSON.parse lets through) become
 *   U+FFFD, as UTF-8 encoding writes them: better-sqlite3 wrote them as bytes that are not UTF-8,
 *   read back as three U+FFFD where PostgreSQL stored one.
 * - A description, remediation, message or snippet longer than FIELD_LIMIT bytes is cut to it.
 * Each change is noted on the finding (`notes`), which the issue keeps and shows.
 */

/** The most UTF-8 bytes one description, remediation, message or snippet keeps. */
export const FIELD_LIMIT = 64 * 1024;

const NUL = '\u0000';
export const NUL_NOTE = "NUL characters were removed from this finding's text.";
export const SURROGATE_NOTE = "Unpaired UTF-16 surrogates in this finding's text were replaced with U+FFFD.";

/** The report's header with NUL characters removed and surrogates paired (the findings are left to storableFinding). */
export function storableHeader<T extends Omit<ParsedReport, 'findings'>>(report: T): T {
  for (const key of ['scanner', 'scannerVersion', 'artifact', 'scannedAt'] as const) {
    const value = report[key];
    if (value !== undefined && unstorable(value)) report[key] = storableText(value);
  }
  report.errors = report.errors.map(storableText);
  return report;
}

/** The finding as it may be stored: without NUL characters or unpaired surrogates and with long fields cut, each change noted. */
export function storableFinding(finding: Finding): Finding {
  const notes: string[] = [];
  let cleaned = finding;
  if (hasUnstorable(finding)) {
    const found = { nul: false, surrogate: false };
    cleaned = mapText(finding, (text) => {
      found.nul ||= text.includes(NUL);
      found.surrogate ||= !isWellFormed(text);
      return storableText(text);
    }) as Finding;
    if (found.nul) notes.push(NUL_NOTE);
    if (found.surrogate) notes.push(SURROGATE_NOTE);
  }

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

const unstorable = (text: string): boolean => text.includes(NUL) || !isWellFormed(text);

/** The text without NUL characters, its unpaired surrogates as U+FFFD. */
function storableText(text: string): string {
  const withoutNul = text.includes(NUL) ? text.split(NUL).join('') : text;
  return wellFormedText(withoutNul);
}

/** True when any text of the value, keys included, is unstorable; cheaper than copying every finding. */
function hasUnstorable(value: unknown): boolean {
  if (typeof value === 'string') return unstorable(value);
  if (Array.isArray(value)) return value.some(hasUnstorable);
  if (typeof value === 'object' && value !== null) {
    for (const key in value) if (unstorable(key) || hasUnstorable((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

/** A copy of the value with `map` applied to every text, keys included. */
function mapText(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapText(item, map));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[map(key)] = mapText(v, map) as DetailValue;
    return out;
  }
  return value;
}
