import {
  entityRefOf,
  forwardedIssueParams,
  LanternRequestError,
  parseEntityName,
  type EntitySummary,
  type LanternClient,
  type LanternEntityName,
} from '@lantern-security/backstage-plugin-common';
import { SummaryCache } from './summary-cache';

/**
 * What the backend plugin does with a read, apart from Express and Backstage: it checks that the
 * caller may read the entity, then reads from Lantern with the plugin's own token, keeping
 * summaries briefly. The router (router.ts) only adapts requests and answers.
 */

/** Whether the caller may read the entity `kind:namespace/name` in Backstage's catalog. */
export type EntityReadCheck<Credentials> = (entityRef: string, credentials: Credentials) => Promise<boolean>;

export interface LanternReadsOptions<Credentials> {
  /** A client of Lantern's `/api/insights` with the plugin's token. */
  lantern: Pick<LanternClient, 'summary' | 'issues' | 'issue'>;
  canRead: EntityReadCheck<Credentials>;
  /** How long a summary is kept; 0 keeps none. Default 30 s. */
  summaryTtlMs?: number;
  /** Default 5000 summaries. */
  maxSummaries?: number;
  now?: () => number;
}

export interface ReadRequest {
  /** The path below the plugin's base URL, e.g. `/entities/component/default/payments/summary`. */
  path: string;
  query: Record<string, unknown>;
}

export interface ReadAnswer {
  status: number;
  body: unknown;
  /** For a summary: whether it came from the cache. */
  cached?: boolean;
}

const ENTITY_ROUTE = /^\/entities\/([^/]+)\/([^/]+)\/([^/]+)\/(summary|issues)$/;
const ISSUE_ROUTE = /^\/issues\/([^/]+)$/;

function failure(status: number, name: string, message: string): ReadAnswer {
  return { status, body: { error: { name, message }, response: { statusCode: status } } };
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** An entity name from `kind:namespace/name` (namespace optional), or a sentence saying what is wrong. */
function parseEntityRef(ref: unknown): LanternEntityName | string {
  if (typeof ref !== 'string') return 'The query parameter entity is required: the entity whose issue this is, as kind:namespace/name.';
  const match = /^([^:/]+):(?:([^:/]+)\/)?([^:/]+)$/.exec(ref);
  if (!match) return `Invalid entity ${JSON.stringify(ref)}: expected kind:namespace/name, such as component:default/payments.`;
  return parseEntityName(match[1]!, match[2] ?? 'default', match[3]!);
}

export function createLanternReads<Credentials>(options: LanternReadsOptions<Credentials>) {
  const cache = new SummaryCache<EntitySummary>({
    ttlMs: options.summaryTtlMs ?? 30_000,
    maxEntries: options.maxSummaries ?? 5000,
    ...(options.now ? { now: options.now } : {}),
  });

  const summaryOf = (entity: LanternEntityName) => cache.get(entityRefOf(entity).toLowerCase(), () => options.lantern.summary(entity));

  /** Lantern's refusal of the plugin's own token is the portal's configuration, not the user's fault. */
  function upstreamFailure(error: unknown): ReadAnswer {
    if (!(error instanceof LanternRequestError)) throw error;
    if (error.status === 401 || error.status === 403) {
      return failure(502, 'LanternAccessError', `Lantern refused the token in lantern.token (HTTP ${error.status}): ${error.message}`);
    }
    if (error.status === 404) return failure(404, 'NotFoundError', error.message);
    if (error.status >= 400 && error.status < 500) return failure(400, 'InputError', error.message);
    return failure(error.status === 503 ? 503 : 502, 'LanternUnavailableError', error.message);
  }

  async function authorised(entity: LanternEntityName, credentials: Credentials): Promise<ReadAnswer | undefined> {
    const ref = entityRefOf(entity);
    if (await options.canRead(ref, credentials)) return undefined;
    return failure(403, 'NotAllowedError', `You may not read the entity ${ref} in the catalog, so its security results are not shown.`);
  }

  return {
    /** Answers one read for the caller with these credentials. */
    async read(request: ReadRequest, credentials: Credentials): Promise<ReadAnswer> {
      const entityRoute = ENTITY_ROUTE.exec(request.path);
      if (entityRoute) {
        const [kind, namespace, name] = entityRoute.slice(1, 4).map(decode);
        if (kind === undefined || namespace === undefined || name === undefined) return failure(400, 'InputError', `Invalid path ${request.path}: not a valid URL encoding.`);
        const entity = parseEntityName(kind, namespace, name);
        if (typeof entity === 'string') return failure(400, 'InputError', entity);
        const refused = await authorised(entity, credentials);
        if (refused) return refused;
        try {
          if (entityRoute[4] === 'summary') {
            const { value, hit } = await summaryOf(entity);
            return { status: 200, body: value, cached: hit };
          }
          return { status: 200, body: await options.lantern.issues(entity, forwardedIssueParams(request.query)) };
        } catch (error) {
          return upstreamFailure(error);
        }
      }
      const issueRoute = ISSUE_ROUTE.exec(request.path);
      if (issueRoute) {
        const id = Number(decode(issueRoute[1]!));
        if (!Number.isSafeInteger(id) || id < 1) return failure(400, 'InputError', `Invalid issue id ${JSON.stringify(issueRoute[1])}: expected a whole number from 1.`);
        const entity = parseEntityRef(request.query.entity);
        if (typeof entity === 'string') return failure(400, 'InputError', entity);
        const refused = await authorised(entity, credentials);
        if (refused) return refused;
        try {
          // Reading the entity is the right checked above: the issue must be one of its targets'.
          const [issue, { value: summary }] = await Promise.all([options.lantern.issue(id, entity), summaryOf(entity)]);
          if (!summary.targets.some((t) => t.targetId === issue.targetId)) {
            return failure(404, 'NotFoundError', `Issue ${id} is not one of the issues of ${entityRefOf(entity)}.`);
          }
          return { status: 200, body: issue };
        } catch (error) {
          return upstreamFailure(error);
        }
      }
      return failure(404, 'NotFoundError', `No Lantern read at ${request.path}: expected /entities/KIND/NAMESPACE/NAME/summary, …/issues or /issues/ID?entity=REF.`);
    },
    /** Summaries kept now. */
    get cachedSummaries(): number {
      return cache.size;
    },
  };
}

export type LanternReads<Credentials> = ReturnType<typeof createLanternReads<Credentials>>;
