import type { Advisory, Ecosystem } from './advisories.js';
import type { SeededRandom } from './random.js';
import type { Alert, CodeFinding, DemoTarget, Misconfiguration, SecretPlacement } from './target.js';

export interface PackageFinding {
  advisory: Advisory;
  ecosystem: Ecosystem;
}

export interface PlacedSecret {
  placement: SecretPlacement;
  /** The fake value, in clear: the scanner's report holds it, Lantern must never store it. */
  secret: string;
}

/** One scanner run over one variant of a target: what it finds, for a writer to put in its format. */
export interface DemoScan {
  target: DemoTarget;
  variant: string;
  scannedAt: Date;
  commit: string;
  /** For this report's own details (ids, digests, durations); each report has a sequence of its own. */
  random: SeededRandom;
  packages: readonly PackageFinding[];
  /** Lines as they are at this commit: code moves between scans, issues stay. */
  code: readonly CodeFinding[];
  secrets: readonly PlacedSecret[];
  misconfigurations: readonly Misconfiguration[];
  alerts: readonly Alert[];
}

/** Writes one scan as a scanner's report: the parsed JSON document. */
export type ReportWriter = (scan: DemoScan) => unknown;
