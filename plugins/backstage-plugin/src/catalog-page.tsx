import { coreExtensionData, createFrontendModule } from '@backstage/frontend-plugin-api';
import { CatalogTable, type CatalogTableColumnsFunc } from '@backstage/plugin-catalog';
import catalogPlugin, { CatalogIndexPage } from '@backstage/plugin-catalog/alpha';
import { createLanternSecurityColumn } from './components/LanternSecurityColumn';

/** The catalog table's own columns for the kind shown, then Lantern's Security column. */
export const lanternCatalogColumns: CatalogTableColumnsFunc = (context) => [...CatalogTable.defaultColumnsFunc(context), createLanternSecurityColumn()];

/**
 * `page:catalog` of Backstage's catalog plugin, with the Security column added to its table.
 *
 * The new frontend system's catalog page (@backstage/plugin-catalog 2.0) takes no columns from
 * other plugins: no extension input and no config option for them. So this overrides the page's
 * loader with the component the page itself renders (`CatalogIndexPage` of the catalog's alpha
 * API), given the columns, and everything else the page gets: the filters attached to it, its
 * `pagination` and `exportSettings` config. Its path, route and title stay the catalog's own.
 * Exporters and export columns that `catalog-export-config` extensions attach are not passed on.
 */
export const catalogPageWithLanternColumn = catalogPlugin.getExtension('page:catalog').override({
  factory: (originalFactory, { inputs, config }) =>
    originalFactory({
      params: {
        loader: async () => (
          <CatalogIndexPage
            columns={lanternCatalogColumns}
            filters={<>{inputs.filters.map((filter) => filter.get(coreExtensionData.reactElement))}</>}
            pagination={config.pagination}
            exportSettings={config.exportSettings?.enabled ? config.exportSettings : undefined}
          />
        ),
      },
    }),
});

/**
 * Add to the app's features beside the catalog plugin and Lantern's plugin: the catalog index
 * page then shows the Security column. A module of the catalog plugin, as overriding one of a
 * plugin's extensions from outside it requires.
 */
export const lanternCatalogColumnModule = createFrontendModule({
  pluginId: 'catalog',
  extensions: [catalogPageWithLanternColumn],
});
