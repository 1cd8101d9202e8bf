import './jsdom-setup';
import { TestApiProvider, renderInTestApp } from '@backstage/test-utils';
import { EntityProvider, entityRouteRef } from '@backstage/plugin-catalog-react';
import type { Entity } from '@backstage/catalog-model';
import type { FetchLike } from '@lantern-security/backstage-plugin-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPluginEstate, type PluginEstate } from '../../../../test/support/plugin-estate.js';
import { lanternApiRef } from '../api';
import { createLanternApi, type LanternApi } from '../lantern-api';
import { LanternSecurityCard } from './LanternSecurityCard';
import { LanternSecurityContent } from './LanternSecurityContent';

/**
 * The card and the tab rendered with Backstage's test utilities, reading a real Lantern on a
 * loopback port (a fetch adding Lantern's token stands in for the backend plugin, which answers
 * the same paths).
 */
describe('the Lantern components in a Backstage test app', () => {
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

  const component = (name: string, annotations: Record<string, string>): Entity => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  });
  // Lantern answers slowly on a loaded machine: wait for it longer than testing-library's 1 s.
  const slow = { timeout: 15_000 };
  const render = (entity: Entity, element: JSX.Element) =>
    renderInTestApp(
      <TestApiProvider apis={[[lanternApiRef, api]]}>
        <EntityProvider entity={entity}>{element}</EntityProvider>
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );

  it("shows the summary card's numbers as Lantern's API gives them", async () => {
    const summary = (await lantern.server.app.inject({ url: '/api/insights/entities/component/default/full/summary', headers: { authorization: `Bearer ${lantern.token}` } })).json();
    await render(component('full', { 'backstage.io/source-location': 'url:https://github.com/acme/full/tree/main/' }), <LanternSecurityCard />);
    for (const severity of ['critical', 'high', 'medium', 'low', 'info']) {
      expect(await screen.findByLabelText(`${summary.counts[severity]} ${severity}`, {}, slow)).toBeTruthy();
    }
    expect(screen.getByText('fixable').previousSibling?.textContent).toBe(String(summary.fixable));
    expect(screen.getByText('exempted').previousSibling?.textContent).toBe(String(summary.exempted));
    expect(screen.getByText('open issues').previousSibling?.textContent).toBe(String(summary.counts.total));
    expect(screen.getByText('All issues').closest('a')?.getAttribute('href')).toBe('/catalog/default/component/full/security');
  });

  it('says "No security data", not zero, with the link that matches nothing', async () => {
    await render(component('no-data', { 'harness.io/sto-test-target': '[{"name": "acme/missing"}]' }), <LanternSecurityCard />);
    expect(await screen.findByText('No security data', {}, slow)).toBeTruthy();
    expect(screen.getByText(/acme\/missing in acme\.apps/)).toBeTruthy();
    expect(screen.queryByLabelText('0 critical')).toBeNull();
  });

  it('filters the issue table of the Security tab, and opens an issue', async () => {
    await render(component('full', { 'backstage.io/source-location': 'url:https://github.com/acme/full/tree/main/' }), <LanternSecurityContent />);
    expect(await screen.findByText('3 issues', {}, slow)).toBeTruthy();
    fireEvent.click(screen.getByLabelText('Critical'));
    expect(await screen.findByText('1 issue', {}, slow)).toBeTruthy();
    const row = screen.getByText('CVE-2026-0001 in a');
    fireEvent.click(row);
    const panel = await screen.findByRole('dialog', { name: 'Issue' }, slow);
    await waitFor(() => expect(within(panel).getByText(/fixed in 1\.0\.1/)).toBeTruthy(), slow);
  });
});
