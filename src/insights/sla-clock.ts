import type { Kysely } from 'kysely';
import { SEVERITIES, type Severity, severityFromRank } from '../domain/severity.js';
import { batches } from '../store/batches.js';
import type { Database, ExemptionRow, SlaClockRow, SlaPauseRow } from '../store/schema.js';
import { reusedStatement } from '../store/reused-statement.js';
import { slaPausesFor } from '../store/sla-pauses.js';
import { slaClocksOf } from '../store/sla-clocks.js';
import { type EntityState, entityStates } from './entity-state.js';
import { type ExemptableIssue, namesIssue } from './exemptions.js';
import { type Exploitation, exploitationOf } from './exploitation.js';
import { pausedDaysOf, policyFor, type SlaClock, type SlaFix, type SlaPolicies, slaFix, slaStatus, type SlaStatus } from './sla.js';
import { shownIssues } from './summary.js';

type Db = Kysely<Database>;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The spans an approved exemption paused the issue's clock: from its approval to its expiry or revocation (or still running). */
function pauseSpans(issue: ExemptableIssue, pauses: readonly SlaPauseRow[]): Array<{ start: string; end: string | null }> {
  return pauses.filter((p) => namesIssue(p, issue)).map((p) => ({ start: p.paused_from, end: p.paused_until }));
}

/** Whether a false-positive exemption (approved, expired or not) names the issue: not a fix, left out of MTTR and compliance. */
export function falsePositive(issue: ExemptableIssue, exemptions: readonly ExemptionRow[]): boolean {
  return exemptions.some((e) => e.status === 'approved' && e.reason === 'false_positive' && namesIssue(e, issue));
}

/**
 * The open SLA clock of each issue in the variant it is shown through (keyed `variantId:issueId`),
 * with the days exemptions paused it. An issue without a clock row has none here and counts from
 * first seen. `pauses`, when given, are the SLA pauses of the issues' targets already read
 * (slaPausesFor, or more: a pause only counts for the issues it names).
 */
export async function openSlaClocks(
  db: Db,
  shown: ReadonlyArray<{ issue: { id: number; targetId: number; vulnerabilityId: string | null; ruleId: string | null }; target: { variantId: number; scope: string } }>,
  now: string,
  pauses?: readonly SlaPauseRow[],
): Promise<Map<string, SlaClock>> {
  const out = new Map<string, SlaClock>();
  if (shown.length === 0) return out;
  const wanted = new Set(shown.map((s) => `${s.target.variantId}:${s.issue.id}`));
  const variants = [...new Set(shown.map((s) => s.target.variantId))];
  const readClocks = async () => {
    const rows: Array<Pick<SlaClockRow, 'variant_id' | 'issue_id' | 'clock_from' | 'opened_at' | 'fixed_at'>> = [];
    for (const batch of batches(new Set(shown.map((s) => s.issue.id)))) {
      rows.push(
        ...(await db
          .selectFrom('sla_clocks')
          .select(['variant_id', 'issue_id', 'clock_from', 'opened_at', 'fixed_at'])
          .where('variant_id', 'in', variants)
          .where('issue_id', 'in', batch)
          .execute()),
      );
    }
    return rows;
  };
  // The clocks and the pauses at once, each on its own connection on PostgreSQL.
  const [rows, named] = await Promise.all([readClocks(), pauses ?? slaPausesFor(db, [...new Set(shown.map((s) => s.issue.targetId))])]);
  const reopened = new Set(rows.filter((r) => r.fixed_at !== null).map((r) => `${r.variant_id}:${r.issue_id}`));
  for (const row of rows) {
    const key = `${row.variant_id}:${row.issue_id}`;
    if (row.fixed_at === null && wanted.has(key)) out.set(key, { clockFrom: row.clock_from, reopened: reopened.has(key), pausedDays: 0 });
  }
  if (named.length > 0) {
    for (const { issue, target } of shown) {
      const key = `${target.variantId}:${issue.id}`;
      const clock = out.get(key);
      const spans = pauseSpans({ id: issue.id, targetId: issue.targetId, targetScope: target.scope, vulnerabilityId: issue.vulnerabilityId, ruleId: issue.ruleId }, named);
      if (clock && spans.length > 0) clock.pausedDays = pausedDaysOf(spans, clock.clockFrom, now);
    }
  }
  return out;
}

