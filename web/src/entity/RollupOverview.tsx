import type { EntityRollup, RollupMember } from '../api/rollup-types.js';
import { entityPath } from '../api/client.js';
import { useResource } from '../api/use-resource.js';
import { type EntityName, entityHref, humanizeEntityRef } from '../routing/routes.js';
import { Link } from '../routing/router.js';
import { formatCount, formatDateTime, formatRelative } from '../ui/format.js';
import { NoData, SeverityCount, SeverityHeaders } from '../ui/Severity.js';
import { EmptyState, ErrorState, Loading } from '../ui/states.js';
import { SEVERITIES } from '../api/types.js';
import { SecuritySummaryCard } from './SecuritySummaryCard.js';

const MEMBERS: Record<string, string> = { system: 'the entities of this system', domain: 'the systems of this domain and their entities', group: 'the entities this group owns' };

/** Systems, domains and groups have no targets of their own: their page shows their members' issues. */
export function hasRollup(name: EntityName): boolean {
  return name.kind.toLowerCase() in MEMBERS;
}

export function rollupPath(name: EntityName): string {
  return `/api/insights/entities/${entityPath(name.kind, name.namespace, name.name)}/rollup`;
}

function memberHref(m: RollupMember): string {
  return entityHref({ kind: m.kind.toLowerCase(), namespace: m.namespace, name: m.name });
}

function MemberCounts({ member }: { member: RollupMember }) {
  if (member.counts) return null;
  return (
    <td colSpan={SEVERITIES.length + 1}>
      {member.unmatchedLinks > 0 ? (
        <Link href={memberHref(member)} className="unmatched-count">
          {member.unmatchedLinks === 1 ? '1 link unmatched' : `${formatCount(member.unmatchedLinks)} links unmatched`}
        </Link>
      ) : (
        <NoData />
      )}
    </td>
  );
}

function MembersTable({ rollup, kind }: { rollup: EntityRollup; kind: string }) {
  const showVia = rollup.members.some((m) => m.via !== null);
  return (
    <section className="card rollup-members-card" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      {rollup.members.length === 0 ? (
        <EmptyState title={`No members: nothing in the catalog names this ${kind}.`}>
          <p>{kind === 'group' ? 'Entities name their owner in spec.owner.' : kind === 'system' ? 'Entities name their system in spec.system.' : 'Systems name their domain in spec.domain.'}</p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="compact-table" data-testid="rollup-members">
            <caption className="visually-hidden">Members with their own open issues per severity</caption>
            <thead>
              <tr>
                <th scope="col" className="col-sticky">
                  Member
                </th>
                <th scope="col">Kind</th>
                {showVia && <th scope="col">Through</th>}
                <SeverityHeaders />
                <th scope="col">Last scan</th>
              </tr>
            </thead>
            <tbody>
              {rollup.members.map((m) => (
                <tr key={m.entityRef} data-key={m.entityRef}>
                  <th scope="row" className="col-sticky">
                    <Link href={memberHref(m)}>{m.title || m.name}</Link>
                  </th>
                  <td>{m.kind}</td>
                  {showVia && <td>{m.via ? humanizeEntityRef(m.via, 'system') : <span className="muted">—</span>}</td>}
                  {m.counts ? (
                    <>
                      {SEVERITIES.map((s) => (
                        <td key={s} className="num">
                          <SeverityCount severity={s} count={m.counts?.[s] ?? 0} />
                        </td>
                      ))}
                      <td className="num" data-testid="member-total">
                        {formatCount(m.counts.total)}
                      </td>
                    </>
                  ) : (
                    <MemberCounts member={m} />
                  )}
                  <td>{m.lastScanAt ? <time dateTime={m.lastScanAt} title={formatDateTime(m.lastScanAt)}>{formatRelative(m.lastScanAt)}</time> : <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted">
        A member's counts are its own; the summary counts each issue once, so it can be less than their sum.
      </p>
    </section>
  );
}

/** The summary card over {@link MEMBERS} and a table of the members with their own counts. */
export function RollupOverview({ name }: { name: EntityName }) {
  const kind = name.kind.toLowerCase();
  const rollup = useResource<EntityRollup>(rollupPath(name));
  if (rollup.status === 'error') {
    return (
      <section className="card">
        <h2>Security of its members</h2>
        <ErrorState error={rollup.error as Error} what={`the security of ${MEMBERS[kind]}`} onRetry={rollup.reload} />
      </section>
    );
  }
  if (!rollup.data) {
    return (
      <section className="card">
        <h2>Security of its members</h2>
        <Loading what={`the security of ${MEMBERS[kind]}`} />
      </section>
    );
  }
  return (
    <>
      <SecuritySummaryCard summary={rollup.data.summary} name={name} rollup />
      <MembersTable rollup={rollup.data} kind={kind} />
    </>
  );
}
