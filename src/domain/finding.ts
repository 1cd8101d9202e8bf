import type { Severity } from './severity.js';

/** What kind of problem an issue is; decides how it is fingerprinted (DESIGN.md: Fingerprints). */
export const ISSUE_KINDS = ['vulnerability', 'code', 'misconfiguration', 'secret', 'license', 'dast'] as const;
export type IssueKind = (typeof ISSUE_KINDS)[number];

/** What a scanner run looked for. */
export const SCAN_TYPES = ['sca', 'sast', 'container', 'iac', 'secret', 'dast', 'license', 'misconfig'] as const;
export type ScanType = (typeof SCAN_TYPES)[number];

/** A scalar detail kept verbatim from the report and shown as raw details. */
export type DetailValue = string | number | boolean | null;

/**
 * One place an issue shows up in one scan. Every field is optional: each scanner knows a different
 * subset. Never holds a secret in clear: `secretMasked` is the only trace of one.
 */
export interface Occurrence {
  /** File path as the scanner wrote it (relative to the repository root for code and IaC). */
  filePath?: string;
  /**
   * Set when the scanner says `filePath` is relative to the root of the source tree: the name it
   * gives that root (a SARIF `uriBaseId` such as `%SRCROOT%`). Such a path is a file of the
   * repository whatever the target's type, and links to it (DESIGN.md: Source links).
   */
  baseId?: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
  /** Where inside the artifact: Trivy's `Target` ("requirements.txt", "alpine 3.12"), a Snyk project. */
  component?: string;
  /** The chain of dependencies from the project to the vulnerable package, outermost first. */
  dependencyPath?: string[];
  /** Image layer digest the package came from. */
  layer?: string;
  /** IaC resource address or Kubernetes resource (`namespace/Kind/name`). */
  resource?: string;
  url?: string;
  host?: string;
  port?: number;
  /** The offending source lines (never a secret: parsers redact first). */
  snippet?: string;
  /** First characters of a secret followed by `****`. */
  secretMasked?: string;
  commit?: string;
  author?: string;
  email?: string;
  /** Anything else the report says about this place, as flat scalar values. */
  details?: Record<string, DetailValue>;
}

/**
 * One normalised finding: one occurrence of one issue. A parser emits one Finding per place;
 * findings with the same fingerprint in one report become one issue with several occurrences.
 */
export interface Finding {
  kind: IssueKind;
  /** Identity of the issue within a target (formats/fingerprint.ts); never includes line numbers. */
  fingerprint: string;
  severity: Severity;
  /** The scanner's own severity label, exactly as the report wrote it (provenance). */
  scannerSeverity?: string;
  /** The score the severity came from or that the scanner gave (CVSS base score, security-severity). */
  score?: number;
  title: string;
  /** Markdown or plain text from the scanner: untrusted, render safely. */
  description?: string;
  remediation?: string;
  /** Canonical vulnerability id: a CVE if any id or alias is one, else the first id. */
  vulnerabilityId?: string;
  /** Every other identifier of the same vulnerability (GHSA, OSV, vendor ids), without the canonical one. */
  aliases?: string[];
  ruleId?: string;
  /** `CWE-79` form. */
  cwes?: string[];
  package?: string;
  installedVersion?: string;
  fixedVersion?: string;
  /** Package ecosystem or type as the scanner names it (npm, pip, apk, gomod …). */
  ecosystem?: string;
  /** For license findings, the license name. */
  license?: string;
  references?: string[];
  tags?: string[];
  /** What Lantern changed in the report's text on the way in (NUL characters removed, fields cut), in sentences. */
  notes?: string[];
  occurrence: Occurrence;
}

/**
 * What a parser returns for one report: its header at once, its findings as they are read.
 * `findings` is read once, in order; parsers yield lazily so that a large report is never held
 * whole. `scanType`, `suppressed` and `errors` are final once `findings` is exhausted.
 */
export interface ParsedReport {
  /** Registry name of the format that read the report (`trivy`, `sarif` …). */
  format: string;
  /** Lower-case scanner name (`trivy`, `grype`, `codeql`, `semgrep` …); for SARIF the tool's name. */
  scanner: string;
  scannerVersion?: string;
  scanType: ScanType;
  findings: Iterable<Finding>;
  /** Results the report itself marks suppressed or ignored; not turned into findings. */
  suppressed: number;
  /** Errors the scanner reported about its own run (Semgrep `errors[]`); shown on the scan. */
  errors: string[];
  /** What the report says it scanned (image name, directory, project). */
  artifact?: string;
  /** When the report says the scan ran (ISO 8601), if it says. */
  scannedAt?: string;
}
