import type { TargetType } from '../domain/target.js';
import type { Ecosystem } from './advisories.js';
import type { SeededRandom } from './random.js';

/** The report formats the demo writes, by registry name (src/formats/index.ts). */
export const DEMO_FORMATS = ['trivy', 'sarif', 'snyk', 'grype', 'aqua', 'osv', 'semgrep', 'gitleaks', 'checkov', 'generic'] as const;
export type DemoFormat = (typeof DEMO_FORMATS)[number];

export type Level = 'high' | 'medium' | 'low';

/** A code finding a SAST tool reports at one place in a repository. */
export interface CodeFinding {
  /** Semgrep `check_id` or CodeQL rule id. */
  rule: string;
  title: string;
  message: string;
  level: Level;
  /** CodeQL's `security-severity`. */
  securitySeverity?: number;
  cwe: string;
  cweName: string;
  owasp?: string;
  file: string;
  line: number;
  snippet: string;
  fix?: string;
}

/** A fake credential committed to a repository, as Gitleaks finds it. */
export interface SecretPlacement {
  rule: SecretRule;
  file: string;
  line: number;
  /** The text around the secret on its line; `{secret}` marks where it goes. */
  context: string;
  author: string;
  message: string;
}

export interface SecretRule {
  id: string;
  description: string;
  tags?: string[];
  /** Makes an obviously fake value of the shape the rule looks for. */
  make(random: SeededRandom): string;
}

/** A failed IaC check, as Checkov reports it. */
export interface Misconfiguration {
  framework: 'terraform' | 'kubernetes';
  check: string;
  bcCheck: string;
  name: string;
  severity: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';
  file: string;
  resource: string;
  lines: [number, number];
  code: string;
  guideline: string;
}

/** A DAST alert (OWASP ZAP) on a running site. */
export interface Alert {
  pluginId: number;
  name: string;
  risk: 'High' | 'Medium' | 'Low' | 'Informational';
  score: number;
  confidence: 'High' | 'Medium' | 'Low';
  cwe: number;
  path: string;
  method: 'GET' | 'POST';
  /** The query parameter the alert is about: part of the URL. */
  query?: string;
  /** A header or cookie the alert is about. */
  param?: string;
  evidence?: string;
  description: string;
  solution: string;
  reference: string;
}

/** A container image: what Trivy, Grype and Aqua see in it. */
export interface Image {
  os: { family: 'alpine' | 'debian'; version: string };
  /** Where each language ecosystem's packages sit in the image. */
  paths: Partial<Record<Ecosystem, string>>;
}

/** A repository checkout: what the SCA, SAST and secret scanners see in it. */
export interface Repository {
  url: string;
  /** The manifest or lockfile each ecosystem's packages are read from. */
  manifests: Partial<Record<Ecosystem, string>>;
  /** The project's own name and version, as a dependency tree's root. */
  project: string;
  /** Semgrep runs logged in to the Semgrep AppSec Platform, which adds fingerprints and source lines. */
  semgrepLoggedIn?: boolean;
  /** Files Semgrep cannot parse: errors about its run, not issues. */
  semgrepErrors?: readonly { path: string; message: string }[];
}

/** One test target of the demo estate, and everything its scanners find in it. */
export interface DemoTarget {
  name: string;
  /** `account` or `ORG.PROJECT`. */
  scope: string;
  type: TargetType;
  /** The production variant, scanned six times over the last four weeks. */
  baseline: string;
  /** A branch, tag or environment that forks from the baseline and is scanned twice in the last days. */
  other: string;
  /** Say which variant is the baseline on ingest: only needed for names Lantern does not take as one by itself. */
  setBaseline?: boolean;
  formats: readonly DemoFormat[];
  ecosystems?: readonly Ecosystem[];
  image?: Image;
  repository?: Repository;
  code?: readonly CodeFinding[];
  secrets?: readonly SecretPlacement[];
  misconfigurations?: readonly Misconfiguration[];
  alerts?: readonly Alert[];
  /** The scheme, host and port DAST alerts are reported on. */
  site?: string;
}
