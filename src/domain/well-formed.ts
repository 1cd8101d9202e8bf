/**
 * Unpaired UTF-16 surrogates: JSON.parse lets a report's `"\ud800"` through, UTF-8 encoding writes
 * one as U+FFFD, better-sqlite3 as bytes that are not UTF-8, and PostgreSQL's JSON input refuses its
 * escape. Node 20 has String.prototype.isWellFormed and toWellFormed; TypeScript's ES2023 lib does not
 * declare them yet.
 */
type WellFormedString = string & { isWellFormed(): boolean; toWellFormed(): string };

export const isWellFormed = (text: string): boolean => (text as WellFormedString).isWellFormed();

/** The text with each unpaired surrogate as U+FFFD; the text itself when it has none. */
export const wellFormedText = (text: string): string => (isWellFormed(text) ? text : (text as WellFormedString).toWellFormed());