/** A fixed clock with what judging it needs: its issue's ids and its target's scope. */
export interface FixedClock {
  id: number;
  issueId: number;
  targetId: number;
  targetScope: string;
  vulnerabilityId: string | null;
  ruleId: string | null;
  severity: number | null;
  clockFrom: string;
  fixedAt: string;
  /** The verdict kept when it was judged; null when not judged yet. */
  stored: { dueDate: string | null; fixedWithinSla: boolean | null; daysToFix: number; pausedDays: number } | null;
}

/**
 * The verdict of each fix (keyed by clock id): the one kept when it was judged, else judged now
 * against the due date of its severity in the policy of its target's scope, the KEV feed, and the
 * days exemptions paused it up to the fix.
 */
export async function fixVerdicts(db: Db, fixes: readonly FixedClock[], policies: SlaPolicies): Promise<Map<number, SlaFix>> {
  const out = new Map<number, SlaFix>();
  const unjudged = fixes.filter((f) => f.stored === null);
  const pauses = unjudged.length === 0 ? [] : await slaPausesFor(db, [...new Set(unjudged.map((f) => f.targetId))]);
  const known = await exploitationOf(db, unjudged.map((f) => ({ id: f.issueId, vulnerabilityId: f.vulnerabilityId })));
  for (const fix of fixes) {
    if (fix.stored !== null) {
      out.set(fix.id, { clockStartedAt: fix.clockFrom, fixedAt: fix.fixedAt, ...fix.stored });
      continue;
    }
    const exemptable = { id: fix.issueId, targetId: fix.targetId, targetScope: fix.targetScope, vulnerabilityId: fix.vulnerabilityId, ruleId: fix.ruleId };
    out.set(
      fix.id,
      slaFix(
        { severity: severityFromRank(fix.severity ?? 0), kev: (known.get(fix.issueId) as Exploitation).kev },
        { clockFrom: fix.clockFrom, fixedAt: fix.fixedAt, pausedDays: pausedDaysOf(pauseSpans(exemptable, pauses), fix.clockFrom, fix.fixedAt) },
        policyFor(policies, fix.targetScope),
      ),
    );
  }
  return out;
}

/** The kept verdict of a clock row; null when it was not judged yet. */
export function storedVerdict(row: Pick<SlaClockRow, 'judged_at' | 'due_date' | 'fixed_within_sla' | 'days_to_fix' | 'paused_days'>): FixedClock['stored'] {
  if (row.judged_at === null) return null;
  return { dueDate: row.due_date, fixedWithinSla: row.fixed_within_sla === null ? null : row.fixed_within_sla === 1, daysToFix: Number(row.days_to_fix ?? 0), pausedDays: Number(row.paused_days ?? 0) };
}

const JUDGED_PER_READ = 1000;

/**
 * Judges the fixes not judged yet (those one scan made, or all) and keeps each verdict on its
 * clock, so that a later change of the SLA policy or of the KEV feed does not rewrite it. Run in
 * the ingest transaction for the fixes a scan made, and in the background for the fixes a
 * migration rebuilt. Returns how many were judged.
 */
export async function recordFixVerdicts(db: Db, policies: SlaPolicies, now: string, scanId?: number): Promise<number> {
  let judged = 0;
  for (;;) {
    const rows = scanId === undefined ? await unjudgedFixes(db).execute() : (await unjudgedFixesOfScan(db, scanId)).rows;
    if (rows.length === 0) return judged;
    const fixes: FixedClock[] = rows.map((r) => ({ id: r.id, issueId: r.issue_id, targetId: r.target_id, targetScope: r.scope, vulnerabilityId: r.vulnerability_id, ruleId: r.rule_id, severity: r.severity, clockFrom: r.clock_from, fixedAt: r.fixed_at as string, stored: null }));
    const verdicts = await fixVerdicts(db, fixes, policies);
    // Fixes of one scan mostly share their verdict: one statement per distinct verdict.
    const alike = new Map<string, { verdict: SlaFix; ids: number[] }>();
    for (const [id, verdict] of verdicts) {
      const key = JSON.stringify([verdict.dueDate, verdict.fixedWithinSla, verdict.daysToFix, verdict.pausedDays]);
      const group = alike.get(key);
      if (group) group.ids.push(id);
      else alike.set(key, { verdict, ids: [id] });
    }
    for (const { verdict, ids } of alike.values()) {
      await db
        .updateTable('sla_clocks')
        .set({ due_date: verdict.dueDate, fixed_within_sla: verdict.fixedWithinSla === null ? null : verdict.fixedWithinSla ? 1 : 0, days_to_fix: verdict.daysToFix, paused_days: verdict.pausedDays, judged_at: now })
        .where('id', 'in', ids)
        .execute();
    }
    judged += rows.length;
    if (rows.length < JUDGED_PER_READ) return judged;
  }
}

