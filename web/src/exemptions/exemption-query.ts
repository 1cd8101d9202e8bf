import { queryString } from '../api/client.js';
import type { Exemption } from '../api/types.js';
import { readPositiveInteger, writeSearch } from '../routing/search-params.js';
import { LEVELS, REASONS } from './exemption-form.js';

/**
 * The Exemptions page's view, as its URL keeps it: `/exemptions?view=approved&reason=false_positive&expiring=7`.
 * `queue` is what the caller may decide (pending requests in the scopes where it holds `security`);
 * the other views list every exemption of that state the caller may read.
 */
export const EXEMPTION_VIEWS = ['queue', 'pending', 'approved', 'rejected', 'expired', 'cancelled'] as const;
export type ExemptionView = (typeof EXEMPTION_VIEWS)[number];

export const VIEW_LABELS: Record<ExemptionView, string> = {
  queue: 'To decide',
  pending: 'Pending',
  approved: 'Approved',
  rejected: 'Rejected',
  expired: 'Expired',
  cancelled: 'Cancelled',
};

export interface ExemptionQuery {
  /** null: the default view, the queue for a decider and the pending requests for anyone else. */
  view: ExemptionView | null;
  reason: Exemption['reason'] | '';
  level: Exemption['level'] | '';
  /** Where it applies, and everything below: `acme` holds `acme.pay`. */
  scope: string;
  /** A requester's principal id or name. */
  requester: string;
  /** Approved ones ending within this many days; 0 for no such filter. */
  expiring: number;
}

export function parseExemptionQuery(search: string): ExemptionQuery {
  const params = new URLSearchParams(search);
  const text = (key: string) => (params.get(key) ?? '').trim();
  const view = EXEMPTION_VIEWS.find((v) => v === params.get('view')) ?? null;
  const reason = REASONS.find((r) => r === params.get('reason')) ?? '';
  const level = LEVELS.find((l) => l === params.get('level')) ?? '';
  const expiring = Math.min(readPositiveInteger(params, 'expiring', 0), 366);
  return { view, reason, level, scope: text('scope'), requester: text('requester'), expiring };
}

export function exemptionSearch(query: ExemptionQuery): string {
  return writeSearch([
    ['view', query.view],
    ['reason', query.reason],
    ['level', query.level],
    ['scope', query.scope],
    ['requester', query.requester],
    ['expiring', query.expiring, 0],
  ]);
}

export function isExemptionFiltered(query: ExemptionQuery): boolean {
  return query.reason !== '' || query.level !== '' || query.scope !== '' || query.requester !== '' || query.expiring > 0;
}

/** GET /api/exemptions for a view; "expiring within N days" narrows the approved view only. */
export function exemptionsPath(query: ExemptionQuery, view: ExemptionView): string {
  return `/api/exemptions${queryString({
    status: view === 'queue' ? 'pending' : view,
    decidable: view === 'queue' ? true : undefined,
    reason: query.reason,
    level: query.level,
    scope: query.scope,
    requester: query.requester,
    expiringWithinDays: view === 'approved' && query.expiring > 0 ? query.expiring : undefined,
    limit: 500,
  })}`;
}
