import type { Severity } from '../domain/severity.js';
import type { KevMatch } from './exploitation.js';

/** Days to fix per severity (null: no SLA), and whether CISA's KEV due date can bring the due date forward. */
export interface SlaPolicy {
  days: Record<Severity, number | null>;
  kevDueDateCap: boolean;
}

/** The SLA policy of the account, and of the orgs (`O`) and projects (`O.P`) that set their own. */
export interface SlaPolicies {
  account: SlaPolicy;
  /** A scope's policy overrides the days it names; a project's policy inherits its org's. */
  scopes: Record<string, Partial<SlaPolicy['days']> & { kevDueDateCap?: boolean }>;
}

export const DEFAULT_SLA_POLICY: SlaPolicy = { days: { critical: 7, high: 30, medium: 90, low: 180, info: null }, kevDueDateCap: false };
export const DEFAULT_SLA_POLICIES: SlaPolicies = { account: DEFAULT_SLA_POLICY, scopes: {} };

/** How close an open issue is to its due date. */
export const DUE_SOON_DAYS = 7;

export interface SlaStatus {
  /** `none`: its severity has no SLA; `paused`: an approved exemption covers it. */
  state: 'within' | 'due-soon' | 'breached' | 'paused' | 'none';
  /** YYYY-MM-DD; null when its severity has no SLA. */
  dueDate: string | null;
  /** Whole days left before the due date (negative once breached); null without a due date. */
  daysLeft: number | null;
  /** True when the KEV due date came before the severity's. */
  cappedByKev: boolean;
  /** Where the clock starts: first seen in the target, or when the issue last came back after a fix. */
  clockStartedAt: string;
  /** True when the issue was fixed in this variant before and came back: its clock started again. */
  reopened: boolean;
  /** Whole days an approved exemption covered it since its clock started: added to the due date. */
  pausedDays: number;
}

/** Where an issue's SLA clock stands: from its open stretch in the variant (store/sla-clocks.ts). */
export interface SlaClock {
  clockFrom: string;
  reopened: boolean;
  pausedDays: number;
}

