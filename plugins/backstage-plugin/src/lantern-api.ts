import { LanternClient, type EntitySummary, type FetchLike, type IssueDetail, type IssuePage, type IssueQuery, type LanternEntityName } from '@lantern-security/backstage-plugin-common';

/** What the frontend reads, through the backend plugin (`/api/lantern`), which holds Lantern's token. */
export interface LanternApi {
  summary(entity: LanternEntityName): Promise<EntitySummary>;
  issues(entity: LanternEntityName, query: IssueQuery): Promise<IssuePage>;
  issue(id: number, entity: LanternEntityName): Promise<IssueDetail>;
}

/** Backstage's discovery and fetch APIs, as far as this reads them. */
export interface LanternApiDeps {
  discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  fetchApi: { fetch: FetchLike };
  /** How long a summary is reused in the page, so that a card, a tab and a table column read it once. Default 10 s. */
  summaryReuseMs?: number;
  now?: () => number;
}

export function createLanternApi(deps: LanternApiDeps): LanternApi {
  let client: Promise<LanternClient> | undefined;
  const lantern = () =>
    (client ??= deps.discoveryApi.getBaseUrl('lantern').then((baseUrl) => new LanternClient({ baseUrl, fetch: (url, init) => deps.fetchApi.fetch(url, init) })));
  const now = deps.now ?? Date.now;
  const reuseMs = deps.summaryReuseMs ?? 10_000;
  const summaries = new Map<string, { at: number; summary: Promise<EntitySummary> }>();
  return {
    summary(entity) {
      const key = `${entity.kind}:${entity.namespace}/${entity.name}`.toLowerCase();
      const kept = summaries.get(key);
      if (kept && now() - kept.at < reuseMs) return kept.summary;
      const summary = lantern().then((c) => c.summary(entity));
      summaries.set(key, { at: now(), summary });
      summary.catch(() => summaries.delete(key));
      return summary;
    },
    issues: async (entity, query) => (await lantern()).issues(entity, query),
    issue: async (id, entity) => (await lantern()).issue(id, entity),
  };
}
