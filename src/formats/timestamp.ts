/**
 * A report's timestamp as UTC ISO 8601, or undefined when the value is not a date. Scanners write
 * offsets and nanoseconds differently; one form keeps scans comparable.
 */
export function isoTimestamp(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}