/** Fixed clocks without their verdict yet, the first JUDGED_PER_READ of them. */
function unjudgedFixes(db: Db) {
  return db
    .selectFrom('sla_clocks as c')
    .innerJoin('issues as i', 'i.id', 'c.issue_id')
    .innerJoin('targets as t', 't.id', 'i.target_id')
    .select(['c.id', 'c.issue_id', 'c.severity', 'c.clock_from', 'c.fixed_at', 'i.target_id', 't.scope', 'i.vulnerability_id', 'i.rule_id'])
    .where('c.fixed_at', 'is not', null)
    .where('c.judged_at', 'is', null)
    .orderBy('c.id')
    .limit(JUDGED_PER_READ);
}

// Every ingest reads the fixes of its scan: compiled once (store/reused-statement.ts).
const unjudgedFixesOfScan = reusedStatement((db: Db, scanId: number) => unjudgedFixes(db).where('c.fixed_scan_id', '=', scanId));

/** One fixed stretch of an issue: what it was, where, and whether it was fixed within its SLA. */
export interface RemediatedIssue extends SlaFix {
  issueId: number;
  title: string;
  vulnerabilityId: string | null;
  ruleId: string | null;
  package: string | null;
  severity: Severity;
  targetId: number;
  targetName: string;
  variant: string;
  /** A false-positive exemption names it: left out of the compliance share and MTTR. */
  falsePositive: boolean;
}

/** Fixes counted over a period: how many, how many within SLA, the share in percent, the mean days to fix. */
export interface RemediationTally {
  fixed: number;
  fixedWithinSla: number;
  fixedLate: number;
  /** fixedWithinSla / (fixedWithinSla + fixedLate) in percent, one decimal; null when none had an SLA. */
  slaCompliance: number | null;
  /** Mean days from clock start to fix, one decimal; null when nothing was fixed. */
  mttrDays: number | null;
}

/** An entity's open issues by SLA state now, and its fixes over a period (GET …/sla). */
export interface EntitySla {
  entityRef: string;
  hasData: boolean;
  now: string;
  /** Active issues per SLA state (exempted ones are `paused`). */
  open: Record<SlaStatus['state'], number>;
  /** Breached active issues per severity. */
  breachedBySeverity: Record<Severity, number>;
  period: { from: string; to: string; days: number };
  remediation: RemediationTally & { bySeverity: Record<Severity, RemediationTally>; targets: Array<RemediationTally & { targetId: number; name: string; variant: string }> };
  /** The fixes of the period, newest first (at most `limit`). */
  remediated: RemediatedIssue[];
}

export const DEFAULT_SLA_PERIOD_DAYS = 90;

/** Adds up fixes; false positives are not fixes. */
export function tallyFixes(fixes: ReadonlyArray<Pick<RemediatedIssue, 'falsePositive' | 'fixedWithinSla' | 'daysToFix'>>): RemediationTally {
  const real = fixes.filter((f) => !f.falsePositive);
  const within = real.filter((f) => f.fixedWithinSla === true).length;
  const late = real.filter((f) => f.fixedWithinSla === false).length;
  const decided = within + late;
  return {
    fixed: real.length,
    fixedWithinSla: within,
    fixedLate: late,
    slaCompliance: decided === 0 ? null : Math.round((within / decided) * 1000) / 10,
    mttrDays: real.length === 0 ? null : Math.round((real.reduce((n, f) => n + f.daysToFix, 0) / real.length) * 10) / 10,
  };
}

