import type { Exemption } from '../api/types.js';

/**
 * The exemption request form's rules, as the API states them (docs/triage.md): a reason, a
 * justification of 1 to 4000 characters, an optional http(s) link, a duration of 7, 30 or 90 days
 * or a custom end (no expiry only for a false positive), and what it covers. The API checks all of
 * it again; the form says what is wrong before anything is sent.
 */

export type ExemptionReason = Exemption['reason'];
export type ExemptionLevel = Exemption['level'];

/** The reasons in the order the form offers them, as people read them. */
export const REASON_LABELS: Record<ExemptionReason, string> = {
  compensating_control: 'Compensating control',
  acceptable_use: 'Acceptable use',
  accepted_risk: 'Acceptable risk',
  false_positive: 'False positive',
  fix_unavailable: 'Fix unavailable',
  other: 'Other',
};
export const REASONS = Object.keys(REASON_LABELS) as ExemptionReason[];

/** What an exemption asked from an issue covers, at each level. */
export const LEVEL_LABELS: Record<ExemptionLevel, string> = {
  target: 'This issue in this target',
  project: 'Its vulnerability or rule in every target of the project',
  org: 'Its vulnerability or rule in every target of the org',
  account: 'Its vulnerability or rule in every target of the account',
};
export const LEVELS = Object.keys(LEVEL_LABELS) as ExemptionLevel[];

export type DurationChoice = '7d' | '30d' | '90d' | 'custom' | 'none';
export const DURATION_LABELS: Record<DurationChoice, string> = { '7d': '7 days', '30d': '30 days', '90d': '90 days', custom: 'Until a date', none: 'No expiry' };

export const MAX_JUSTIFICATION = 4000;
const MAX_LINK = 2000;

export interface ExemptionFormFields {
  reason: ExemptionReason | '';
  justification: string;
  link: string;
  duration: DurationChoice;
  /** The custom end, a day (YYYY-MM-DD) in the browser's time zone: the exemption ends at its start. */
  until: string;
  level: ExemptionLevel;
}

export const EMPTY_FORM: ExemptionFormFields = { reason: '', justification: '', link: '', duration: '30d', until: '', level: 'target' };

/** The durations a reason allows: no expiry only for a false positive, since a risk is accepted for a while. */
export function durationsFor(reason: ExemptionReason | ''): DurationChoice[] {
  return reason === 'false_positive' ? ['7d', '30d', '90d', 'custom', 'none'] : ['7d', '30d', '90d', 'custom'];
}

/** The levels an issue can be exempted at: an issue of an account-level target has no project or org, and one without an id only itself. */
export function levelsFor(issue: { targetScope: string; vulnerabilityId: string | null; ruleId: string | null }): ExemptionLevel[] {
  if (issue.vulnerabilityId === null && issue.ruleId === null) return ['target'];
  return issue.targetScope === 'account' ? ['target', 'account'] : LEVELS;
}

/** The start of a day (YYYY-MM-DD) in the browser's time zone, or undefined for no such day. */
export function startOfDay(day: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return undefined;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const start = new Date(year, month - 1, date);
  return start.getFullYear() === year && start.getMonth() === month - 1 && start.getDate() === date ? start : undefined;
}

/** Each field's problem, in the words the form uses; empty when the request can go. */
export function exemptionFormProblems(fields: ExemptionFormFields, now: Date = new Date()): Partial<Record<keyof ExemptionFormFields, string>> {
  const problems: Partial<Record<keyof ExemptionFormFields, string>> = {};
  if (fields.reason === '') problems.reason = 'Choose a reason.';
  const justification = fields.justification.trim();
  if (justification === '') problems.justification = 'Say why: the justification is required.';
  else if (justification.length > MAX_JUSTIFICATION) problems.justification = `Keep the justification to ${MAX_JUSTIFICATION} characters (it has ${justification.length}).`;
  const link = fields.link.trim();
  if (link !== '' && !isWebLink(link)) problems.link = `The link must be an http or https URL of at most ${MAX_LINK} characters.`;
  if (fields.duration === 'none' && fields.reason !== 'false_positive') problems.duration = 'Only a false positive may have no expiry: choose 7, 30 or 90 days, or a date.';
  if (fields.duration === 'custom') {
    const end = startOfDay(fields.until);
    if (!end) problems.until = 'Choose the day the exemption ends.';
    else if (end.getTime() <= now.getTime()) problems.until = 'The end must be a day in the future.';
  }
  return problems;
}

