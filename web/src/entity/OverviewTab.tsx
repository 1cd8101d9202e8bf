import { lazy, Suspense } from 'react';
import type { Entity, EntitySummary } from '../api/types.js';
import type { Resource } from '../api/use-resource.js';
import type { EntityName } from '../routing/routes.js';
import { safeHref } from '../security/identifiers.js';
import { RefLink } from '../ui/RefLink.js';
import { ErrorState, Loading } from '../ui/states.js';
import { catalogProblems, entityLinks, entityScope, partOfRef, relationRef, specText } from './entity-facts.js';
import { hasRollup, RollupOverview } from './RollupOverview.js';
import { SecuritySummaryCard } from './SecuritySummaryCard.js';

// The chart library loads only for an entity that has security data to draw.
const EntityTrendCard = lazy(() => import('./EntityTrendCard.js'));

/** Where the entity was read from: a URL as a link, a local file by its last two path segments (the whole path on hover). */
function DefinedIn({ location }: { location: string }) {
  const target = location.replace(/^(file|url):/, '');
  const href = safeHref(target);
  if (href) {
    return (
      <a href={href} target="_blank" rel="noopener noreferrer" className="break">
        {target.replace(/^https?:\/\//, '')}
      </a>
    );
  }
  return (
    <span className="break" title={target}>
      {target.split(/[/\\]/).slice(-2).join('/')}
    </span>
  );
}

function AboutCard({ entity }: { entity: Entity }) {
  const problems = catalogProblems(entity);
  const links = entityLinks(entity);
  const tags = entity.metadata?.tags ?? [];
  const location = entity.metadata?.annotations?.['backstage.io/managed-by-location'];
  return (
    <section className="card about-card" aria-labelledby="about-title">
      <h2 id="about-title">About</h2>
      <p className={entity.metadata?.description ? '' : 'muted'}>{entity.metadata?.description || 'No description.'}</p>
      <dl className="about-facts">
        <dt>Owner</dt>
        <dd>
          <RefLink refText={relationRef(entity, 'ownedBy', 'owner')} kind="group" />
        </dd>
        {entity.kind?.toLowerCase() !== 'system' && (
          <>
            <dt>System</dt>
            <dd>
              <RefLink refText={partOfRef(entity, 'system')} kind="system" />
            </dd>
          </>
        )}
        {partOfRef(entity, 'domain') && (
          <>
            <dt>Domain</dt>
            <dd>
              <RefLink refText={partOfRef(entity, 'domain')} kind="domain" />
            </dd>
          </>
        )}
        <dt>Type</dt>
        <dd>{specText(entity, 'type') ?? '—'}</dd>
        <dt>Lifecycle</dt>
        <dd>{specText(entity, 'lifecycle') ?? '—'}</dd>
        <dt>Scope</dt>
        <dd>{entityScope(entity) ?? '—'}</dd>
        <dt>Tags</dt>
        <dd>
          {tags.length === 0 ? (
            <span className="muted">None</span>
          ) : (
            <span className="tags">
              {tags.map((t) => (
                <span key={t} className="tag">
                  {t}
                </span>
              ))}
            </span>
          )}
        </dd>
        {location && (
          <>
            <dt>Defined in</dt>
            <dd>
              <DefinedIn location={location} />
            </dd>
          </>
        )}
      </dl>
      {links.length > 0 && (
        <>
          <h3>Links</h3>
          <ul className="plain-list">
            {links.map((link) => (
              <li key={link.url}>
                <a href={link.url} target="_blank" rel="noopener noreferrer">
                  {link.title}
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
      {problems.length > 0 && (
        <>
          <h3>Catalog problems</h3>
          <ul className="plain-list problems">
            {problems.map((p, i) => (
              <li key={i} className={`problem problem-${p.level}`}>
                <span className="problem-level">{p.level}</span> {p.message}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function OverviewTab({ entity, name, summary }: { entity: Entity; name: EntityName; summary: Resource<EntitySummary> }) {
  return (
    <div className="overview-grid">
      <AboutCard entity={entity} />
      {hasRollup(name) ? (
        <RollupOverview name={name} />
      ) : summary.status === 'error' ? (
        <section className="card">
          <h2>Security</h2>
          <ErrorState error={summary.error as Error} what="the security summary" onRetry={summary.reload} />
        </section>
      ) : summary.data ? (
        <SecuritySummaryCard summary={summary.data} name={name} />
      ) : (
        <section className="card">
          <h2>Security</h2>
          <Loading what="the security summary" />
        </section>
      )}
      {summary.data?.hasData && (
        <Suspense fallback={<Loading what="the trend" />}>
          <EntityTrendCard name={name} />
        </Suspense>
      )}
    </div>
  );
}