/** Whether a fixed issue was fixed within its SLA (insights/sla-clock.ts). */
export interface SlaFix {
  clockStartedAt: string;
  fixedAt: string;
  /** Null when its severity has no SLA. */
  dueDate: string | null;
  /** Null when its severity has no SLA. */
  fixedWithinSla: boolean | null;
  /** Days from the clock's start to the fix, one decimal: what the mean time to remediate averages. */
  daysToFix: number;
  pausedDays: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The policy that holds in a target's scope (`account`, `O` or `O.P`): project over org over account. */
export function policyFor(policies: SlaPolicies, scope: string): SlaPolicy {
  const parts = scope === 'account' ? [] : scope.replace(/^account\./, '').split('.');
  const chain = [parts[0], parts.length > 1 ? parts.join('.') : undefined].filter((s): s is string => s !== undefined);
  let policy = policies.account;
  for (const key of chain) {
    const own = policies.scopes[key];
    if (!own) continue;
    const { kevDueDateCap, ...days } = own;
    policy = { days: { ...policy.days, ...days }, kevDueDateCap: kevDueDateCap ?? policy.kevDueDateCap };
  }
  return policy;
}

/**
 * The due date of an issue whose clock started at `clockFrom`: `days[severity]` days later, plus
 * the days it was paused by an exemption, or CISA's due date when the policy caps by it and that
 * comes first. Null without an SLA for its severity.
 */
function dueDateOf(issue: { severity: Severity; kev: KevMatch }, clockFrom: string, pausedDays: number, policy: SlaPolicy): { due: string; cappedByKev: boolean } | null {
  const days = policy.days[issue.severity];
  if (days === null) return null;
  const due = new Date(Date.parse(clockFrom.slice(0, 10)) + (days + pausedDays) * DAY_MS).toISOString().slice(0, 10);
  if (policy.kevDueDateCap && issue.kev.state === 'listed' && issue.kev.dueDate && issue.kev.dueDate < due) return { due: issue.kev.dueDate, cappedByKev: true };
  return { due, cappedByKev: false };
}

/**
 * An open issue's SLA: due `days[severity]` days after its clock started (first seen in its
 * target, or when it came back after a fix), plus the days an exemption paused it, or on CISA's
 * due date when the policy caps by it and that comes first; within, due in ≤ 7 days, or breached
 * by N days at `now`. An exempted issue's clock is paused. Without `clock`, from first seen.
 */
export function slaStatus(issue: { severity: Severity; firstSeenAt: string; kev: KevMatch }, policy: SlaPolicy, now: string, exempted: boolean, clock?: SlaClock): SlaStatus {
  const clockStartedAt = clock?.clockFrom ?? issue.firstSeenAt;
  const pausedDays = clock?.pausedDays ?? 0;
  const reopened = clock?.reopened ?? false;
  const due = dueDateOf(issue, clockStartedAt, pausedDays, policy);
  if (due === null) return { state: 'none', dueDate: null, daysLeft: null, cappedByKev: false, clockStartedAt, reopened, pausedDays };
  const daysLeft = Math.round((Date.parse(due.due) - Date.parse(now.slice(0, 10))) / DAY_MS);
  const state = exempted ? 'paused' : daysLeft < 0 ? 'breached' : daysLeft <= DUE_SOON_DAYS ? 'due-soon' : 'within';
  return { state, dueDate: due.due, daysLeft, cappedByKev: due.cappedByKev, clockStartedAt, reopened, pausedDays };
}

/** A fixed issue against its SLA: fixed within it when fixed on or before its due date. */
export function slaFix(issue: { severity: Severity; kev: KevMatch }, clock: { clockFrom: string; fixedAt: string; pausedDays: number }, policy: SlaPolicy): SlaFix {
  const due = dueDateOf(issue, clock.clockFrom, clock.pausedDays, policy);
  const daysToFix = Math.max(0, Math.round(((Date.parse(clock.fixedAt) - Date.parse(clock.clockFrom)) / DAY_MS) * 10) / 10);
  return {
    clockStartedAt: clock.clockFrom,
    fixedAt: clock.fixedAt,
    dueDate: due?.due ?? null,
    fixedWithinSla: due === null ? null : clock.fixedAt.slice(0, 10) <= due.due,
    daysToFix,
    pausedDays: clock.pausedDays,
  };
}

/** Whole days of [from, to] that the spans (start, end or null: still running) cover, overlaps counted once. */
export function pausedDaysOf(spans: ReadonlyArray<{ start: string; end: string | null }>, from: string, to: string): number {
  const lo = Date.parse(from);
  const hi = Date.parse(to);
  const clipped = spans
    .map((s) => [Math.max(lo, Date.parse(s.start)), Math.min(hi, s.end === null ? hi : Date.parse(s.end))] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let [start, end] = [Number.NaN, Number.NaN];
  for (const [a, b] of clipped) {
    if (Number.isNaN(start) || a > end) {
      if (!Number.isNaN(start)) total += end - start;
      [start, end] = [a, b];
    } else end = Math.max(end, b);
  }
  if (!Number.isNaN(start)) total += end - start;
  return Math.floor(total / DAY_MS);
}

/** The SLA state in words: "breached by 3 days", "due in 5 days (2024-03-26)". */
export function slaText(sla: SlaStatus): string {
  if (sla.state === 'none') return 'no SLA';
  if (sla.state === 'paused') return `SLA paused (exempted), due ${sla.dueDate}`;
  const left = sla.daysLeft as number;
  if (left < 0) return `SLA breached by ${-left} day${left === -1 ? '' : 's'} (due ${sla.dueDate})`;
  return `due in ${left} day${left === 1 ? '' : 's'} (${sla.dueDate})`;
}
