import { describe, expect, it } from 'vitest';
import { parseScope } from '../domain/scope.js';
import type { CatalogEntity } from './entity.js';
import { entityUid, locationRef, searchRows, selectFields, servedEntity, type StoredEnvelope, storedEntity } from './served-entity.js';

const entity = (annotations: Record<string, unknown>, over: Partial<CatalogEntity> = {}): CatalogEntity => ({
  ref: 'component:default/payments',
  kind: 'Component',
  namespace: 'default',
  name: 'Payments',
  format: 'backstage',
  scope: parseScope('acme.pay'),
  entity: { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'Payments', namespace: 'default', annotations }, spec: { type: 'service' } },
  source: { location: 'https://catalog.acme.io/all.yaml', file: 'https://catalog.acme.io/pay.yaml', document: 2, line: 9 },
  references: [],
  linkSpecs: [],
  problems: [],
  ...over,
});

describe('storedEntity', () => {
  it("adds Backstage's managed-by annotations, Lantern's scope, a uid and an etag", () => {
    const { envelope, contentHash } = storedEntity(entity({ 'harness.io/sto-test-target': [{ name: 'acme/payments' }] }));
    expect(envelope.metadata).toEqual({
      name: 'Payments',
      namespace: 'default',
      annotations: {
        'harness.io/sto-test-target': '[{"name":"acme/payments"}]',
        'backstage.io/managed-by-location': 'url:https://catalog.acme.io/pay.yaml',
        'backstage.io/managed-by-origin-location': 'url:https://catalog.acme.io/all.yaml',
        'lantern.io/scope': 'acme.pay',
      },
      uid: entityUid('component:default/payments'),
      etag: contentHash,
    });
    expect(envelope.spec).toEqual({ type: 'service' });
  });

  it('keeps a string link annotation as written, and changes the hash with the content but not the uid', () => {
    const written = storedEntity(entity({ 'harness.io/sto-test-target': '[{"name": "x"}]' }));
    expect(written.envelope.metadata.annotations?.['harness.io/sto-test-target']).toBe('[{"name": "x"}]');
    const moved = storedEntity(entity({ 'harness.io/sto-test-target': '[{"name": "x"}]' }, { source: { location: '/c', file: '/c/a.yaml', document: 1, line: 1 } }));
    expect(moved.contentHash).not.toBe(written.contentHash);
    expect(moved.envelope.metadata.uid).toBe(written.envelope.metadata.uid);
    expect(moved.envelope.metadata.annotations?.['backstage.io/managed-by-location']).toBe('file:/c/a.yaml');
  });

  it("keeps the managed-by annotations of an entity read from a Backstage, and names the Backstage where it gave none; a file's own are always Lantern's", () => {
    const fromBackstage = { location: 'backstage+https://portal.acme.io/', file: 'https://portal.acme.io/api/catalog/entities/by-name/Component/default/Payments', document: 1, line: 1 };
    const given = { 'backstage.io/managed-by-location': 'url:https://github.com/acme/payments/blob/main/catalog-info.yaml', 'backstage.io/managed-by-origin-location': 'url:https://github.com/acme/catalog/blob/main/all.yaml' };
    expect(storedEntity(entity(given, { source: fromBackstage })).envelope.metadata.annotations).toMatchObject(given);
    expect(storedEntity(entity({}, { source: fromBackstage })).envelope.metadata.annotations).toMatchObject({
      'backstage.io/managed-by-location': `url:${fromBackstage.file}`,
      'backstage.io/managed-by-origin-location': 'backstage:https://portal.acme.io/',
    });
    expect(storedEntity(entity(given)).envelope.metadata.annotations).toMatchObject({ 'backstage.io/managed-by-location': 'url:https://catalog.acme.io/pay.yaml' });
  });

  it('derives a UUID-shaped uid from the ref', () => {
    expect(entityUid('component:default/payments')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(entityUid('component:default/payments')).not.toBe(entityUid('component:default/ledger'));
    expect(locationRef('/srv/catalog-info.yaml')).toBe('file:/srv/catalog-info.yaml');
  });
});

describe('searchRows', () => {
  const envelope = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): StoredEnvelope => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'Payments', namespace: 'default', uid: 'u-1', etag: 'e-1', ...metadata },
    spec,
  });

  it('lists every leaf under its lower-cased dotted path, and each text list item also as path.item = true', () => {
    const rows = searchRows(envelope({ type: 'Service', replicas: 3, public: false, owner: null, tags: ['Java', 'java', { deep: 'x' }] }, { annotations: { 'Backstage.io/Source-Location': 'url:https://x' } }));
    expect(rows).toEqual([
      { key: 'apiversion', value: 'backstage.io/v1alpha1', original_value: 'backstage.io/v1alpha1' },
      { key: 'kind', value: 'component', original_value: 'Component' },
      { key: 'metadata.annotations.backstage.io/source-location', value: 'url:https://x', original_value: 'url:https://x' },
      { key: 'spec.type', value: 'service', original_value: 'Service' },
      { key: 'spec.replicas', value: '3', original_value: '3' },
      { key: 'spec.public', value: 'false', original_value: 'false' },
      { key: 'spec.owner', value: null, original_value: null },
      { key: 'spec.tags', value: 'java', original_value: 'Java' },
      { key: 'spec.tags.java', value: 'true', original_value: 'true' },
      { key: 'spec.tags.deep', value: 'x', original_value: 'x' },
      { key: 'metadata.name', value: 'payments', original_value: 'Payments' },
      { key: 'metadata.namespace', value: 'default', original_value: 'default' },
      { key: 'metadata.uid', value: 'u-1', original_value: 'u-1' },
    ]);
  });

  it('keeps a value too long to index as null, drops a key too long, and never lists relations or status', () => {
    const long = 'x'.repeat(201);
    const rows = searchRows({ ...envelope({ definition: long, [long]: 'v' }), relations: [{ type: 'ownedBy' }], status: { items: [] } } as StoredEnvelope);
    expect(rows.filter((r) => r.key.startsWith('spec'))).toEqual([{ key: 'spec.definition', value: null, original_value: null }]);
    expect(rows.some((r) => r.key.startsWith('relations') || r.key.startsWith('status') || r.key === 'metadata.etag')).toBe(false);
  });
});

