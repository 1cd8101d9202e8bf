import type { Finding, ParsedReport } from '../../src/domain/finding.js';
import { type ParseOptions, parseReport, type ReportFormat } from '../../src/formats/index.js';

/** A parsed report with its findings read into an array, and its summary as it stands after that. */
export type ReadReport = Omit<ParsedReport, 'findings'> & { findings: Finding[] };

export function readAll(report: ParsedReport): ReadReport {
  const findings = [...report.findings];
  return { ...report, findings };
}

/** parseReport, with the findings read: what tests compare. */
export function parseAll(input: Uint8Array | string, options: ParseOptions): ReadReport {
  return readAll(parseReport(input, options));
}

/** One format's parse(), with the findings read. */
export function parseWith(format: ReportFormat, doc: unknown): ReadReport {
  return readAll(format.parse(doc));
}
