import { compatWrapper } from '@backstage/core-compat-api';
import { ApiBlueprint, createFrontendPlugin } from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint, EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isLanternAvailable } from '@lantern-security/backstage-plugin-common';
import { lanternApiFactory } from './api';

/** The Lantern API, through the backend plugin. */
export const lanternApi = ApiBlueprint.make({
  params: (defineParams) => defineParams(lanternApiFactory),
});

/** `entity-card:lantern/summary`: the security summary, on entities Lantern can link. */
export const lanternSummaryCard = EntityCardBlueprint.make({
  name: 'summary',
  params: {
    filter: isLanternAvailable,
    loader: () => import('./components/LanternSecurityCard').then((m) => compatWrapper(<m.LanternSecurityCard />)),
  },
});

/** `entity-content:lantern/security`: the Security tab at `/security`. */
export const lanternSecurityContent = EntityContentBlueprint.make({
  name: 'security',
  params: {
    path: '/security',
    title: 'Security',
    filter: isLanternAvailable,
    loader: () => import('./components/LanternSecurityContent').then((m) => compatWrapper(<m.LanternSecurityContent />)),
  },
});

export { catalogPageWithLanternColumn, lanternCatalogColumnModule, lanternCatalogColumns } from './catalog-page';

/** The Lantern plugin for Backstage's new frontend system. */
export default createFrontendPlugin({
  pluginId: 'lantern',
  title: 'Lantern',
  extensions: [lanternApi, lanternSummaryCard, lanternSecurityContent],
});