describe('servedEntity', () => {
  const stored: StoredEnvelope = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'payments', namespace: 'default', uid: 'u', etag: 'e' }, spec: {} };
  const link = { name: 'acme/payments', scope: 'acme.pay', variant: null, matched: true, targetName: 'ACME/payments', variantName: 'main', variantReason: 'conventional', diagnostics: [] };

  it('adds relations, and target links and problems as status items', () => {
    const served = servedEntity(
      stored,
      [
        { type: 'ownedBy', targetRef: 'group:default/team-a', targetExists: true },
        { type: 'partOf', targetRef: 'system:default/gone', targetExists: false },
      ],
      [
        link,
        { ...link, name: 'acme/cfg', scope: 'account', variant: 'v1', matched: false, targetName: null, variantName: null, variantReason: null, diagnostics: [{ level: 'warning', code: 'target-not-found', message: 'No target.' }] },
        { ...link, diagnostics: [{ level: 'info', code: 'case-folded', message: 'Case.' }] },
      ],
      [{ level: 'warning', message: 'Odd.', file: '/a.yaml', field: 'spec.x' }],
    );
    expect(served.relations).toEqual([
      { type: 'ownedBy', targetRef: 'group:default/team-a', target: { kind: 'group', namespace: 'default', name: 'team-a' } },
      { type: 'partOf', targetRef: 'system:default/gone', target: { kind: 'system', namespace: 'default', name: 'gone' } },
    ]);
    expect(served.status?.items).toEqual([
      { type: 'lantern.io/target-links', level: 'info', message: 'Linked to target "ACME/payments" in acme.pay, showing "main" (baseline: conventional).' },
      { type: 'lantern.io/target-links', level: 'warning', message: 'The link to target "acme/cfg" at account level (variant "v1") shows no data. No target.' },
      { type: 'lantern.io/target-links', level: 'info', message: 'Linked to target "ACME/payments" in acme.pay, showing "main" (baseline: conventional). Case.' },
      { type: 'lantern.io/catalog-problem', level: 'warning', message: 'Odd. (field spec.x)' },
      { type: 'lantern.io/catalog-problem', level: 'warning', message: 'The relation partOf points at system:default/gone, which is not in the catalog.' },
    ]);
  });

  it('has no status when there is nothing to say', () => {
    expect(servedEntity(stored, [], [], [])).toEqual({ ...stored, relations: [] });
    const baseline = servedEntity(stored, [], [{ ...link, name: 'x', variant: null, matched: false, targetName: 'x', variantName: null, variantReason: 'none', diagnostics: [] }], []);
    expect(baseline.status?.items[0]?.message).toBe('The link to target "x" in acme.pay (its baseline) shows no data.');
  });
});

describe('selectFields', () => {
  const served = { kind: 'Component', metadata: { name: 'p', annotations: { a: '1' }, tags: ['x'] }, spec: { type: 's' } };

  it('keeps only the named paths and subtrees', () => {
    expect(selectFields(served, ['kind', 'metadata.name', 'spec'])).toEqual({ kind: 'Component', metadata: { name: 'p' }, spec: { type: 's' } });
    expect(selectFields(served, ['metadata.missing', 'metadata.tags.0', 'nothing.at.all'])).toEqual({});
    expect(selectFields(served, undefined)).toBe(served);
    expect(selectFields(served, [])).toBe(served);
  });
});
