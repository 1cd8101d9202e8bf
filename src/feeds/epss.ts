import { InputError } from '../domain/errors.js';
import type { EpssLine } from './epss-chunks.js';
import { CVE_ID } from './kev.js';

/** One CVE's EPSS score (the row an import stores). */
export type EpssScore = EpssLine;

export interface EpssHeader {
  /** model_version of the comment line, when there is one. */
  version: string | null;
  /** score_date of the comment line, YYYY-MM-DD. */
  date: string | null;
}

/** A line of the file, numbered from 1. */
export interface Line {
  text: string;
  number: number;
}

/**
 * Reads FIRST's epss_scores CSV line by line: an optional `#model_version:…,score_date:…` comment,
 * the `cve,epss,percentile` header, then one CVE a line. `onHeader` hears the comment before the
 * first score. A malformed line is refused with the file and line number, and so is the score
 * past `maxRows`.
 */
export async function* epssScores(lines: AsyncIterable<Line>, file: string, onHeader: (header: EpssHeader) => void, maxRows = Number.POSITIVE_INFINITY): AsyncGenerator<EpssScore> {
  let header: EpssHeader = { version: null, date: null };
  let columns: { cve: number; epss: number; percentile: number } | undefined;
  let rows = 0;
  for await (const { text, number } of lines) {
    const line = text.trim();
    if (line === '') continue;
    if (!columns) {
      if (line.startsWith('#')) {
        header = commentHeader(line);
        continue;
      }
      const names = line.split(',').map((n) => n.trim().toLowerCase());
      const at = { cve: names.indexOf('cve'), epss: names.indexOf('epss'), percentile: names.indexOf('percentile') };
      if (at.cve < 0 || at.epss < 0 || at.percentile < 0) {
        throw new InputError(`${file}, line ${number}: not an EPSS file: expected the header "cve,epss,percentile", found ${JSON.stringify(line.slice(0, 80))}.`);
      }
      columns = at;
      onHeader(header);
      continue;
    }
    const cells = line.split(',');
    const cve = (cells[columns.cve] ?? '').trim().toUpperCase();
    if (!CVE_ID.test(cve)) throw new InputError(`${file}, line ${number}: ${JSON.stringify(cells[columns.cve] ?? '')} is not a CVE id; expected a line such as "CVE-2024-3400,0.94,0.999".`);
    const epssText = (cells[columns.epss] ?? '').trim();
    const percentileText = (cells[columns.percentile] ?? '').trim();
    const epss = probability(epssText);
    const percentile = probability(percentileText);
    if (epss === undefined || percentile === undefined) {
      throw new InputError(`${file}, line ${number}: the score and percentile of ${cve} must be numbers from 0 to 1; found ${JSON.stringify(line.slice(0, 80))}.`);
    }
    if (++rows > maxRows) throw new InputError(`${file}: more than ${maxRows} scores; no EPSS file is this large.`);
    yield { cve, epss, percentile };
  }
  if (!columns) throw new InputError(`${file}: not an EPSS file: no "cve,epss,percentile" header line.`);
}

function commentHeader(line: string): EpssHeader {
  const fields = new Map(
    line
      .slice(1)
      .split(',')
      .map((part) => {
        const colon = part.indexOf(':');
        return [part.slice(0, colon).trim().toLowerCase(), part.slice(colon + 1).trim()] as const;
      }),
  );
  const date = (fields.get('score_date') ?? '').slice(0, 10);
  return { version: fields.get('model_version')?.slice(0, 100) || null, date: /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : null };
}

function probability(cell: string): number | undefined {
  if (!/^(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(cell)) return undefined;
  const value = Number(cell);
  return value >= 0 && value <= 1 ? value : undefined;
}
