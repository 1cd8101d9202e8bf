import { describe, expect, it } from 'vitest';
import type { Entity } from '../api/types.js';
import { catalogProblems, entityLinks, entityScope, relationRef, sourceRepositoryUrl, specText } from './entity-facts.js';

// The envelope docs/catalog.md shows for component:default/payments.
const payments: Entity = {
  kind: 'Component',
  metadata: {
    name: 'payments',
    annotations: { 'backstage.io/source-location': 'url:https://github.com/acme/payments/tree/main/', 'lantern.io/scope': 'acme.pay' },
    links: [{ url: 'https://runbooks.acme.io/payments', title: 'Runbook' }, { url: 'javascript:alert(1)', title: 'bad' }, { url: 'https://grafana.acme.io' }],
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a', system: 'checkout' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a', target: { kind: 'group', namespace: 'default', name: 'team-a' } }],
  status: {
    items: [
      { type: 'lantern.io/target-links', level: 'info', message: 'Linked.' },
      { type: 'lantern.io/catalog-problem', level: 'warning', message: 'spec.system refers to system:default/checkout, which is not in the catalog.' },
    ],
  },
};

describe('entity facts', () => {
  it('finds the repository in the source-location annotation or spec.sourceCode', () => {
    expect(sourceRepositoryUrl(payments)).toBe('https://github.com/acme/payments/tree/main/');
    expect(sourceRepositoryUrl({ spec: { sourceCode: { url: 'https://gitlab.com/acme/ledger' } }, metadata: { annotations: { 'backstage.io/source-location': 'url:https://github.com/x/y' } } })).toBe('https://gitlab.com/acme/ledger');
    expect(sourceRepositoryUrl({ metadata: { annotations: { 'backstage.io/source-location': 'url:javascript:alert(1)' } } })).toBeNull();
    expect(sourceRepositoryUrl({})).toBeNull();
  });

  it('reads scope, relations, spec fields, problems and links', () => {
    expect(entityScope(payments)).toBe('acme.pay');
    expect(relationRef(payments, 'ownedBy', 'owner')).toBe('group:default/team-a');
    expect(relationRef(payments, 'partOf', 'system')).toBe('checkout');
    expect(relationRef({}, 'partOf', 'system')).toBeNull();
    expect(specText(payments, 'lifecycle')).toBe('production');
    expect(specText(payments, 'domain')).toBeNull();
    expect(catalogProblems(payments)).toEqual([{ level: 'warning', message: 'spec.system refers to system:default/checkout, which is not in the catalog.' }]);
    expect(entityLinks(payments)).toEqual([
      { url: 'https://runbooks.acme.io/payments', title: 'Runbook' },
      { url: 'https://grafana.acme.io/', title: 'https://grafana.acme.io/' },
    ]);
  });
});