/** The fixes in the variants an entity shows whose fix fell in [from, to], newest first, with the verdicts kept when they were judged. */
export async function entityFixes(db: Db, state: EntityState, policies: SlaPolicies, from: string, to: string): Promise<RemediatedIssue[]> {
  const byVariant = new Map(state.targets.map((t) => [t.variantId, t]));
  const clocks = (await slaClocksOf(db, [...byVariant.keys()])).filter((c) => c.fixed_at !== null && c.fixed_at >= from && c.fixed_at <= to);
  if (clocks.length === 0) return [];
  const issues = new Map<number, { id: number; target_id: number; title: string; vulnerability_id: string | null; rule_id: string | null; package: string | null }>();
  for (const batch of batches(new Set(clocks.map((c) => c.issue_id)))) {
    for (const row of await db.selectFrom('issues').select(['id', 'target_id', 'title', 'vulnerability_id', 'rule_id', 'package']).where('id', 'in', batch).execute()) issues.set(row.id, row);
  }
  const fixed = clocks.map((clock) => {
    const issue = issues.get(clock.issue_id) as NonNullable<ReturnType<typeof issues.get>>;
    const target = byVariant.get(clock.variant_id) as EntityState['targets'][number];
    return {
      clock,
      issue,
      target,
      fix: {
        id: clock.id,
        issueId: issue.id,
        targetId: issue.target_id,
        targetScope: target.scope,
        vulnerabilityId: issue.vulnerability_id,
        ruleId: issue.rule_id,
        severity: clock.severity,
        clockFrom: clock.clock_from,
        fixedAt: clock.fixed_at as string,
        stored: storedVerdict(clock),
      } satisfies FixedClock,
    };
  });
  const verdicts = await fixVerdicts(db, fixed.map((f) => f.fix), policies);
  return fixed
    .map(({ clock, issue, target, fix }) => ({
      issueId: issue.id,
      title: issue.title,
      vulnerabilityId: issue.vulnerability_id,
      ruleId: issue.rule_id,
      package: issue.package,
      severity: severityFromRank(clock.severity ?? 0),
      targetId: target.targetId,
      targetName: target.name,
      variant: target.variant,
      falsePositive: falsePositive({ id: issue.id, targetId: issue.target_id, targetScope: target.scope, vulnerabilityId: issue.vulnerability_id, ruleId: issue.rule_id }, state.exemptions),
      ...(verdicts.get(clock.id) as SlaFix),
    }))
    .sort((a, b) => b.fixedAt.localeCompare(a.fixedAt) || a.issueId - b.issueId);
}

/** An entity's SLA now: its active issues by state, and its fixes over the last `days` days. */
export async function entitySla(db: Db, state: EntityState, policies: SlaPolicies, now: string, options: { days?: number; limit?: number } = {}): Promise<EntitySla> {
  const days = options.days ?? DEFAULT_SLA_PERIOD_DAYS;
  const from = new Date(Date.parse(now) - days * DAY_MS).toISOString();
  const shown = shownIssues(state, now);
  const known = await exploitationOf(db, shown.map((s) => s.issue));
  const clocks = await openSlaClocks(db, shown, now);
  const open: EntitySla['open'] = { within: 0, 'due-soon': 0, breached: 0, paused: 0, none: 0 };
  const breachedBySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const counted = new Set<number>();
  for (const { issue, target, exempted } of shown) {
    // An issue shown through two variants of one target counts once, as the issue list shows it.
    if (counted.has(issue.id)) continue;
    counted.add(issue.id);
    const sla = slaStatus({ ...issue, kev: (known.get(issue.id) as Exploitation).kev }, policyFor(policies, target.scope), now, exempted, clocks.get(`${target.variantId}:${issue.id}`));
    open[sla.state]++;
    if (sla.state === 'breached') breachedBySeverity[issue.severity]++;
  }
  const fixes = await entityFixes(db, state, policies, from, now);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, tallyFixes(fixes.filter((f) => f.severity === s))])) as Record<Severity, RemediationTally>;
  const targets = state.targets.map((t) => ({ targetId: t.targetId, name: t.name, variant: t.variant, ...tallyFixes(fixes.filter((f) => f.targetId === t.targetId && f.variant === t.variant)) }));
  return {
    entityRef: state.entity.ref,
    hasData: state.targets.some((t) => t.scans.length > 0),
    now,
    open,
    breachedBySeverity,
    period: { from, to: now, days },
    remediation: { ...tallyFixes(fixes), bySeverity, targets },
    remediated: fixes.slice(0, options.limit ?? 100),
  };
}

