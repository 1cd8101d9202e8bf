import { emptyCounts, severityFromRank, severityRank, type Severity, type SeverityCounts } from '../domain/severity.js';
import { aggregateIssues, type IssueListing } from '../store/issues.js';
import type { LinkDiagnostic } from '../catalog/matching.js';
import type { EntityState, ShownTarget } from './entity-state.js';
import type { ExemptionRow } from '../store/schema.js';
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

/** Per severity, what scorecard data points with a severity input read (insights/summaries.ts stores it). */
export interface SeverityBreakdown {
  /** Active issues with a fixed version, per severity. */
  fixable: Record<Severity, number>;
  /** First-seen time of the oldest active issue of each severity, or null. */
  oldestOpen: Record<Severity, string | null>;
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
  breakdown: SeverityBreakdown;
  /** Links that show nothing (DESIGN.md: Matching), of `links.length`. */
  unmatchedLinks: number;
  /** False when no link shows a scanned variant: "no data", which is not zero issues. */
  hasData: boolean;
  percentages: SeverityPercentages;
  targets: TargetSummary[];
  scanners: Array<{ scanner: string; counts: SeverityCounts; lastScanAt: string | null }>;
  links: LinkSummary[];
}

/** An issue of a shown target, with whether an approved exemption covers it now, and which. */
export interface ShownIssue {
  issue: IssueListing;
  target: ShownTarget;
  exempted: boolean;
  exemption: ExemptionRow | undefined;
}

/** The issues each shown target reports now, marked exempted or not. */
export function shownIssues(state: EntityState, now: string): ShownIssue[] {
  const shown: ShownIssue[] = [];
  for (const target of state.targets) {
    for (const issue of aggregateIssues(target.rows)) {
      const exemption =
        state.exemptions.length > 0
          ? coveringExemption({ id: issue.id, targetId: issue.targetId, targetScope: target.scope, vulnerabilityId: issue.vulnerabilityId, ruleId: issue.ruleId }, state.exemptions, now)
          : undefined;
      shown.push({ issue, target, exempted: exemption !== undefined, exemption });
    }
  }
  return shown;
}

function latest(times: Iterable<string>): string | null {
  let max: string | null = null;
  for (const t of times) if (max === null || t > max) max = t;
  return max;
}

/** Counts of the active (not exempted) issues, one per issue id at its worst severity. */
function tally(issues: readonly ShownIssue[], scanTimes: Iterable<string>): Tally & { breakdown: SeverityBreakdown } {
  // The same issue shown through two variants of one target: worst severity, new only if new in both.
  const worst = new Map<number, { rank: number; fresh: boolean; fixable: boolean; firstSeen: string }>();
  const exempted = new Set<number>();
  for (const { issue, exempted: isExempted } of issues) {
    if (isExempted) {
      exempted.add(issue.id);
      continue;
    }
    const rank = severityRank(issue.severity);
    const seen = worst.get(issue.id);
    if (!seen) worst.set(issue.id, { rank, fresh: issue.new, fixable: issue.fixedVersion !== null, firstSeen: issue.firstSeenAt });
    else {
      seen.rank = Math.max(seen.rank, rank);
      seen.fresh &&= issue.new;
      seen.fixable ||= issue.fixedVersion !== null;
    }
  }
  const counts = emptyCounts();
  const breakdown: SeverityBreakdown = {
    fixable: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
    oldestOpen: { critical: null, high: null, medium: null, low: null, info: null },
  };
  let fixable = 0;
  let fresh = 0;
  for (const issue of worst.values()) {
    const severity = severityFromRank(issue.rank);
    counts[severity]++;
    counts.total++;
    if (issue.fixable) {
      fixable++;
      breakdown.fixable[severity]++;
    }
    if (issue.fresh) fresh++;
    const oldest = breakdown.oldestOpen[severity];
    if (oldest === null || issue.firstSeen < oldest) breakdown.oldestOpen[severity] = issue.firstSeen;
  }
  return { counts, fixable, new: fresh, exempted: exempted.size, lastScanAt: latest(scanTimes), breakdown };
}

function withoutBreakdown({ breakdown: _breakdown, ...rest }: Tally & { breakdown: SeverityBreakdown }): Tally {
  return rest;
}

/** An entity's summary from its current state: pure, so the endpoint and the stored summaries agree. */
export function summarise(state: EntityState, now: string): EntitySummary {
  const issues = shownIssues(state, now);
  const overall = tally(
    issues,
    state.targets.flatMap((t) => t.scans.map((s) => s.scannedAt)),
  );

  const { breakdown, ...totals } = overall;
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
    ...withoutBreakdown(
      tally(
        issues.filter((i) => i.target === target),
        target.scans.map((s) => s.scannedAt),
      ),
    ),
  }));

  // Per scanner, each issue at the severity that scanner gives it.
  const exempted = new Set(issues.filter((i) => i.exempted).map((i) => i.issue.id));
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
    ...totals,
    breakdown,
    unmatchedLinks: state.links.filter((l) => !l.matched).length,
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
