import type { ExemptionRow } from '../store/schema.js';

/** Why an issue is exempted; `accepted_risk` is the "acceptable risk" of the request form. */
export const EXEMPTION_REASONS = ['compensating_control', 'acceptable_use', 'accepted_risk', 'false_positive', 'fix_unavailable', 'other'] as const;
export type ExemptionReason = (typeof EXEMPTION_REASONS)[number];
export const EXEMPTION_LEVELS = ['target', 'project', 'org', 'account'] as const;
export type ExemptionLevel = (typeof EXEMPTION_LEVELS)[number];
export const EXEMPTION_STATUSES = ['pending', 'approved', 'rejected', 'expired', 'cancelled'] as const;
export type ExemptionStatus = (typeof EXEMPTION_STATUSES)[number];
/** What a principal may do with an exemption (lantern.ts exemptionActionsFor). */
export type ExemptionAction = 'approve' | 'reject' | 'cancel' | 'reopen' | 'revoke';
/** How long an exemption lasts from its request (or its approval, when the approver sets it). */
export const EXEMPTION_DURATIONS = { '7d': 7, '30d': 30, '90d': 90, none: null } as const;
export type ExemptionDuration = keyof typeof EXEMPTION_DURATIONS;

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
  /** The requester's justification. */
  comment: string;
  link: string | null;
  /** What the decider (or the cancelling requester) wrote. */
  decisionComment: string | null;
  /** The issue a project-, org- or account-wide exemption was asked from. */
  sourceIssueId: number | null;
  /** The rejected, expired or cancelled request this one re-opens. */
  reopenedFrom: number | null;
  requestedBy: string | null;
  requestedById: string | null;
  decidedBy: string | null;
  decidedById: string | null;
  expiresAt: string | null;
  createdAt: string;
  decidedAt: string | null;
}

/** A listed exemption: where it applies (`account`, `ORG`, `ORG.PROJECT`), what it names, and what the reader may do with it. */
export interface ExemptionListing extends ExemptionView {
  appliesAt: string;
  targetName: string | null;
  issueTitle: string | null;
  actions: ExemptionAction[];
}

/** Filters of the exemption list; `decidable` keeps those the reader may approve or reject (the queue). */
export interface ExemptionQuery {
  status?: ExemptionStatus | undefined;
  reason?: string | undefined;
  level?: string | undefined;
  /** Where it applies: this scope and everything below. */
  scope?: string | undefined;
  /** A requester's principal id or name. */
  requester?: string | undefined;
  /** Approved ones whose expiry falls within this many days. */
  expiringWithinDays?: number | undefined;
  decidable?: boolean | undefined;
  targetId?: number | undefined;
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
    link: row.link,
    decisionComment: row.decision_comment,
    sourceIssueId: row.source_issue_id,
    reopenedFrom: row.reopened_from,
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
  return exemptions.find((e) => exemptionStatus(e, now) === 'approved' && namesIssue(e, issue));
}

/** Whether an exemption, whatever its status and expiry, is about this issue at a level that contains its target. */
export function namesIssue(e: Pick<ExemptionRow, 'issue_id' | 'key' | 'level' | 'target_id' | 'scope'>, issue: ExemptableIssue): boolean {
  if (e.issue_id !== null) return e.issue_id === issue.id;
  const ids = [issue.vulnerabilityId, issue.ruleId].filter((id): id is string => id !== null).map((id) => id.toLowerCase());
  if (e.key === null || !ids.includes(e.key.toLowerCase())) return false;
  const org = issue.targetScope === 'account' ? undefined : issue.targetScope.split('.')[0];
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
}
