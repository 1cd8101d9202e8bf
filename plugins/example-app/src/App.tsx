// packages/app/src/App.tsx of a Backstage app on the new frontend system: the lines Lantern adds
// are the import and the two features marked below. Type-checked by `npm run typecheck` in plugins/.
import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import lanternPlugin, { lanternCatalogColumnModule } from '@lantern-security/backstage-plugin/alpha';

const app = createApp({
  features: [
    catalogPlugin,
    // Lantern: the Security card and the Security tab on the entity pages of entities Lantern can link.
    lanternPlugin,
    // Lantern, optional: the Security column on the catalog index page.
    lanternCatalogColumnModule,
  ],
});

export default app.createRoot();
