import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../formats/json.js';
import { backstageEntityIssues, envelopeIssues, isBuiltinKind } from './validate.js';

const component = (extra: JsonObject = {}, metadata: JsonObject = {}, spec: JsonObject = {}): JsonObject => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'svc', ...metadata },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-a', ...spec },
  ...extra,
});
const fields = (issues: Array<{ level: string; path: ReadonlyArray<string | number> }>) => issues.map((i) => `${i.level}:${i.path.join('.')}`);

describe('backstageEntityIssues', () => {
  it('accepts a valid entity of a built-in kind', async () => {
    expect(await backstageEntityIssues(component())).toEqual([]);
  });

  it('reports each foreign root field once', async () => {
    expect(fields(await backstageEntityIssues(component({ extra: 1, relations: [{ nonsense: true }] })))).toEqual(['error:extra', 'error:relations']);
  });

  it('lets harness.io/sto-test-target hold a list, and no other annotation', async () => {
    const list = [{ name: 'acme/payments' }];
    expect(await backstageEntityIssues(component({}, { annotations: { 'harness.io/sto-test-target': list } }))).toEqual([]);
    expect(fields(await backstageEntityIssues(component({}, { annotations: { 'example.com/targets': list } })))).toEqual(['error:metadata.annotations.example.com/targets']);
  });

  it('validates an unresolved placeholder as if it had been read', async () => {
    const api = { ...component(), kind: 'API', spec: { type: 'openapi', lifecycle: 'production', owner: 'team-a', definition: { $text: 'https://x' } } };
    expect(fields(await backstageEntityIssues(api))).toEqual(['error:spec.definition']);
    expect(await backstageEntityIssues(api, [['spec', 'definition']])).toEqual([]);
  });

  it('checks each built-in kind against its schema, and other kinds only as envelopes', async () => {
    const group = { apiVersion: 'backstage.io/v1beta1', kind: 'Group', metadata: { name: 'g' }, spec: { type: 'team' } };
    expect(await backstageEntityIssues(group)).toEqual([
      { level: 'error', path: ['spec', 'children'], message: 'The Group has no spec.children, which Backstage requires.' },
    ]);
    const template = { apiVersion: 'scaffolder.backstage.io/v1beta3', kind: 'Template', metadata: { name: 'new-service' } };
    expect(await backstageEntityIssues(template)).toEqual([]);
    expect(fields(await backstageEntityIssues({ ...template, metadata: { name: 'new service' } }))).toEqual(['error:metadata.name']);
    const lowerCase = { ...component(), kind: 'component', spec: {} };
    expect(await backstageEntityIssues(lowerCase)).toEqual([]);
  });

  it('reports a wrongly typed field with the value found', async () => {
    expect(await backstageEntityIssues(component({}, { title: 7 }))).toEqual([
      { level: 'error', path: ['metadata', 'title'], message: 'metadata.title must be string, but it is 7.' },
    ]);
    expect((await backstageEntityIssues(component({}, {}, { providesApis: 'api-x' })))[0]?.message).toBe('spec.providesApis must be array, but it is "api-x".');
    expect((await backstageEntityIssues(component({ spec: [] })))[0]?.message).toBe('spec must be object, but it is a list.');
    expect((await backstageEntityIssues(component({ metadata: { name: 'svc', labels: { a: { b: 1 } } } })))[0]?.message).toBe(
      'metadata.labels.a {"b":1} is not a valid label value: expected empty, or letters and digits separated by \'-\', \'_\' or \'.\', at most 63 characters.',
    );
  });
});

describe('envelopeIssues', () => {
  it('names fields as the file wrote them', () => {
    const issues = envelopeIssues(
      { apiVersion: 'harness.io/v1', kind: 'Component', metadata: { name: 'bad name', namespace: 'default', title: '' }, spec: {} },
      { written: (path) => (path.join('.') === 'metadata.name' ? ['identifier'] : path.join('.') === 'metadata.title' ? ['name'] : path) },
    );
    expect(issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['identifier', `identifier "bad name" is not a valid entity name: expected letters and digits separated by '-', '_' or '.', at most 63 characters.`],
      ['name', 'name must NOT have fewer than 1 characters, but it is "".'],
    ]);
  });
});

describe('isBuiltinKind', () => {
  it('knows the eight kinds in both Backstage API versions', () => {
    for (const kind of ['Component', 'API', 'Resource', 'System', 'Domain', 'Group', 'User', 'Location']) {
      expect(isBuiltinKind('backstage.io/v1alpha1', kind) && isBuiltinKind('backstage.io/v1beta1', kind)).toBe(true);
    }
    expect(isBuiltinKind('backstage.io/v1alpha1', 'Template')).toBe(false);
    expect(isBuiltinKind('harness.io/v1', 'Component')).toBe(false);
    expect(isBuiltinKind('backstage.io/v1alpha1', 42)).toBe(false);
  });
});
