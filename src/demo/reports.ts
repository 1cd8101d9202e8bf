import { parseScope, type Scope } from '../domain/scope.js';
import type { TargetType } from '../domain/target.js';
import { ADVISORIES } from './advisories.js';
import { FORK, SCAN_POINTS, type ScanPoint, scanTime, timeline } from './history.js';
import { SeededRandom, stableHex } from './random.js';
import type { DemoScan, PackageFinding, PlacedSecret, ReportWriter } from './scan.js';
import type { CodeFinding, DemoFormat, DemoTarget } from './target.js';
import { DEMO_TARGETS } from './targets.js';
import { writeAqua } from './writers/aqua.js';
import { writeCheckov } from './writers/checkov.js';
import { writeGeneric } from './writers/generic.js';
import { writeGitleaks } from './writers/gitleaks.js';
import { writeGrype } from './writers/grype.js';
import { writeOsv } from './writers/osv.js';
import { writeSarif } from './writers/sarif.js';
import { writeSemgrep } from './writers/semgrep.js';
import { writeSnyk } from './writers/snyk.js';
import { writeTrivy } from './writers/trivy.js';

/** The seed `lantern demo` uses: the same estate on every machine, dated relative to the day it runs. */
export const DEMO_SEED = 7007;

const WRITERS: Record<DemoFormat, ReportWriter> = {
  trivy: writeTrivy,
  sarif: writeSarif,
  snyk: writeSnyk,
  grype: writeGrype,
  aqua: writeAqua,
  osv: writeOsv,
  semgrep: writeSemgrep,
  gitleaks: writeGitleaks,
  checkov: writeCheckov,
  generic: writeGeneric,
};

/** One generated report and how to ingest it. */
export interface DemoReport {
  /** `target/variant/time-format.json`: names the report in messages, and as a path if written out. */
  file: string;
  target: string;
  scope: Scope;
  targetType: TargetType;
  variant: string;
  /** Make the variant its target's baseline on ingest. */
  baseline: boolean;
  format: DemoFormat;
  scannedAt: string;
  commit?: string;
  branch?: string;
  pipelineUrl?: string;
  /** The report, as the scanner would have written it (JSON). */
  content: string;
}

export interface DemoReportOptions {
  /** Scans are dated over the four weeks before this. */
  now: Date;
  seed?: number;
  targets?: readonly DemoTarget[];
}

/**
 * Every report of the demo estate, oldest first: for each target, six scans of its baseline over
 * four weeks and two of another variant in the last days, each by every scanner the target has.
 * The same seed and `now` give the same bytes.
 */
export function demoReports(options: DemoReportOptions): DemoReport[] {
  const seed = options.seed ?? DEMO_SEED;
  const reports: DemoReport[] = [];
  for (const target of options.targets ?? DEMO_TARGETS) {
    const history = targetHistory(target, seed);
    for (const point of SCAN_POINTS) {
      const variant = point.variant === 'baseline' ? target.baseline : target.other;
      const label = `${target.name}:${variant}:${point.index}`;
      const startedAt = scanTime(options.now, point, new SeededRandom(seed, `time:${label}`));
      const commit = new SeededRandom(seed, `commit:${label}`).hex(40);
      const found = history(point);
      target.formats.forEach((format, step) => {
        // A pipeline runs its scanners one after another.
        const scannedAt = new Date(startedAt.getTime() + step * 90_000);
        const scan: DemoScan = { target, variant, scannedAt, commit, random: new SeededRandom(seed, `report:${label}:${format}`), ...found };
        reports.push(report(target, scan, format, seed, label));
      });
    }
  }
  return reports.sort((a, b) => a.scannedAt.localeCompare(b.scannedAt) || a.file.localeCompare(b.file));
}

type Found = Pick<DemoScan, 'packages' | 'code' | 'secrets' | 'misconfigurations' | 'alerts'>;

/** What the target's scanners find at each scan: one timeline per kind of finding. */
function targetHistory(target: DemoTarget, seed: number): (point: ScanPoint) => Found {
  const random = (kind: string) => new SeededRandom(seed, `timeline:${target.name}:${kind}`);
  // Packages are upgraded whole: every advisory of one package version comes and goes together.
  const packages = new Map<string, PackageFinding[]>();
  for (const ecosystem of target.ecosystems ?? []) {
    for (const advisory of ADVISORIES[ecosystem]) {
      const key = `${ecosystem}:${advisory.package}@${advisory.installed}`;
      packages.set(key, [...(packages.get(key) ?? []), { advisory, ecosystem }]);
    }
  }
  const secrets: PlacedSecret[] = (target.secrets ?? []).map((placement) => ({
    placement,
    secret: placement.rule.make(new SeededRandom(seed, `secret:${target.name}:${placement.file}`)),
  }));
  const packagesAt = timeline([...packages.values()], random('packages'));
  const codeAt = timeline(target.code ?? [], random('code'));
  const secretsAt = timeline(secrets, random('secrets'));
  const misconfigurationsAt = timeline(target.misconfigurations ?? [], random('misconfigurations'));
  const alertsAt = timeline(target.alerts ?? [], random('alerts'));
  return (point) => ({
    packages: packagesAt(point).flat(),
    code: codeAt(point).map((finding) => moved(finding, point)),
    secrets: secretsAt(point),
    misconfigurations: misconfigurationsAt(point),
    alerts: alertsAt(point),
  });
}

/** Code moves as commits land: each file's findings drift down a few lines from scan to scan. */
function moved(finding: CodeFinding, point: ScanPoint): CodeFinding {
  const commits = point.variant === 'baseline' ? point.index : FORK + 1 + point.index;
  const pace = Number.parseInt(stableHex(finding.file, 2), 16) % 3;
  return { ...finding, line: finding.line + commits * pace };
}

function report(target: DemoTarget, scan: DemoScan, format: DemoFormat, seed: number, label: string): DemoReport {
  const scope = parseScope(target.scope);
  const time = scan.scannedAt.toISOString();
  const isBaseline = scan.variant === target.baseline;
  const pipelineUrl =
    scope.level === 'project'
      ? `https://app.harness.io/ng/account/AcmePayAccount/module/sto/orgs/${scope.org}/projects/${scope.project}/pipelines/${slug(target.name.split('/').pop() ?? 'scan')}_security/executions/${new SeededRandom(seed, `execution:${label}`).chars(22, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-')}/pipeline`
      : undefined;
  return {
    file: `${slug(target.name)}/${slug(scan.variant)}/${time.slice(0, 16).replace(/:/g, '')}-${format}.json`,
    target: target.name,
    scope,
    targetType: target.type,
    variant: scan.variant,
    baseline: isBaseline && target.setBaseline === true,
    format,
    scannedAt: time,
    ...(target.type === 'instance' ? {} : { commit: scan.commit }),
    ...(target.type === 'repository' || target.type === 'configuration' ? { branch: scan.variant } : {}),
    ...(pipelineUrl ? { pipelineUrl } : {}),
    content: `${JSON.stringify(WRITERS[format](scan), null, 2)}\n`,
  };
}

function slug(text: string): string {
  return text
    .replace(/^https?:\/\//, '')
    .replace(/[^A-Za-z0-9.]+/g, '-')
    .replace(/^-|-$/g, '');
}
