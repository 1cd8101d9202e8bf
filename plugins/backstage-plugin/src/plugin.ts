import { createComponentExtension, createPlugin } from '@backstage/core-plugin-api';
import { lanternApiFactory } from './api';

/** The Lantern plugin for Backstage's legacy frontend system (for the new one, see `./alpha`). */
export const lanternPlugin = createPlugin({
  id: 'lantern',
  apis: [lanternApiFactory],
});

/** The security summary card, for an entity page's overview. */
export const EntityLanternSecurityCard = lanternPlugin.provide(
  createComponentExtension({
    name: 'EntityLanternSecurityCard',
    component: { lazy: () => import('./components/LanternSecurityCard').then((m) => m.LanternSecurityCard) },
  }),
);

/** The Security tab's content: the summary and the issue table. */
export const EntityLanternSecurityContent = lanternPlugin.provide(
  createComponentExtension({
    name: 'EntityLanternSecurityContent',
    component: { lazy: () => import('./components/LanternSecurityContent').then((m) => m.LanternSecurityContent) },
  }),
);