/** What the exploitation and SLA data points read of an entity (scorecards/data-points.ts). */
export interface RiskFacts {
  /** Active known-exploited issues; null when no active issue could be matched with KEV (no feed, no CVE ids). */
  kev: number | null;
  /** The highest EPSS score of an active issue; null when no active issue could be matched with EPSS. */
  epssMax: number | null;
  /** Breached active issues per severity. */
  slaBreached: Record<Severity, number>;
  /** Fixes over the last DEFAULT_SLA_PERIOD_DAYS days per severity (false positives left out). */
  fixes: Record<Severity, { fixed: number; fixedWithinSla: number; fixedLate: number; daysToFix: number }>;
}

const ENTITIES_PER_READ = 200;

/**
 * The risk facts of these entities, read a batch of entities at a time: their current state,
 * KEV/EPSS, open clocks and fixes. An entity whose links show nothing has none (null): no data.
 * With no active issue, kev and epssMax are 0 (nothing to exploit); with active issues none of
 * which could be matched (no feed loaded, no CVE id), they are null: unknown is not "not exploited".
 */
export async function entityRiskFacts(db: Db, entities: readonly EntityState['entity'][], policies: SlaPolicies, now: string): Promise<Map<number, RiskFacts | null>> {
  const out = new Map<number, RiskFacts | null>();
  const from = new Date(Date.parse(now) - DEFAULT_SLA_PERIOD_DAYS * DAY_MS).toISOString();
  for (let start = 0; start < entities.length; start += ENTITIES_PER_READ) {
    const states = await entityStates(db, entities.slice(start, start + ENTITIES_PER_READ));
    const shownBy = new Map(states.map((s) => [s.entity.id, shownIssues(s, now).filter((i) => !i.exempted)]));
    const all = [...shownBy.values()].flat();
    const known = await exploitationOf(db, all.map((s) => s.issue));
    for (const state of states) {
      if (!state.targets.some((t) => t.scans.length > 0)) {
        out.set(state.entity.id, null);
        continue;
      }
      const active = shownBy.get(state.entity.id) ?? [];
      const clocks = await openSlaClocks(db, active, now);
      const slaBreached = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
      const seen = new Set<number>();
      let kev = 0;
      let kevKnown = false;
      let epssMax = 0;
      let epssKnown = false;
      for (const { issue, target } of active) {
        if (seen.has(issue.id)) continue;
        seen.add(issue.id);
        const found = known.get(issue.id) as Exploitation;
        if (found.kev.state !== 'never-enriched') kevKnown = true;
        if (found.kev.state === 'listed') kev++;
        if (found.epss.state !== 'never-enriched') epssKnown = true;
        if (found.epss.score !== null && found.epss.score > epssMax) epssMax = found.epss.score;
        const sla = slaStatus({ ...issue, kev: found.kev }, policyFor(policies, target.scope), now, false, clocks.get(`${target.variantId}:${issue.id}`));
        if (sla.state === 'breached') slaBreached[issue.severity]++;
      }
      const fixes = Object.fromEntries(SEVERITIES.map((s) => [s, { fixed: 0, fixedWithinSla: 0, fixedLate: 0, daysToFix: 0 }])) as RiskFacts['fixes'];
      for (const fix of await entityFixes(db, state, policies, from, now)) {
        if (fix.falsePositive) continue;
        const tally = fixes[fix.severity];
        tally.fixed++;
        tally.daysToFix += fix.daysToFix;
        if (fix.fixedWithinSla === true) tally.fixedWithinSla++;
        if (fix.fixedWithinSla === false) tally.fixedLate++;
      }
      out.set(state.entity.id, {
        kev: seen.size === 0 || kevKnown ? kev : null,
        epssMax: seen.size === 0 || epssKnown ? epssMax : null,
        slaBreached,
        fixes,
      });
    }
  }
  return out;
}
