/**
 * The app's pages and their URL paths. Everything a page shows is in its URL (path and query), so
 * a view can be shared and the Back button goes back to it.
 */

export interface EntityName {
  kind: string;
  namespace: string;
  name: string;
}

/** The entity page's tabs besides the overview, each at its own last path segment. */
const TAB_SEGMENTS = ['vulnerabilities', 'scorecards'] as const;
export type EntityTab = 'overview' | (typeof TAB_SEGMENTS)[number];

export type Route =
  | { page: 'catalog' }
  | { page: 'entity'; entity: EntityName; tab: EntityTab }
  | { page: 'dashboard' }
  | { page: 'issues' }
  | { page: 'scorecards' }
  | { page: 'scorecard'; scorecardId: string }
  | { page: 'targets' }
  | { page: 'target'; targetId: number }
  | { page: 'audit' }
  | { page: 'exemptions' }
  | { page: 'not-found' };

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export function matchRoute(pathname: string): Route {
  const parts = pathname.split('/').filter((p) => p !== '');
  const segments = parts.map(decode);
  if (segments.some((s) => s === undefined)) return { page: 'not-found' };
  const [first, ...rest] = segments as string[];
  if (first === undefined) return { page: 'catalog' };
  if (first === 'catalog') {
    if (rest.length === 0) return { page: 'catalog' };
    const [kind, namespace, name, tab, ...extra] = rest;
    if (kind === undefined || namespace === undefined || name === undefined || extra.length > 0) return { page: 'not-found' };
    if (tab === undefined) return { page: 'entity', entity: { kind, namespace, name }, tab: 'overview' };
    const named = TAB_SEGMENTS.find((t) => t === tab);
    if (named) return { page: 'entity', entity: { kind, namespace, name }, tab: named };
    return { page: 'not-found' };
  }
  if (first === 'dashboard' && rest.length === 0) return { page: 'dashboard' };
  if (first === 'issues' && rest.length === 0) return { page: 'issues' };
  if (first === 'audit' && rest.length === 0) return { page: 'audit' };
  if (first === 'exemptions' && rest.length === 0) return { page: 'exemptions' };
  if (first === 'scorecards') {
    if (rest.length === 0) return { page: 'scorecards' };
    const [id] = rest;
    if (rest.length === 1 && id !== undefined) return { page: 'scorecard', scorecardId: id };
  }
  if (first === 'targets') {
    if (rest.length === 0) return { page: 'targets' };
    const id = rest[0];
    if (rest.length === 1 && id !== undefined && /^[1-9]\d*$/.test(id)) return { page: 'target', targetId: Number(id) };
  }
  return { page: 'not-found' };
}

/** `/catalog/component/default/payments`, the tab appended when not the overview. */
export function entityHref(entity: EntityName, tab: EntityTab = 'overview', search = ''): string {
  const base = `/catalog/${[entity.kind, entity.namespace, entity.name].map(encodeURIComponent).join('/')}`;
  return `${tab === 'overview' ? base : `${base}/${tab}`}${search}`;
}

/** `/scorecards/production-readiness`, with the view's query. */
export function scorecardHref(id: string, search = ''): string {
  return `/scorecards/${encodeURIComponent(id)}${search}`;
}

/**
 * Reads `kind:namespace/name`, `kind:name` or `namespace/name` (with the default kind given),
 * as Backstage writes entity refs. Undefined when the text is not a ref.
 */
export function parseEntityRef(ref: string, defaults: { kind?: string; namespace?: string } = {}): EntityName | undefined {
  const match = /^(?:([^:/]+):)?(?:([^:/]+)\/)?([^:/]+)$/.exec(ref.trim());
  if (!match) return undefined;
  const kind = match[1] ?? defaults.kind;
  if (kind === undefined || match[3] === undefined) return undefined;
  return { kind: kind.toLowerCase(), namespace: match[2] ?? defaults.namespace ?? 'default', name: match[3] };
}

/** How Backstage shows a ref: without the default namespace, and without the kind it is known to have. */
export function humanizeEntityRef(ref: string, defaultKind?: string): string {
  const entity = parseEntityRef(ref);
  if (!entity) return ref;
  const kind = defaultKind !== undefined && entity.kind === defaultKind.toLowerCase() ? '' : `${entity.kind}:`;
  const namespace = entity.namespace === 'default' ? '' : `${entity.namespace}/`;
  return `${kind}${namespace}${entity.name}`;
}
