import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { useViewer, ViewerProvider } from './access/session.js';
import { SignInPage } from './access/SignInPage.js';
import { UserMenu } from './access/UserMenu.js';
import { onSignedOut } from './api/client.js';
import type { Me } from './api/types.js';
import { useResource } from './api/use-resource.js';
import { CatalogPage } from './catalog/CatalogPage.js';
import { EntityPage } from './entity/EntityPage.js';
import { matchRoute, type Route } from './routing/routes.js';
import { Link, useLocation } from './routing/router.js';
import { ErrorState, Loading, NotFound } from './ui/states.js';

// Pages off the first screen load on first visit: the dashboard and a scorecard's page bring the chart library.
const DashboardPage = lazy(() => import('./dashboard/DashboardPage.js'));
const ScorecardsPage = lazy(() => import('./scorecards/ScorecardsPage.js'));
const ScorecardPage = lazy(() => import('./scorecards/ScorecardPage.js'));
const TargetsPage = lazy(() => import('./targets/TargetsPage.js'));
const TargetPage = lazy(() => import('./targets/TargetPage.js'));
const AuditPage = lazy(() => import('./audit/AuditPage.js'));
const IssueSearchPage = lazy(() => import('./search/IssueSearchPage.js'));
const ExemptionsPage = lazy(() => import('./exemptions/ExemptionsPage.js'));

/** `short` is the label on a phone, where the sections share 390 px with the brand and the user menu. */
const SECTIONS: Array<{ href: string; label: string; short?: string; pages: Route['page'][] }> = [
  { href: '/catalog', label: 'Catalog', pages: ['catalog', 'entity'] },
  { href: '/dashboard', label: 'Security dashboard', short: 'Dashboard', pages: ['dashboard', 'issues'] },
  { href: '/scorecards', label: 'Scorecards', pages: ['scorecards', 'scorecard'] },
  { href: '/targets', label: 'Targets & scans', short: 'Targets', pages: ['targets', 'target'] },
  { href: '/exemptions', label: 'Exemptions', pages: ['exemptions'] },
];
/** Only for principals who may read the audit log somewhere (the API answers 403 to anyone else). */
const AUDIT_SECTION: (typeof SECTIONS)[number] = { href: '/audit', label: 'Audit', pages: ['audit'] };

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
    case 'audit':
      return <AuditPage />;
    case 'issues':
      return <IssueSearchPage />;
    case 'exemptions':
      return <ExemptionsPage />;
    case 'not-found':
      return (
        <div className="page">
          <NotFound />
        </div>
      );
  }
}

/**
 * Who is calling decides what shows: the sign-in page when nobody (and no anonymous role) is, or
 * when the server says so later (a 401), and otherwise the app with what this principal may do.
 */
export function App() {
  const me = useResource<Me>('/api/auth/me');
  const [signedOut, setSignedOut] = useState(false);
  useEffect(() => onSignedOut(() => setSignedOut(true)), []);

  if (me.status === 'error') {
    return (
      <main id="main" className="page">
        <ErrorState error={me.error as Error} what="who you are" onRetry={me.reload} />
      </main>
    );
  }
  if (!me.data) return <Loading what="Lantern" />;
  if (me.data.principal === null || signedOut) {
    return (
      <>
        <Header />
        <main id="main" tabIndex={-1}>
          <SignInPage signIn={me.data.signIn} />
        </main>
      </>
    );
  }
  return (
    <ViewerProvider principal={me.data.principal}>
      <Shell />
    </ViewerProvider>
  );
}

function Shell() {
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
      <Header route={route} />
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading what="the page" />}>
          <Page route={route} />
        </Suspense>
      </main>
    </>
  );
}

/** The brand, the sections this principal may open, and who is signed in; the brand alone on the sign-in page. */
function Header({ route }: { route?: Route }) {
  const viewer = useViewer();
  const sections = viewer.canSomewhere('read-audit') ? [...SECTIONS, AUDIT_SECTION] : SECTIONS;
  const nav = useRef<HTMLElement>(null);
  // When the sections do not all fit (a phone), the current one is scrolled into the visible part of the bar.
  useEffect(() => {
    const bar = nav.current;
    const current = bar?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!bar || !current) return;
    const left = current.offsetLeft - bar.offsetLeft;
    if (left < bar.scrollLeft || left + current.offsetWidth > bar.scrollLeft + bar.clientWidth) bar.scrollLeft = left - (bar.clientWidth - current.offsetWidth) / 2;
  }, [route?.page]);
  return (
    <header className="app-header">
      <Link href="/catalog" className="brand" aria-label="Lantern, the catalog">
        <svg viewBox="0 0 16 16" width="18" height="18" aria-hidden="true" focusable="false">
          <path d="M6 1h4v1.5h1.5V4h-7V2.5H6zM4.5 5h7l-.8 8H5.3zM5 14h6v1H5z" />
        </svg>
        <span className="brand-name">Lantern</span>
      </Link>
      {route && (
        <nav className="app-nav" aria-label="Sections" ref={nav}>
          {sections.map((s) => {
            const current = s.pages.includes(route.page);
            return (
              <Link key={s.href} href={s.href} className={current ? 'is-current' : undefined} aria-current={current ? 'page' : undefined}>
                {s.short ? (
                  <>
                    <span className="nav-long">{s.label}</span>
                    <span className="nav-short" aria-hidden="true">
                      {s.short}
                    </span>
                  </>
                ) : (
                  s.label
                )}
              </Link>
            );
          })}
        </nav>
      )}
      {viewer.principal && <UserMenu principal={viewer.principal} />}
    </header>
  );
}
