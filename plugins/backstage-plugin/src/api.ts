import { createApiFactory, createApiRef, discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { createLanternApi, type LanternApi } from './lantern-api';

/** The Lantern reads of the frontend, through the backend plugin at `/api/lantern`. */
export const lanternApiRef = createApiRef<LanternApi>({ id: 'plugin.lantern.api' });

export const lanternApiFactory = createApiFactory({
  api: lanternApiRef,
  deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
  factory: ({ discoveryApi, fetchApi }) => createLanternApi({ discoveryApi, fetchApi }),
});
