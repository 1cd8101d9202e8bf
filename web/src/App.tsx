import { lazy, Suspense, useEffect } from 'react';
import { CatalogPage } from './catalog/CatalogPage.js';
import { EntityPage } from './entity/EntityPage.js';
import { matchRoute, type Route } from './routing/routes.js';
import { Link, useLocation } from './routing/router.js';
import { EmptyState, Loading } from './ui/states.js';

// Pages off the first screen load on first visit: the dashboard and a scorecard's page bring the chart library.
const DashboardPage = lazy(() => import('./dashboard/DashboardPage.js'));
const ScorecardsPage = lazy(() => import('./scorecards/ScorecardsPage.js'));
const ScorecardPage = lazy(() => import('./scorecards/ScorecardPage.js'));
const TargetsPage = lazy(() => import('./targets/TargetsPage.js'));
const TargetPage = lazy(() => import('./targets/TargetPage.js'));

const SECTIONS: Array<{ href: string; label: string; pages: Route['page'][] }> = [
  { href: '/catalog', label: 'Catalog', pages: ['catalog', 'entity'] },
  { href: '/dashboard', label: 'Security dashboard', pages: ['dashboard'] },
  { href: '/scorecards', label: 'Scorecards', pages: ['scorecards', 'scorecard'] },
  { href: '/targets', label: 'Targets & scans', pages: ['targets', 'target'] },
];

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'catalog':
      return <CatalogPage />;
    case 'entity':
      return <EntityPage key={`${route.entity.kind}:${route.entity.namespace}/${route.entity.name}`} name={route.entity} tab={route.tab} />;
    case 'dashboard':
      return <DashboardPage />;
    case 'scorecards':
      return <ScorecardsPage />;
    case 'scorecard':
      return <ScorecardPage key={route.scorecardId} scorecardId={route.scorecardId} />;
    case 'targets':
      return <TargetsPage />;
    case 'target':
      return <TargetPage key={route.targetId} targetId={route.targetId} />;
    case 'not-found':
      return (
        <div className="page">
          <EmptyState title="There is no page here.">
            <p>
              The address may be mistyped or out of date. Go to the <Link href="/catalog">catalog</Link>.
            </p>
          </EmptyState>
        </div>
      );
  }
}

export function App() {
  const location = useLocation();
  const route = matchRoute(location.pathname);

  useEffect(() => {
    if (route.page === 'catalog') document.title = 'Catalog · Lantern';
    if (route.page === 'not-found') document.title = 'Not found · Lantern';
  }, [route.page]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link href="/catalog" className="brand" aria-label="Lantern, the catalog">
          <svg viewBox="0 0 16 16" width="18" height="18" aria-hidden="true" focusable="false">
            <path d="M6 1h4v1.5h1.5V4h-7V2.5H6zM4.5 5h7l-.8 8H5.3zM5 14h6v1H5z" />
          </svg>
          <span className="brand-name">Lantern</span>
        </Link>
        <nav className="app-nav" aria-label="Sections">
          {SECTIONS.map((s) => {
            const current = s.pages.includes(route.page);
            return (
              <Link key={s.href} href={s.href} className={current ? 'is-current' : undefined} aria-current={current ? 'page' : undefined}>
                {s.label}
              </Link>
            );
          })}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading what="the page" />}>
          <Page route={route} />
        </Suspense>
      </main>
    </>
  );
}
