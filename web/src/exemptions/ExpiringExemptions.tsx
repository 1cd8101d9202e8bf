import type { EntitySummary, IssuePage } from '../api/types.js';
import { useResource } from '../api/use-resource.js';
import { issuesPath, parseIssueQuery } from '../entity/issue-query.js';
import { type EntityName, entityHref } from '../routing/routes.js';
import { Link } from '../routing/router.js';
import { formatDateTime } from '../ui/format.js';
import { expiresWithin } from './exemption-form.js';

/** Issues of one entity that an approved exemption covers: at most this many are read for the notice. */
const READ_AT_MOST = 500;

/** The exemptions among `items` that end within `days`: each once, soonest first, with how many of the issues it covers. */
export function expiringSoon(items: IssuePage['items'], days: number, now: Date = new Date()): Array<{ id: number; expiresAt: string; issues: number }> {
  const byId = new Map<number, { id: number; expiresAt: string; issues: number }>();
  for (const item of items) {
    const e = item.exemption;
    if (!e || e.expiresAt === null || !expiresWithin(e.expiresAt, days, now)) continue;
    const seen = byId.get(e.id);
    byId.set(e.id, { id: e.id, expiresAt: e.expiresAt, issues: (seen?.issues ?? 0) + 1 });
  }
  return [...byId.values()].sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
}

/**
 * On the entity page: the exemptions of its issues that end within 7 days, after which those
 * issues count again. Read only when the summary says some issue is exempted.
 */
export function ExpiringExemptions({ name, summary }: { name: EntityName; summary: EntitySummary | undefined }) {
  const path = summary && summary.exempted > 0 ? issuesPath(name, { ...parseIssueQuery(''), exempted: true }, READ_AT_MOST) : null;
  const exempted = useResource<IssuePage>(path);
  if (!path || !exempted.data) return null;
  const soon = expiringSoon(exempted.data.items, 7);
  if (soon.length === 0) return null;
  const issues = soon.reduce((sum, e) => sum + e.issues, 0);
  const first = soon[0] as { expiresAt: string };
  return (
    <p className="expiring-notice" role="status" data-testid="expiring-exemptions">
      <span className="badge badge-expiring">Expiring</span>{' '}
      {soon.length === 1 ? '1 exemption' : `${soon.length} exemptions`} covering {issues === 1 ? '1 issue' : `${issues} issues`} {soon.length === 1 ? 'ends' : 'end'} within 7 days ({soon.length === 1 ? 'on' : 'the first on'}{' '}
      <time dateTime={first.expiresAt}>{formatDateTime(first.expiresAt)}</time>); then {issues === 1 ? 'it counts' : 'they count'} again.{' '}
      <Link href={entityHref(name, 'vulnerabilities', '?status=exempted')}>See the exempted issues ›</Link>
    </p>
  );
}
