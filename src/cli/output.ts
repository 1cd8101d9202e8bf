import { createRequire } from 'node:module';
import type TableType from 'cli-table3';

// Loaded on first use, so that `lantern --help` and `--version` do not pay for it.
const require = createRequire(import.meta.url);

/** Plain aligned columns, no borders, so output reads well and pastes cleanly. */
export function table(head: string[], rows: (string | number | null | undefined)[][]): string {
  const Table = require('cli-table3') as typeof TableType;
  const t = new Table({
    head,
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const row of rows) t.push(row.map((cell) => (cell === null || cell === undefined ? '-' : String(cell))));
  return `${t.toString()}\n`;
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** `2026-11-22T10:04:05.123Z` → `2026-11-22 10:04`. */
export function shortTime(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : '-';
}
