import { createBackendModule } from '@backstage/backend-plugin-api';
import { techInsightsFactRetrieversExtensionPoint } from '@backstage-community/plugin-tech-insights-node';
import { LANTERN_FACT_RETRIEVER_ID, lanternFactRetriever } from './retriever';

/** Adds Lantern's fact retriever to the Tech Insights backend. */
export const techInsightsModuleLanternFactRetriever = createBackendModule({
  pluginId: 'tech-insights',
  moduleId: 'lantern-fact-retriever',
  register(reg) {
    reg.registerInit({
      deps: { providers: techInsightsFactRetrieversExtensionPoint },
      async init({ providers }) {
        providers.addFactRetrievers({ [LANTERN_FACT_RETRIEVER_ID]: lanternFactRetriever });
      },
    });
  },
});
