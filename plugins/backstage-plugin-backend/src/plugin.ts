import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { LanternClient, readLanternConfig } from '@lantern-security/backstage-plugin-common';
import { createLanternReads } from './lantern-reads';
import { catalogReadCheck, createRouter } from './router';

/**
 * The Lantern backend plugin, served at `/api/lantern`: the frontend plugin's reads, answered from
 * Lantern with the token in `lantern.token` once the caller may read the entity.
 */
export const lanternPlugin = createBackendPlugin({
  pluginId: 'lantern',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
      },
      async init({ config, logger, httpRouter, httpAuth, permissions }) {
        const settings = readLanternConfig(config);
        const lantern = new LanternClient({ baseUrl: settings.insightsUrl, token: settings.token, fetch, timeoutMs: settings.timeoutMs });
        const reads = createLanternReads({ lantern, canRead: catalogReadCheck(permissions), summaryTtlMs: settings.summaryTtlMs });
        httpRouter.use(createRouter({ httpAuth, reads }));
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        logger.info(`Reading security results from Lantern at ${settings.baseUrl}`);
      },
    });
  },
});
