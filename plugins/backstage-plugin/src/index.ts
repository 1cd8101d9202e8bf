export { lanternPlugin, EntityLanternSecurityCard, EntityLanternSecurityContent } from './plugin';
export { lanternApiRef } from './api';
export { createLanternApi, type LanternApi } from './lantern-api';
export { createLanternSecurityColumn } from './components/LanternSecurityColumn';
export { isLanternAvailable } from '@lantern-security/backstage-plugin-common';