function isWebLink(text: string): boolean {
  if (text.length > MAX_LINK) return false;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** How long, as the API takes it: `duration` (7d, 30d, 90d, none) or a custom `expiresAt`. */
export function durationBody(fields: Pick<ExemptionFormFields, 'duration' | 'until'>): { duration: string } | { expiresAt: string } {
  if (fields.duration === 'custom') return { expiresAt: (startOfDay(fields.until) as Date).toISOString() };
  return { duration: fields.duration };
}

/** An issue a request can be made from: what the form needs to know of it. */
export interface RequestableIssue {
  id: number;
  targetId: number;
  targetScope: string;
  vulnerabilityId: string | null;
  ruleId: string | null;
}

/** What one request (or its preview) covers: `POST /api/exemptions/preview`'s body. */
export interface Coverage {
  issueId: number;
  level: ExemptionLevel;
}

/**
 * The requests the form sends for the chosen issues at the chosen level: one per issue at target
 * level; wider, one per vulnerability or rule id and project, org or account, since one such
 * exemption covers every issue of that id there. An issue that cannot go that wide (no id, or an
 * account-level target below account level) is asked for itself.
 */
export function coverages(issues: readonly RequestableIssue[], level: ExemptionLevel): Coverage[] {
  const seen = new Set<string>();
  const out: Coverage[] = [];
  for (const issue of issues) {
    const own = levelsFor(issue).includes(level) ? level : 'target';
    const key = issue.vulnerabilityId ?? issue.ruleId;
    const org = issue.targetScope.split('.')[0];
    const where = own === 'target' ? `issue ${issue.id}` : own === 'project' ? issue.targetScope : own === 'org' ? org : 'account';
    const identity = `${own} ${where} ${own === 'target' ? '' : (key ?? '').toLowerCase()}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    out.push({ issueId: issue.id, level: own });
  }
  return out;
}

/** The body of `POST /api/exemptions` for one coverage. */
export function requestBody(coverage: Coverage, fields: ExemptionFormFields): Record<string, unknown> {
  const link = fields.link.trim();
  return {
    issueId: coverage.issueId,
    level: coverage.level,
    reason: fields.reason,
    comment: fields.justification.trim(),
    ...(link ? { link } : {}),
    ...durationBody(fields),
  };
}

/** "hides 14 issues in 6 targets of acme.pay" for one request; with several, the sums (an issue two requests cover counts twice). */
export function effectText(effects: ReadonlyArray<{ issues: number; targets: number; text: string }>): string {
  if (effects.length === 1) return (effects[0] as { text: string }).text;
  const issues = effects.reduce((sum, e) => sum + e.issues, 0);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(effects.length, 'request')}: together they hide up to ${plural(issues, 'issue')}`;
}

/** Whether an expiry falls within `days` from now (and has not passed). */
export function expiresWithin(expiresAt: string | null, days: number, now: Date = new Date()): boolean {
  if (expiresAt === null) return false;
  const at = Date.parse(expiresAt);
  return at > now.getTime() && at <= now.getTime() + days * 24 * 60 * 60 * 1000;
}

/** What an approver may change: the level (widen or narrow), the scope of a key-based one, the duration; '' keeps what was asked. */
export interface ApprovalFields {
  level: ExemptionLevel | '';
  scope: string;
  duration: DurationChoice | '';
  until: string;
  comment: string;
}

export const EMPTY_APPROVAL: ApprovalFields = { level: '', scope: '', duration: '', until: '', comment: '' };

/** The approval's problems, for the exemption it decides; empty when it can go. */
export function approvalProblems(fields: ApprovalFields, exemption: Pick<Exemption, 'reason' | 'issueId' | 'sourceIssueId'>, now: Date = new Date()): string[] {
  const problems: string[] = [];
  if (fields.duration === 'none' && exemption.reason !== 'false_positive') problems.push('Only a false positive may have no expiry: choose 7, 30 or 90 days, or a date.');
  if (fields.duration === 'custom') {
    const end = startOfDay(fields.until);
    if (!end) problems.push('Choose the day the exemption ends.');
    else if (end.getTime() <= now.getTime()) problems.push('The end must be a day in the future.');
  }
  const fromIssue = exemption.issueId !== null || exemption.sourceIssueId !== null;
  if (!fromIssue && fields.level !== '' && fields.level !== 'account' && fields.scope.trim() === '') problems.push(`Name the ${fields.level} it applies to.`);
  if (fields.comment.trim().length > MAX_JUSTIFICATION) problems.push(`Keep the comment to ${MAX_JUSTIFICATION} characters.`);
  return problems;
}

/** The body of `POST /api/exemptions/:id/approve`: only what the approver changed, and the comment if any. */
export function approvalBody(fields: ApprovalFields, exemption: Pick<Exemption, 'level' | 'issueId' | 'sourceIssueId'>): Record<string, unknown> {
  const fromIssue = exemption.issueId !== null || exemption.sourceIssueId !== null;
  const comment = fields.comment.trim();
  const changesLevel = fields.level !== '' && fields.level !== exemption.level;
  return {
    ...(comment ? { comment } : {}),
    ...(changesLevel || (!fromIssue && fields.level !== '') ? { level: fields.level } : {}),
    ...(!fromIssue && fields.level !== '' ? { scope: fields.level === 'account' ? null : fields.scope.trim() } : {}),
    ...(fields.duration === '' ? {} : durationBody({ duration: fields.duration, until: fields.until })),
  };
}

/** A required comment: `missing` when there is none. */
function requiredComment(comment: string, missing: string): string | null {
  const text = comment.trim();
  if (text === '') return missing;
  if (text.length > MAX_JUSTIFICATION) return `Keep the comment to ${MAX_JUSTIFICATION} characters.`;
  return null;
}

/** A rejection says why: the comment the requester reads. */
export function rejectionProblem(comment: string): string | null {
  return requiredComment(comment, 'Say why the request is rejected: the requester reads it.');
}

/** A revocation says why: the audit log keeps the comment with who revoked it. */
export function revocationProblem(comment: string): string | null {
  return requiredComment(comment, 'Say why the exemption is revoked: the audit log keeps it.');
}

/** The first day a custom end may be (tomorrow, in the browser's time zone), as a date input's `min`. */
export function firstEndDay(now: Date = new Date()): string {
  const next = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  return `${next.getFullYear()}-${String(next.getMonth() + 1).padStart(2, '0')}-${String(next.getDate()).padStart(2, '0')}`;
}
