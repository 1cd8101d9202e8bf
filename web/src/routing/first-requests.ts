import { overviewPath, parseCatalogQuery } from '../catalog/catalog-query.js';
import { entityEnvelopePath, entityScorecardsPath, summaryPath } from '../entity/entity-paths.js';
import { issuesPath, parseIssueQuery } from '../entity/issue-query.js';
import { matchRoute } from './routes.js';

/** The API requests the page at this URL makes first, so that they can start before it renders. */
export function firstRequests(pathname: string, search: string): string[] {
  const route = matchRoute(pathname);
  switch (route.page) {
    case 'catalog':
      return [overviewPath(parseCatalogQuery(search))];
    case 'entity': {
      const paths = [entityEnvelopePath(route.entity), summaryPath(route.entity)];
      if (route.tab === 'vulnerabilities') paths.push(issuesPath(route.entity, { ...parseIssueQuery(search), issue: null }));
      if (route.tab === 'scorecards') paths.push(entityScorecardsPath(route.entity));
      return paths;
    }
    default:
      return [];
  }
}
