import { emptyCounts, SEVERITIES, severityFromRank, severityRank, type Severity, type SeverityCounts } from '../domain/severity.js';
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
  /** The issue's details where they may name a CVE alias, else null, when the page's listing read them (exploitation.ts). */
  aliasDetails?: string | null;
}

export interface ScannerCounts {
  scanner: string;
  counts: SeverityCounts;
  lastScanAt: string | null;
}

/**
 * What a summary needs of the issues one target shows (through one variant, or several): stored per
 * variant (insights/variant-tallies.ts), so that a huge target is not read to be counted.
 */
export interface VariantTally extends Tally {
  breakdown: SeverityBreakdown;
  /** Each scanner with a current scan, its issues at the severity it gives them (exempted ones left out). */
  scanners: ScannerCounts[];
  /** The scanners and kinds of the issues, exempted or not: the issue list's facets. */
  reporting: string[];
  kinds: string[];
}

/** The issues each shown target reports now, marked exempted or not. */
export function shownIssues(state: { targets: readonly ShownTarget[]; exemptions: readonly ExemptionRow[] }, now: string): ShownIssue[] {
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

function latest(times: Iterable<string | null>): string | null {
  let max: string | null = null;
  for (const t of times) if (t !== null && (max === null || t > max)) max = t;
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
  const breakdown = emptyBreakdown();
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

function emptyBreakdown(): SeverityBreakdown {
  return { fixable: { critical: 0, high: 0, medium: 0, low: 0, info: 0 }, oldestOpen: { critical: null, high: null, medium: null, low: null, info: null } };
}

/** The tally of shown targets that are one target (one variant of it, or several: each issue counted once), from their issues. */
export function tallyOf(targets: readonly ShownTarget[], exemptions: readonly ExemptionRow[], now: string): VariantTally {
  const issues = shownIssues({ targets, exemptions }, now);
  const totals = tally(
    issues,
    targets.flatMap((t) => t.scans.map((s) => s.scannedAt)),
  );
  // Per scanner, each issue at the severity that scanner gives it.
  const exempted = new Set(issues.filter((i) => i.exempted).map((i) => i.issue.id));
  type ScannerTally = { worst: Map<number, Severity>; times: string[] };
  const byScanner = new Map<string, ScannerTally>();
  for (const target of targets) {
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
  const scanners = [...byScanner.entries()].map(([scanner, { worst, times }]) => {
    const counts = emptyCounts();
    for (const severity of worst.values()) {
      counts[severity]++;
      counts.total++;
    }
    return { scanner, counts, lastScanAt: latest(times) };
  });
  const reporting = [...new Set(targets.flatMap((t) => t.rows.map((r) => r.scanner)))].sort();
  const kinds = [...new Set(issues.map((i) => i.issue.kind))].sort();
  return { ...totals, scanners: sortedScanners(scanners), reporting, kinds };
}

function sortedScanners(scanners: ScannerCounts[]): ScannerCounts[] {
  return scanners.sort((a, b) => a.scanner.localeCompare(b.scanner));
}

/** The tallies of different targets together: no issue is in two of them (issues belong to one target). */
export function combineTallies(tallies: readonly VariantTally[]): VariantTally {
  const counts = emptyCounts();
  const breakdown = emptyBreakdown();
  const scanners = new Map<string, ScannerCounts>();
  let fixable = 0;
  let fresh = 0;
  let exempted = 0;
  for (const t of tallies) {
    for (const severity of SEVERITIES) {
      counts[severity] += t.counts[severity];
      breakdown.fixable[severity] += t.breakdown.fixable[severity];
      const oldest = t.breakdown.oldestOpen[severity];
      const current = breakdown.oldestOpen[severity];
      if (oldest !== null && (current === null || oldest < current)) breakdown.oldestOpen[severity] = oldest;
    }
    counts.total += t.counts.total;
    fixable += t.fixable;
    fresh += t.new;
    exempted += t.exempted;
    for (const s of t.scanners) {
      const seen = scanners.get(s.scanner);
      if (!seen) scanners.set(s.scanner, { scanner: s.scanner, counts: { ...s.counts }, lastScanAt: s.lastScanAt });
      else {
        for (const severity of SEVERITIES) seen.counts[severity] += s.counts[severity];
        seen.counts.total += s.counts.total;
        seen.lastScanAt = latest([seen.lastScanAt, s.lastScanAt]);
      }
    }
  }
  return {
    counts,
    fixable,
    new: fresh,
    exempted,
    lastScanAt: latest(tallies.map((t) => t.lastScanAt)),
    breakdown,
    scanners: sortedScanners([...scanners.values()]),
    reporting: [...new Set(tallies.flatMap((t) => t.reporting))].sort(),
    kinds: [...new Set(tallies.flatMap((t) => t.kinds))].sort(),
  };
}

/**
 * An entity's summary from its current state: pure, so the endpoint and the stored summaries agree.
 * A shown target with a stored tally (entity-state.ts) is counted from it, the others from their issues.
 */
export function summarise(state: EntityState, now: string): EntitySummary {
  const perTarget = state.targets.map((target) => target.tally ?? tallyOf([target], state.exemptions, now));
  // A target shown through several variants counts each of its issues once.
  const byTarget = new Map<number, number[]>();
  state.targets.forEach((target, i) => byTarget.set(target.targetId, [...(byTarget.get(target.targetId) ?? []), i]));
  const overall = combineTallies(
    [...byTarget.values()].map((indexes) =>
      indexes.length === 1 ? (perTarget[indexes[0] as number] as VariantTally) : tallyOf(indexes.map((i) => state.targets[i] as ShownTarget), state.exemptions, now),
    ),
  );
  const { breakdown, scanners, reporting: _reporting, kinds: _kinds, ...totals } = overall;
  const targets = state.targets.map((target, i) => {
    const { counts, fixable, new: fresh, exempted, lastScanAt } = perTarget[i] as VariantTally;
    return {
      targetId: target.targetId,
      name: target.name,
      scope: target.scope,
      type: target.type,
      variant: target.variant,
      variantReason: target.variantReason,
      note: target.note,
      origins: target.origins,
      scanners: [...new Set(target.scans.map((s) => s.scanner))].sort(),
      counts,
      fixable,
      new: fresh,
      exempted,
      lastScanAt,
    };
  });

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
