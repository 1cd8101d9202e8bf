import { type ReactNode, useEffect } from 'react';
import type { Entity, EntitySummary } from '../api/types.js';
import { useResource } from '../api/use-resource.js';
import { type EntityName, type EntityTab, entityHref } from '../routing/routes.js';
import { Link } from '../routing/router.js';
import { RefLink } from '../ui/RefLink.js';
import { ErrorState, Loading } from '../ui/states.js';
import { entityScope, partOfRef, relationRef, sourceRepositoryUrl, specText } from './entity-facts.js';
import { entityEnvelopePath, summaryPath } from './entity-paths.js';
import { OverviewTab } from './OverviewTab.js';
import { ExpiringExemptions } from '../exemptions/ExpiringExemptions.js';
import { ScorecardsTab } from './ScorecardsTab.js';
import { VulnerabilitiesTab } from './VulnerabilitiesTab.js';

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function EntityHeader({ entity, name }: { entity: Entity; name: EntityName }) {
  const repository = sourceRepositoryUrl(entity);
  const title = entity.metadata?.title || entity.metadata?.name || name.name;
  return (
    <header className="entity-header">
      <p className="breadcrumb">
        <Link href="/catalog">Catalog</Link> <span aria-hidden="true">›</span> {entity.kind ?? name.kind}
      </p>
      <h1>
        {title}
        <span className="kind-badge">{entity.kind ?? name.kind}</span>
      </h1>
      <dl className="facts">
        <Fact label="Kind">{entity.kind ?? name.kind}</Fact>
        <Fact label="Type">{specText(entity, 'type') ?? <span className="muted">—</span>}</Fact>
        <Fact label="Owner">
          <RefLink refText={relationRef(entity, 'ownedBy', 'owner')} kind="group" />
        </Fact>
        <Fact label="Lifecycle">{specText(entity, 'lifecycle') ?? <span className="muted">—</span>}</Fact>
        {(entity.kind ?? name.kind).toLowerCase() === 'system' ? (
          <Fact label="Domain">
            <RefLink refText={partOfRef(entity, 'domain')} kind="domain" />
          </Fact>
        ) : (
          <Fact label="System">
            <RefLink refText={partOfRef(entity, 'system')} kind="system" />
          </Fact>
        )}
        <Fact label="Scope">{entityScope(entity) ?? <span className="muted">—</span>}</Fact>
        <Fact label="Source">
          {repository ? (
            <a href={repository} target="_blank" rel="noopener noreferrer" data-testid="source-repository">
              {repository.replace(/^https?:\/\//, '')}
            </a>
          ) : (
            <span className="muted">No repository URL</span>
          )}
        </Fact>
      </dl>
    </header>
  );
}

function Tabs({ name, tab, total }: { name: EntityName; tab: EntityTab; total: number | null }) {
  const tabs: Array<[EntityTab, string]> = [
    ['overview', 'Overview'],
    ['vulnerabilities', 'Vulnerabilities'],
    ['scorecards', 'Scorecards'],
  ];
  return (
    <nav className="tabs" aria-label="Entity sections">
      {tabs.map(([key, label]) => (
        <Link key={key} href={entityHref(name, key)} className={`tab${key === tab ? ' is-current' : ''}`} aria-current={key === tab ? 'page' : undefined}>
          {label}
          {key === 'vulnerabilities' && total !== null && <span className="tab-count">{total}</span>}
        </Link>
      ))}
    </nav>
  );
}

export function EntityPage({ name, tab }: { name: EntityName; tab: EntityTab }) {
  const entity = useResource<Entity>(entityEnvelopePath(name));
  const summary = useResource<EntitySummary>(summaryPath(name));

  useEffect(() => {
    if (entity.data) document.title = `${entity.data.metadata?.title || entity.data.metadata?.name || name.name} · Lantern`;
  }, [entity.data, name.name]);

  if (entity.status === 'error') {
    return (
      <div className="page">
        <p className="breadcrumb">
          <Link href="/catalog">Catalog</Link>
        </p>
        <ErrorState error={entity.error as Error} what={`${name.kind}:${name.namespace}/${name.name}`} onRetry={entity.reload} />
      </div>
    );
  }
  const total = summary.data?.hasData ? summary.data.counts.total : null;
  // The tabs do not wait for the entity's header: the issue list asks for its own data at once.
  return (
    <div className="page entity-page">
      {entity.data ? (
        <EntityHeader entity={entity.data} name={name} />
      ) : (
        <header className="entity-header">
          <p className="breadcrumb">
            <Link href="/catalog">Catalog</Link> <span aria-hidden="true">›</span> {name.kind}
          </p>
          <h1>{name.name}</h1>
          <Loading what="the entity" />
        </header>
      )}
      <ExpiringExemptions name={name} summary={summary.data} />
      <Tabs name={name} tab={tab} total={total} />
      {tab === 'vulnerabilities' ? (
        <VulnerabilitiesTab name={name} summary={summary} />
      ) : tab === 'scorecards' ? (
        <ScorecardsTab name={name} />
      ) : entity.data ? (
        <OverviewTab entity={entity.data} name={name} summary={summary} />
      ) : null}
    </div>
  );
}
