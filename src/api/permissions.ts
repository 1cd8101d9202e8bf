import type { Action } from '../access/roles.js';

/**
 * Who may call each API route: one table, so a reviewer reads every route's rule in one place.
 * A route that is not listed here fails the server at start-up (api/auth.ts), and a test walks the
 * registered routes against it.
 *
 * - `action` is what the caller must be allowed; `public` routes need no principal.
 * - `where` is the scope the grant must cover: `account` for account-wide changes; `object` when
 *   the route acts on one object (a target, scan, issue, entity, exemption, location, token), whose
 *   scope is checked when it is read (objects outside the caller's scopes answer 404, never 403);
 *   `filtered` for lists, which only hold what the caller may read.
 */
export interface RoutePermission {
  action: Action | 'public';
  where: 'account' | 'object' | 'filtered' | 'none';
}

const PUBLIC: RoutePermission = { action: 'public', where: 'none' };
const READ_LIST: RoutePermission = { action: 'read', where: 'filtered' };
const READ_ONE: RoutePermission = { action: 'read', where: 'object' };

export const ROUTE_PERMISSIONS: Readonly<Record<string, RoutePermission>> = {
  'GET /api/health': PUBLIC,
  'GET /api/health/live': PUBLIC,
  'GET /api/health/ready': PUBLIC,
  // A Prometheus scraper holds a viewer token at account scope.
  'GET /api/metrics': { action: 'read', where: 'account' },
  'GET /api/openapi.json': PUBLIC,

  // Identity: who am I, signing in and out, tokens, the audit log.
  'GET /api/auth/me': PUBLIC,
  'GET /api/auth/login': PUBLIC,
  'GET /api/auth/callback': PUBLIC,
  'POST /api/auth/logout': PUBLIC,
  'GET /api/tokens': { action: 'manage-access', where: 'filtered' },
  'POST /api/tokens': { action: 'manage-access', where: 'object' },
  'DELETE /api/tokens/:id': { action: 'manage-access', where: 'object' },
  'GET /api/audit': { action: 'read-audit', where: 'filtered' },

  // Security testing: uploads, targets, scans.
  'POST /api/scans': { action: 'ingest', where: 'object' },
  'GET /api/targets': READ_LIST,
  'GET /api/targets/:id': READ_ONE,
  'PUT /api/targets/:id/baseline': { action: 'set-baseline', where: 'object' },
  'GET /api/targets/:id/scans': READ_ONE,
  'GET /api/scans/:id': READ_ONE,
  'GET /api/scans/:id/issues': READ_ONE,

  // The catalog (Backstage's API).
  'GET /api/catalog/entities': READ_LIST,
  'GET /api/catalog/entities/by-query': READ_LIST,
  'POST /api/catalog/entities/by-refs': READ_LIST,
  'GET /api/catalog/entities/by-name/:kind/:namespace/:name': READ_ONE,
  'GET /api/catalog/entities/by-name/:kind/:namespace/:name/target-links': READ_ONE,
  'GET /api/catalog/entities/by-uid/:uid': READ_ONE,
  'GET /api/catalog/entity-facets': READ_LIST,
  'GET /api/catalog/locations': READ_LIST,
  'GET /api/catalog/locations/:id': READ_ONE,
  'GET /api/catalog/locations/by-entity/:kind/:namespace/:name': READ_ONE,
  'POST /api/catalog/locations': { action: 'manage-catalog', where: 'object' },
  'DELETE /api/catalog/locations/:id': { action: 'manage-catalog', where: 'object' },
  'POST /api/catalog/refresh': { action: 'manage-catalog', where: 'object' },

  // Insights.
  'GET /api/insights/entities/:kind/:namespace/:name/summary': READ_ONE,
  'GET /api/insights/entities/:kind/:namespace/:name/sla': READ_ONE,
  // A CI job holds a viewer token at the target's project: the gate only reads.
  'POST /api/gate': READ_ONE,
  'GET /api/insights/entities/:kind/:namespace/:name/issues': READ_ONE,
  // The members the caller may read, of an entity the caller may read.
  'GET /api/insights/entities/:kind/:namespace/:name/rollup': READ_ONE,
  'GET /api/insights/issues': READ_LIST,
  'GET /api/insights/entities/:kind/:namespace/:name/scorecards': READ_ONE,
  'GET /api/insights/issues/:id': READ_ONE,
  'GET /api/insights/overview': READ_LIST,
  'GET /api/insights/trend': READ_LIST,
  'GET /api/insights/sla-compliance': READ_LIST,

  // Exemptions.
  'GET /api/exemptions': READ_LIST,
  'GET /api/exemptions/:id': READ_ONE,
  'POST /api/exemptions': { action: 'request-exemption', where: 'object' },
  'POST /api/exemptions/preview': { action: 'request-exemption', where: 'object' },
  // Only the requester cancels; anyone who may request at its scope may re-open a closed one.
  'POST /api/exemptions/:id/cancel': { action: 'request-exemption', where: 'object' },
  'POST /api/exemptions/:id/reopen': { action: 'request-exemption', where: 'object' },
  'POST /api/exemptions/:id/approve': { action: 'decide-exemption', where: 'object' },
  'POST /api/exemptions/:id/reject': { action: 'decide-exemption', where: 'object' },
  'POST /api/exemptions/:id/revoke': { action: 'decide-exemption', where: 'object' },
  'DELETE /api/exemptions/:id': { action: 'decide-exemption', where: 'object' },

  // Notifications: the delivery log holds every scope's events, as the audit log does.
  'GET /api/notifications/deliveries': { action: 'read-audit', where: 'account' },

  // Scorecards: definitions are account-wide; results list only readable entities.
  'GET /api/scorecards': READ_LIST,
  'GET /api/scorecards/data-points': READ_LIST,
  'GET /api/scorecards/checks': READ_LIST,
  'GET /api/scorecards/:id': READ_LIST,
  'POST /api/scorecards': { action: 'manage-scorecards', where: 'account' },
  'DELETE /api/scorecards/:id': { action: 'manage-scorecards', where: 'account' },
  'GET /api/scorecards/:id/results': READ_LIST,
  'GET /api/scorecards/:id/trend': READ_LIST,

  // Exploitation feeds: account-wide, what any reader may know.
  'GET /api/feeds': READ_LIST,
};

/** The table's entry for a registered route (HEAD answers as its GET). */
export function permissionOf(method: string, url: string): RoutePermission | undefined {
  return ROUTE_PERMISSIONS[`${method === 'HEAD' ? 'GET' : method} ${url}`];
}
