/**
 * CSV and JSON exports of what a page's filters show (the catalog, the search across entities, an
 * entity's Vulnerabilities tab): one set of columns gives both files, so they always agree.
 */

export type Cell = string | number | boolean | null;

export interface ExportColumn<Row> {
  /** The JSON key and the CSV header. */
  key: string;
  value: (row: Row) => Cell;
}

/** A table ready to be written: each row as the columns' values, in the columns' order. */
export interface ExportTable {
  keys: string[];
  records: Cell[][];
}

export function exportTable<Row>(columns: readonly ExportColumn<Row>[], rows: readonly Row[]): ExportTable {
  return { keys: columns.map((c) => c.key), records: rows.map((row) => columns.map((c) => c.value(row))) };
}

/**
 * Text a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return
 * first) gets a leading apostrophe, so a scanner's package named `=HYPERLINK(…)` stays text
 * (OWASP: CSV injection). Numbers are written as numbers.
 */
export function neutralise(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function csvCell(value: Cell): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = neutralise(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV with a header line and CRLF line ends. */
export function toCsv(table: ExportTable): string {
  return [table.keys, ...table.records].map((line) => line.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** The same records as JSON objects keyed by column. */
export function toJson(table: ExportTable): string {
  return `${JSON.stringify(
    table.records.map((record) => Object.fromEntries(table.keys.map((key, i) => [key, record[i] ?? null]))),
    null,
    2,
  )}\n`;
}

/** Hands the browser a file to save. */
export function download(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
