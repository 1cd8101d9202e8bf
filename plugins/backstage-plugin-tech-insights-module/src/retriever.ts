import type { FactRetriever, FactRetrieverContext } from '@backstage-community/plugin-tech-insights-node';
import { CatalogClient } from '@backstage/catalog-client';
import { LanternClient, readLanternConfig } from '@lantern-security/backstage-plugin-common';
import { FACTS } from './facts';
import { retrieveLanternFacts } from './retrieve';

/** The retriever's id: Tech Insights stores its facts, and reads its schedule from config, under it. */
export const LANTERN_FACT_RETRIEVER_ID = 'lanternFactRetriever';

/**
 * Publishes Lantern's `sto.*` data points of each Component, API and Resource as facts, read from
 * Lantern with the token in `lantern.token`.
 */
export const lanternFactRetriever: FactRetriever = {
  id: LANTERN_FACT_RETRIEVER_ID,
  version: '0.1.0',
  title: 'Lantern security results',
  description: "Lantern's security data points (sto.critical, sto.days_since_last_scan, …) of each entity; counts are absent, not 0, for an entity without security data.",
  entityFilter: [{ kind: ['component', 'api', 'resource'] }],
  schema: FACTS,
  async handler(ctx: FactRetrieverContext) {
    const settings = readLanternConfig(ctx.config);
    const { token } = await ctx.auth.getPluginRequestToken({ onBehalfOf: await ctx.auth.getOwnServiceCredentials(), targetPluginId: 'catalog' });
    const catalog = new CatalogClient({ discoveryApi: ctx.discovery });
    const { items } = await catalog.getEntities(
      { ...(ctx.entityFilter ? { filter: ctx.entityFilter } : {}), fields: ['kind', 'metadata.name', 'metadata.namespace'] },
      { token },
    );
    const lantern = new LanternClient({ baseUrl: settings.insightsUrl, token: settings.token, fetch, timeoutMs: settings.timeoutMs });
    const facts = await retrieveLanternFacts({ entities: items, lantern, now: Date.now() });
    ctx.logger.info(`Read Lantern's security facts of ${facts.length} entities`);
    return facts;
  },
};
