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
 * An open issue's SLA: due `days[severity]` days after it was first seen in its target, or on
 * CISA's due date when the policy caps by it and that comes first; within, due in ≤ 7 days, or
 * breached by N days at `now`. An exempted issue's clock is paused.
 */
export function slaStatus(issue: { severity: Severity; firstSeenAt: string; kev: KevMatch }, policy: SlaPolicy, now: string, exempted: boolean): SlaStatus {
  const days = policy.days[issue.severity];
  if (days === null) return { state: 'none', dueDate: null, daysLeft: null, cappedByKev: false };
  let due = new Date(Date.parse(issue.firstSeenAt.slice(0, 10)) + days * DAY_MS).toISOString().slice(0, 10);
  let cappedByKev = false;
  if (policy.kevDueDateCap && issue.kev.state === 'listed' && issue.kev.dueDate && issue.kev.dueDate < due) {
    due = issue.kev.dueDate;
    cappedByKev = true;
  }
  const daysLeft = Math.round((Date.parse(due) - Date.parse(now.slice(0, 10))) / DAY_MS);
  const state = exempted ? 'paused' : daysLeft < 0 ? 'breached' : daysLeft <= DUE_SOON_DAYS ? 'due-soon' : 'within';
  return { state, dueDate: due, daysLeft, cappedByKev };
}

/** The SLA state in words: "breached by 3 days", "due in 5 days (2024-03-26)". */
export function slaText(sla: SlaStatus): string {
  if (sla.state === 'none') return 'no SLA';
  if (sla.state === 'paused') return `SLA paused (exempted), due ${sla.dueDate}`;
  const left = sla.daysLeft as number;
  if (left < 0) return `SLA breached by ${-left} day${left === -1 ? '' : 's'} (due ${sla.dueDate})`;
  return `due in ${left} day${left === 1 ? '' : 's'} (${sla.dueDate})`;
}
