import './components/jsdom-setup';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityCardBlueprint, EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import type { Entity } from '@backstage/catalog-model';
import { describe, expect, it } from 'vitest';
import lanternPlugin, { lanternSecurityContent, lanternSummaryCard } from './alpha';

const entity = (annotations: Record<string, string>, spec: Record<string, unknown> = {}): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments', annotations },
  spec,
});

/** The new frontend system's extensions, as Backstage's extension tester builds them. */
describe('the Lantern plugin in the new frontend system', () => {
  it('shows the summary card and the Security tab only for entities Lantern can link', () => {
    const card = createExtensionTester(lanternSummaryCard).get(EntityCardBlueprint.dataRefs.filterFunction)!;
    const tab = createExtensionTester(lanternSecurityContent);
    const tabFilter = tab.get(EntityContentBlueprint.dataRefs.filterFunction)!;
    for (const show of [
      entity({ 'harness.io/sto-test-target': '[{"name": "acme/pay"}]' }),
      entity({ 'backstage.io/source-location': 'url:https://github.com/acme/pay/' }),
      entity({}, { sourceCode: { url: 'https://github.com/acme/pay' } }),
    ]) {
      expect(card(show)).toBe(true);
      expect(tabFilter(show)).toBe(true);
    }
    const bare = entity({ 'backstage.io/techdocs-ref': 'dir:.' });
    expect(card(bare)).toBe(false);
    expect(tabFilter(bare)).toBe(false);
    expect(tab.get(EntityContentBlueprint.dataRefs.title)).toBe('Security');
  });

  it('is the plugin lantern with its API, card and tab', () => {
    expect(lanternPlugin.id).toBe('lantern');
    expect(lanternPlugin.getExtension('api:lantern')).toMatchObject({ kind: 'api' });
    expect(lanternPlugin.getExtension('entity-card:lantern/summary')).toMatchObject({ kind: 'entity-card', name: 'summary' });
    expect(lanternPlugin.getExtension('entity-content:lantern/security')).toMatchObject({ kind: 'entity-content', name: 'security' });
  });
});
