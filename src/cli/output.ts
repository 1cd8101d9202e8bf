import { createRequire } from 'node:module';
import { inspect, stripVTControlCharacters } from 'node:util';
import type TableType from 'cli-table3';
import type { Severity } from '../domain/severity.js';
import type { CliIo } from './io.js';

// Loaded on first use, so that `lantern --help` and `--version` do not pay for it.
const require = createRequire(import.meta.url);

/** Two spaces between columns. */
const GAP = 2;
/** The columns a table names are first cut no narrower than this (nor than their heading). */
const MIN_CUT_WIDTH = 12;
/**
 * How output is shown: on a terminal, tables fit its width and colour is used unless NO_COLOR is
 * set (no-color.org); piped output is never cut nor coloured, so scripts and `grep` see every character.
 */
export interface Screen {
  width: number | undefined;
  colour: boolean;
}

export function screenOf(io: CliIo): Screen {
  const terminal = io.terminal;
  return { width: terminal?.columns, colour: terminal !== undefined && !io.env.NO_COLOR };
}

type Style = 'bold' | 'red' | 'yellow' | 'cyan' | 'gray';

/**
 * `text` in these styles when the screen shows colour, else as it is. Node's own escape codes
 * (util.inspect.colors), not util.styleText: from Node 22 that one drops colour by itself when
 * process.stdout is not a terminal, and the decision is the Screen's (tests write to buffers).
 */
export function paint(screen: Screen, styles: Style | Style[], text: string): string {
  if (!screen.colour) return text;
  return [styles].flat().reduceRight((inner, style) => {
    const [open, close] = inspect.colors[style] as [number, number];
    return `\u001b[${open}m${inner}\u001b[${close}m`;
  }, text);
}

const SEVERITY_STYLE: Record<Severity, Style | Style[]> = { critical: ['bold', 'red'], high: 'red', medium: 'yellow', low: 'cyan', info: 'gray' };

/** A severity name (or text led by one) in that severity's colour. */
export function paintSeverity(screen: Screen, severity: Severity, text: string = severity): string {
  return paint(screen, SEVERITY_STYLE[severity], text);
}

/** Which columns give way on a narrow terminal, by heading. */
export interface TableLayout {
  /** Cut these first (widest first), down to MIN_CUT_WIDTH; only then every column, down to its heading. */
  cutFirst?: readonly string[];
  /** Cut these at the start, keeping the end: a path's file name and line. */
  keepEnd?: readonly string[];
}

/**
 * Plain aligned columns, no borders and no trailing blanks, so output reads well and pastes
 * cleanly. On a terminal narrower than the table, columns are cut with `…`.
 */
export function table(screen: Screen, head: string[], rows: (string | number | null | undefined)[][], layout: TableLayout = {}): string {
  const Table = require('cli-table3') as typeof TableType;
  const cells = rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '-' : oneLine(String(cell)))));
  const natural = head.map((h, i) => Math.max(h.length, ...cells.map((row) => visibleLength(row[i] ?? ''))));
  const cutFirst = head.map((h) => layout.cutFirst === undefined || layout.cutFirst.includes(h));
  const widths = screen.width === undefined ? natural : fitWidths(natural, head.map((h) => h.length), cutFirst, screen.width);
  head.forEach((h, i) => {
    if (!layout.keepEnd?.includes(h)) return;
    const width = widths[i] as number;
    for (const row of cells) {
      const cell = [...(row[i] ?? '')];
      if (cell.length > width) row[i] = `…${cell.slice(cell.length - width + 1).join('')}`;
    }
  });
  const t = new Table({
    head: head.map((h) => paint(screen, 'bold', h)),
    colWidths: widths,
    truncate: '…',
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ' '.repeat(GAP),
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const row of cells) t.push(row);
  return `${t.toString().split('\n').map((line) => line.trimEnd()).join('\n')}\n`;
}

/**
 * Column widths that fit `width`, taking one character at a time from the widest column that
 * can still give: first from the `cutFirst` columns down to MIN_CUT_WIDTH, then from any column
 * down to its heading. A table that cannot fit even so keeps those widths.
 */
export function fitWidths(natural: readonly number[], headings: readonly number[], cutFirst: readonly boolean[], width: number): number[] {
  const widths = [...natural];
  let excess = widths.reduce((sum, w) => sum + w, 0) + GAP * (widths.length - 1) - width;
  const passes = [
    natural.map((n, i) => (cutFirst[i] ? Math.min(n, Math.max(headings[i] as number, MIN_CUT_WIDTH)) : n)),
    natural.map((n, i) => Math.min(n, headings[i] as number)),
  ];
  for (const floors of passes) {
    while (excess > 0) {
      let widest = -1;
      widths.forEach((w, i) => {
        if (w > (floors[i] as number) && (widest < 0 || w > (widths[widest] as number))) widest = i;
      });
      if (widest < 0) break;
      widths[widest] = (widths[widest] as number) - 1;
      excess--;
    }
  }
  return widths;
}

function visibleLength(text: string): number {
  return [...stripVTControlCharacters(text)].length;
}

/** Scanner text may hold line breaks and tabs; a table row is one line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** `2026-11-22T10:04:05.123Z` → `2026-11-22 10:04`. */
export function shortTime(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : '-';
}
