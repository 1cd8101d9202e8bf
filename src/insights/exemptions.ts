import type { ExemptionRow } from '../store/schema.js';

export const EXEMPTION_REASONS = ['false_positive', 'accepted_risk', 'compensating_control', 'other'] as const;
export type ExemptionReason = (typeof EXEMPTION_REASONS)[number];
export const EXEMPTION_LEVELS = ['target', 'project', 'org', 'account'] as const;
export type ExemptionLevel = (typeof EXEMPTION_LEVELS)[number];
export type ExemptionStatus = 'pending' | 'approved' | 'rejected' | 'expired';

/** What the API answers for an exemption (docs/insights-api.md). */
export interface ExemptionView {
  id: number;
  status: ExemptionStatus;
  level: ExemptionLevel;
  targetId: number | null;
  scope: string | null;
  issueId: number | null;
  key: string | null;
  reason: ExemptionReason;
  comment: string;
  requestedBy: string | null;
  requestedById: string | null;
  decidedBy: string | null;
  decidedById: string | null;
  expiresAt: string | null;
  createdAt: string;
  decidedAt: string | null;
}

/** An approved exemption whose expiry has passed reads as `expired`. */
export function exemptionStatus(row: ExemptionRow, now: string): ExemptionStatus {
  if (row.status === 'approved' && row.expires_at !== null && row.expires_at <= now) return 'expired';
  return row.status as ExemptionStatus;
}

export function exemptionView(row: ExemptionRow, now: string): ExemptionView {
  return {
    id: row.id,
    status: exemptionStatus(row, now),
    level: row.level as ExemptionLevel,
    targetId: row.target_id,
    scope: row.scope,
    issueId: row.issue_id,
    key: row.key,
    reason: row.reason as ExemptionReason,
    comment: row.comment,
    requestedBy: row.requested_by,
    requestedById: row.requested_by_id,
    decidedBy: row.decided_by,
    decidedById: row.decided_by_id,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
  };
}

/** What an exemption is matched against: the issue and where its target lives. */
export interface ExemptableIssue {
  id: number;
  targetId: number;
  /** The target's scope, `account` or `ORG.PROJECT`. */
  targetScope: string;
  vulnerabilityId: string | null;
  ruleId: string | null;
}

/**
 * Which exemption, among approved ones, covers an issue now: one naming the issue itself, else one
 * whose key is the issue's vulnerability or rule id (case-insensitively) at a level that contains
 * the issue's target. Expired ones never do.
 */
export function coveringExemption(issue: ExemptableIssue, exemptions: readonly ExemptionRow[], now: string): ExemptionRow | undefined {
  const ids = [issue.vulnerabilityId, issue.ruleId].filter((id): id is string => id !== null).map((id) => id.toLowerCase());
  const org = issue.targetScope === 'account' ? undefined : issue.targetScope.split('.')[0];
  return exemptions.find((e) => {
    if (exemptionStatus(e, now) !== 'approved') return false;
    if (e.issue_id !== null) return e.issue_id === issue.id;
    if (e.key === null || !ids.includes(e.key.toLowerCase())) return false;
    switch (e.level) {
      case 'target':
        return e.target_id === issue.targetId;
      case 'project':
        return e.scope === issue.targetScope;
      case 'org':
        return org !== undefined && e.scope === org;
      default:
        return true;
    }
  });
}
