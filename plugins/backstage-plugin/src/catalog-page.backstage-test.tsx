import './components/jsdom-setup';
import type { Entity } from '@backstage/catalog-model';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import { createExtensionTester, renderInTestApp } from '@backstage/frontend-test-utils';
import { CatalogIndexPage } from '@backstage/plugin-catalog/alpha';
import { entityRouteRef, EntityKindPicker } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { mockApis, renderInTestApp as renderLegacyApp, TestApiProvider } from '@backstage/test-utils';
import { catalogApiRef, MockStarredEntitiesApi, starredEntitiesApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import type { FetchLike } from '@lantern-security/backstage-plugin-common';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPluginEstate, type PluginEstate } from '../../../test/support/plugin-estate.js';
import { lanternApiRef } from './api';
import { catalogPageWithLanternColumn, lanternCatalogColumns } from './catalog-page';
import { createLanternApi, type LanternApi } from './lantern-api';

/**
 * The catalog index page of the new frontend system as catalog-page.tsx overrides it, built by
 * Backstage's extension tester and rendered in its test app, then the page it renders with its rows: the catalog's entities come
 * from Backstage's catalog API mock, the Security column's numbers from a real Lantern on a
 * loopback port (the scorecards estate of test/support/plugin-estate.ts).
 */
describe("the catalog index page with Lantern's Security column, in the new frontend system", () => {
  let lantern: PluginEstate;
  let api: LanternApi;
  beforeAll(async () => {
    lantern = await startPluginEstate('sqlite');
    const withToken: FetchLike = (url, init) => fetch(url, { ...init, headers: { ...init?.headers, authorization: `Bearer ${lantern.token}` } });
    api = createLanternApi({ discoveryApi: { getBaseUrl: async () => `${lantern.url}/api/insights` }, fetchApi: { fetch: withToken } });
  });
  afterAll(async () => {
    await lantern?.close();
  });
  afterEach(() => cleanup());

  const component = (name: string, annotations: Record<string, string>): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  });
  const slow = { timeout: 15_000 };

  const entities = [
    component('full', { 'backstage.io/source-location': 'url:https://github.com/acme/full/tree/main/' }),
    component('no-data', { 'harness.io/sto-test-target': '[{"name": "acme/missing"}]' }),
    component('docs-only', { 'backstage.io/techdocs-ref': 'dir:.' }),
  ];
  const headersOf = async () => {
    const header = await screen.findByRole('columnheader', { name: 'Security' }, slow);
    return within(header.closest('tr') as HTMLElement).getAllByRole('columnheader').map((h) => h.textContent);
  };

  it("is the catalog's page:catalog, its table given the Security column after the catalog's own", async () => {
    const tester = createExtensionTester(catalogPageWithLanternColumn, { config: { pagination: false } });
    expect(tester.get(coreExtensionData.routePath)).toBe('/catalog');
    renderInTestApp(tester.reactElement(), { apis: [[catalogApiRef, catalogApiMock({ entities })], [starredEntitiesApiRef, new MockStarredEntitiesApi()], [lanternApiRef, api]] });
    const headers = await headersOf();
    expect(headers).toEqual(expect.arrayContaining(['Name', 'Owner', 'Security']));
    // After the catalog's own columns, before the row actions the table adds.
    expect(headers.slice(-2)).toEqual(['Security', 'Actions']);
  });

  it("shows Lantern's counts in the column, No data apart from zero, a dash for an entity Lantern cannot link", async () => {
    const summary = (await lantern.server.app.inject({ url: '/api/insights/entities/component/default/full/summary', headers: { authorization: `Bearer ${lantern.token}` } })).json();
    // The page the override renders, with the columns it gives, in Backstage's (legacy) test app, which renders the rows' icons.
    renderLegacyApp(
      <TestApiProvider apis={[[catalogApiRef, catalogApiMock({ entities })], [starredEntitiesApiRef, new MockStarredEntitiesApi()], [permissionApiRef, mockApis.permission()], [lanternApiRef, api]]}>
        <CatalogIndexPage columns={lanternCatalogColumns} filters={<EntityKindPicker initialFilter="component" hidden />} pagination={false} />
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );
    expect((await headersOf()).slice(-2)).toEqual(['Security', 'Actions']);
    // The row whose Name cell reads the entity's name.
    const rowOf = (name: string) =>
      waitFor(() => {
        const row = screen.getAllByRole('row').find((r) => within(r).queryAllByRole('cell')[0]?.textContent === name);
        expect(row).toBeDefined();
        return row as HTMLElement;
      }, slow);
    const full = await rowOf('full');
    // The column's severities (info left out, as the column view leaves it), each with Lantern's count.
    for (const severity of ['critical', 'high', 'medium', 'low']) {
      expect(await within(full).findByLabelText(`${summary.counts[severity]} ${severity}`, {}, slow)).toBeTruthy();
    }
    expect(summary.counts.total).toBeGreaterThan(0);
    expect(await within(await rowOf('no-data')).findByText(/^No data/, {}, slow)).toBeTruthy();
    expect(within(await rowOf('docs-only')).getByText('—')).toBeTruthy();
  });
});
