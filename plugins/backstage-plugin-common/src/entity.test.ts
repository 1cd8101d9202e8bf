import { describe, expect, it } from 'vitest';
import { entityPath, entityRefOf, isLanternAvailable, lanternEntityName, parseEntityName, type EntityLike } from './entity';

const entity = (annotations: Record<string, string> = {}, spec?: unknown): EntityLike => ({
  kind: 'Component',
  metadata: { name: 'payments-api', annotations },
  ...(spec === undefined ? {} : { spec }),
});

describe('an entity in Lantern', () => {
  it('keeps the kind, namespace and name Backstage gives it, the namespace default when absent', () => {
    expect(lanternEntityName(entity())).toEqual({ kind: 'component', namespace: 'default', name: 'payments-api' });
    const named = lanternEntityName({ kind: 'API', metadata: { name: 'Pay API', namespace: 'Acme' } });
    expect(entityRefOf(named)).toBe('api:acme/Pay API');
    expect(entityPath(named)).toBe('/entities/api/acme/Pay%20API');
  });

  it('is available with a test target annotation, a source location or spec.sourceCode, and not without', () => {
    expect(isLanternAvailable(entity({ 'harness.io/sto-test-target': '[{"name": "acme/pay"}]' }))).toBe(true);
    expect(isLanternAvailable(entity({ 'backstage.io/source-location': 'url:https://github.com/acme/pay/' }))).toBe(true);
    expect(isLanternAvailable(entity({}, { sourceCode: { url: 'https://github.com/acme/pay' } }))).toBe(true);
    expect(isLanternAvailable(entity({}, { sourceCode: 'https://github.com/acme/pay' }))).toBe(true);
    expect(isLanternAvailable(entity({ 'backstage.io/techdocs-ref': 'dir:.' }, { type: 'service' }))).toBe(false);
    expect(isLanternAvailable(entity({ 'harness.io/sto-test-target': ' ' }, { sourceCode: { url: '' } }))).toBe(false);
    expect(isLanternAvailable({ kind: 'Group', metadata: { name: 'team-a' } })).toBe(false);
  });

  it('refuses path segments that cannot be an entity name, naming the field', () => {
    expect(parseEntityName('Component', 'Default', 'Pay')).toEqual({ kind: 'component', namespace: 'default', name: 'Pay' });
    expect(parseEntityName('component', 'default', 'a/b')).toBe('Invalid entity name "a/b": expected 1 to 253 characters without "/" or spaces.');
    expect(parseEntityName('', 'default', 'pay')).toMatch(/^Invalid entity kind ""/);
  });
});
