import { emptyCounts, severityFromRank, severityRank, type Severity, type SeverityCounts } from '../domain/severity.js';
import { aggregateIssues, type IssueListing } from '../store/issues.js';
import type { LinkDiagnostic } from '../catalog/matching.js';
import type { EntityState, ShownTarget } from './entity-state.js';
import { coveringExemption } from './exemptions.js';
import { percentages, type SeverityPercentages } from './percentages.js';

/** The security state of a set of issues (DESIGN.md: Entity security summary). */
export interface Tally {
  counts: SeverityCounts;
  fixable: number;
  new: number;
  exempted: number;
  lastScanAt: string | null;
}

export interface TargetSummary extends Tally {
  targetId: number;
  name: string;
  scope: string;
  type: string;
  variant: string;
  variantReason: string;
  note: string | null;
  origins: Array<'annotation' | 'source-url'>;
  scanners: string[];
}

export interface LinkSummary {
  name: string;
  scope: string;
  variant: string | null;
  origin: 'annotation' | 'source-url';
  matched: boolean;
  targetId: number | null;
  variantShown: string | null;
  diagnostics: LinkDiagnostic[];
}

/** What GET /api/insights/entities/:kind/:namespace/:name/summary answers (docs/insights-api.md). */
export interface EntitySummary extends Tally {
  entityRef: string;
  /** False when no link shows a scanned variant: "no data", which is not zero issues. */
  hasData: boolean;
  percentages: SeverityPercentages;
  targets: TargetSummary[];
  scanners: Array<{ scanner: string; counts: SeverityCounts; lastScanAt: string | null }>;
  links: LinkSummary[];
}

/** An issue of a shown target, with whether an approved exemption covers it now. */
export interface ShownIssue extends IssueListing {
  target: ShownTarget;
  exempted: boolean;
}

/** The issues each shown target reports now, marked exempted or not. */
export function shownIssues(state: EntityState, now: string): ShownIssue[] {
  return state.targets.flatMap((target) =>
    aggregateIssues(target.rows).map((issue) => ({
      ...issue,
      target,
      exempted: coveringExemption({ ...issue, targetScope: target.scope }, state.exemptions, now) !== undefined,
    })),
  );
}

function latest(times: Iterable<string>): string | null {
  let max: string | null = null;
  for (const t of times) if (max === null || t > max) max = t;
  return max;
}

/** Counts of the active (not exempted) issues, one per issue id at its worst severity. */
function tally(issues: readonly ShownIssue[], scanTimes: Iterable<string>): Tally {
  const worst = new Map<number, ShownIssue>();
  const exempted = new Set<number>();
  for (const issue of issues) {
    if (issue.exempted) {
      exempted.add(issue.id);
      continue;
    }
    const seen = worst.get(issue.id);
    // The same issue shown through two variants of one target: worst severity, new only if new in both.
    if (!seen) worst.set(issue.id, { ...issue });
    else {
      if (severityRank(issue.severity) > severityRank(seen.severity)) seen.severity = issue.severity;
      seen.new &&= issue.new;
      seen.fixedVersion ??= issue.fixedVersion;
    }
  }
  const counts = emptyCounts();
  let fixable = 0;
  let fresh = 0;
  for (const issue of worst.values()) {
    counts[issue.severity]++;
    counts.total++;
    if (issue.fixedVersion) fixable++;
    if (issue.new) fresh++;
  }
  return { counts, fixable, new: fresh, exempted: exempted.size, lastScanAt: latest(scanTimes) };
}

/** An entity's summary from its current state: pure, so the endpoint and the stored summaries agree. */
export function summarise(state: EntityState, now: string): EntitySummary {
  const issues = shownIssues(state, now);
  const overall = tally(
    issues,
    state.targets.flatMap((t) => t.scans.map((s) => s.scannedAt)),
  );

  const targets = state.targets.map((target) => ({
    targetId: target.targetId,
    name: target.name,
    scope: target.scope,
    type: target.type,
    variant: target.variant,
    variantReason: target.variantReason,
    note: target.note,
    origins: target.origins,
    scanners: [...new Set(target.scans.map((s) => s.scanner))].sort(),
    ...tally(
      issues.filter((i) => i.target === target),
      target.scans.map((s) => s.scannedAt),
    ),
  }));

  // Per scanner, each issue at the severity that scanner gives it.
  const exempted = new Set(issues.filter((i) => i.exempted).map((i) => i.id));
  type ScannerTally = { worst: Map<number, Severity>; times: string[] };
  const byScanner = new Map<string, ScannerTally>();
  for (const target of state.targets) {
    for (const scan of target.scans) {
      const entry: ScannerTally = byScanner.get(scan.scanner) ?? { worst: new Map(), times: [] };
      entry.times.push(scan.scannedAt);
      byScanner.set(scan.scanner, entry);
    }
    for (const row of target.rows) {
      if (exempted.has(row.id)) continue;
      const entry = byScanner.get(row.scanner) as ScannerTally;
      const severity = severityFromRank(row.severity);
      const seen = entry.worst.get(row.id);
      if (!seen || severityRank(severity) > severityRank(seen)) entry.worst.set(row.id, severity);
    }
  }
  const scanners = [...byScanner.entries()]
    .map(([scanner, { worst, times }]) => {
      const counts = emptyCounts();
      for (const severity of worst.values()) {
        counts[severity]++;
        counts.total++;
      }
      return { scanner, counts, lastScanAt: latest(times) };
    })
    .sort((a, b) => a.scanner.localeCompare(b.scanner));

  return {
    entityRef: state.entity.ref,
    hasData: state.targets.some((t) => t.scans.length > 0),
    ...overall,
    percentages: percentages(overall.counts),
    targets,
    scanners,
    links: state.links.map((link) => ({
      name: link.name,
      scope: link.scope,
      variant: link.variant,
      origin: link.origin,
      matched: link.matched,
      targetId: link.targetId,
      variantShown: link.matched ? link.variantName : null,
      diagnostics: link.diagnostics,
    })),
  };
}
