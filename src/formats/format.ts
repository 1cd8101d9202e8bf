import type { Finding, ParsedReport } from '../domain/finding.js';

/**
 * One scanner report format. Adding a format is adding one file that exports one of these and one
 * line in formats/index.ts. Parsers are pure: parsed JSON in, normalised findings out, no I/O.
 * A parser throws InputError with a sentence that says what it expected and what it found.
 */
export interface ReportFormat {
  /** Registry name, as `--format` takes it: `trivy`, `sarif`, `snyk` … */
  readonly name: string;
  /** Human name: "Trivy JSON". */
  readonly title: string;
  /** The scanner command that writes this format (shown in the README and `lantern formats`). */
  readonly producedBy: string;
  /**
   * True when the parsed document positively looks like this format. Cheap, never throws, and
   * false for bare empty documents (`{}`, `[]`, `null`), which identify no format.
   */
  detect(doc: unknown): boolean;
  /**
   * True for the empty documents this format writes when it found nothing and which say nothing
   * of their format (Gitleaks' `null`, Aqua's `{}`; `undefined` stands for a 0-byte file). They are
   * accepted only when the user names the format.
   */
  acceptsEmpty?(doc: unknown): boolean;
  /** Reads a document that detect() or acceptsEmpty() accepted. */
  parse(doc: unknown): ParsedReport;
}

/**
 * A report whose findings come from `read`, a generator that may update the report's summary
 * (`suppressed`, `errors`, `scanType`) as it goes. The findings can be read once.
 */
export function streamedReport(header: Omit<ParsedReport, 'findings'>, read: (report: ParsedReport) => Generator<Finding>): ParsedReport {
  const report = header as ParsedReport;
  report.findings = read(report);
  return report;
}
