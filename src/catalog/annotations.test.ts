import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACCOUNT_SCOPE, type Scope } from '../domain/scope.js';
import { entityRepository, resolveAnnotationScope, targetLinkSpecs } from './annotations.js';
import type { EntityEnvelope } from './entity.js';
import { parseCatalogFile } from './parse.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const PAY: Scope = { level: 'project', org: 'acme', project: 'pay' };

async function parseFixture(name: string, scope: Scope) {
  const file = join(testdata, name);
  return parseCatalogFile(readFileSync(file, 'utf8'), { file, location: file, scope });
}

const envelope = (annotations: Record<string, unknown>, spec: Record<string, unknown> = {}): EntityEnvelope => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'svc', namespace: 'default', annotations },
  spec,
});
const place = () => ({ file: 'f.yaml' });

describe('harness.io/sto-test-target forms', () => {
  it('reads the YAML list, the JSON string and the YAML string to the same links', async () => {
    const { entities } = await parseFixture('annotation-forms.yaml', PAY);
    const links = entities.map((e) => e.linkSpecs.map(({ name, scope, variant, origin, entry }) => ({ name, scope, variant, origin, entry })));
    // One row per entry of testdata/annotation-forms.yaml, resolved from project acme.pay (DESIGN.md: Scope of an annotation entry).
    const expected = [
      { name: 'acme/payments', scope: PAY, variant: undefined, origin: 'annotation', entry: 0 },
      { name: 'acme/payments', scope: PAY, variant: 'develop', origin: 'annotation', entry: 1 },
      { name: 'registry.acme.io/payments', scope: ACCOUNT_SCOPE, variant: undefined, origin: 'annotation', entry: 2 },
      { name: 'acme/shared', scope: { level: 'project', org: 'acme', project: 'tools' }, variant: undefined, origin: 'annotation', entry: 3 },
      { name: 'acme/billing', scope: { level: 'project', org: 'billing', project: 'api' }, variant: undefined, origin: 'annotation', entry: 4 },
      { name: 'acme/legacy', scope: { level: 'project', org: 'legacy', project: 'core' }, variant: undefined, origin: 'annotation', entry: 5 },
    ];
    expect(links[0]).toEqual(expected);
    expect(links[1]).toEqual(expected);
    expect(links[2]).toEqual(expected);
    expect(entities.every((e) => e.problems.length === 0)).toBe(true);
  });

  it('reads one object on its own as a list of one, and an empty scope as the entity own', async () => {
    const { entities } = await parseFixture('annotation-forms.yaml', PAY);
    expect(entities[3]?.linkSpecs).toEqual([{ name: 'acme/payments', scope: PAY, origin: 'annotation', entry: 0, problems: [] }]);
  });

  it('reports every entry problem where it is written, and keeps the entity and its good entries', async () => {
    const { entities, problems } = await parseFixture('annotation-problems.yaml', PAY);
    expect(problems).toEqual([]);
    const [entry] = entities;
    expect(entry?.linkSpecs.map((s) => [s.name, s.entry])).toEqual([['acme/payments', 0]]);
    // Lines read off testdata/annotation-problems.yaml.
    expect(entry?.problems.map((p) => [p.level, p.line, p.field])).toEqual([
      ['warning', 9, 'metadata.annotations["harness.io/sto-test-target"][0].varient'],
      ['error', 10, 'metadata.annotations["harness.io/sto-test-target"][1]'],
      ['error', 12, 'metadata.annotations["harness.io/sto-test-target"][2].scope'],
      ['error', 13, 'metadata.annotations["harness.io/sto-test-target"][3]'],
      ['error', 15, 'metadata.annotations["harness.io/sto-test-target"][4].scope'],
      ['error', 17, 'metadata.annotations["harness.io/sto-test-target"][5].variant'],
      ['warning', 19, 'metadata.annotations["harness.io/sto-test-target"][6].varient'],
      ['warning', 18, 'metadata.annotations["harness.io/sto-test-target"][6]'],
    ]);
    expect(entry?.problems.map((p) => p.message)).toEqual([
      'Entry 1 of harness.io/sto-test-target has an unknown key "varient", which is ignored: the keys are name, scope and variant.',
      'Entry 2 of harness.io/sto-test-target has no name: expected the name of a test target, such as "acme/payments".',
      `Entry 3 of harness.io/sto-test-target: the scope "a.b.c" is not one Lantern reads: expected "account", "PROJECT", "ORG.PROJECT" or "account.ORG.PROJECT", where ORG and PROJECT use only letters, digits, '_', '-' and '$'.`,
      'Entry 4 of harness.io/sto-test-target is "just-a-string", not an object: expected an object with a name, such as {name: acme/payments}.',
      'Entry 5 of harness.io/sto-test-target has the scope [1], which is not text: expected "account", "PROJECT", "ORG.PROJECT" or "account.ORG.PROJECT".',
      'Entry 6 of harness.io/sto-test-target has the variant {"branch":"main"}, which is not text: expected a branch, tag or image tag, or no variant for the baseline.',
      'Entry 7 of harness.io/sto-test-target has an unknown key "varient", which is ignored: the keys are name, scope and variant.',
      'Entry 7 of harness.io/sto-test-target repeats entry 1 ("acme/payments" in acme.pay); it is ignored.',
    ]);
    expect(entry?.linkSpecs[0]?.problems).toEqual([entry?.problems[0]]);
  });

  it('reports an annotation that is not a list, and a repository URL that names no repository', async () => {
    const { entities } = await parseFixture('annotation-problems.yaml', PAY);
    expect(entities[1]?.problems).toEqual([
      expect.objectContaining({
        level: 'error',
        line: 30,
        message:
          'The harness.io/sto-test-target annotation "acme/payments" is not a list of test targets: expected a YAML list of objects with a name (and optionally a scope and a variant), or a string holding such a list as JSON or YAML.',
      }),
    ]);
    expect(entities[2]?.problems).toEqual([
      expect.objectContaining({
        level: 'warning',
        line: 41,
        field: 'metadata.annotations["backstage.io/source-location"]',
        message: 'The repository URL "not a url" does not name a repository (expected an address such as https://github.com/acme/payments), so the entity has no implicit repository target.',
      }),
    ]);
    expect(entities[2]?.linkSpecs).toEqual([]);
  });

  it('treats an empty annotation as no links, and broken YAML in the string as not a list', () => {
    expect(targetLinkSpecs({ envelope: envelope({ 'harness.io/sto-test-target': '  ' }), scope: PAY, place })).toEqual({ specs: [], problems: [] });
    expect(targetLinkSpecs({ envelope: envelope({ 'harness.io/sto-test-target': null }), scope: PAY, place })).toEqual({ specs: [], problems: [] });
    const broken = targetLinkSpecs({ envelope: envelope({ 'harness.io/sto-test-target': '[{name: a' }), scope: PAY, place });
    expect(broken.problems.map((p) => p.level)).toEqual(['error']);
    const numeric = targetLinkSpecs({ envelope: envelope({ 'harness.io/sto-test-target': [{ name: 42, variant: 7 }] }), scope: PAY, place });
    expect(numeric.specs.map((s) => [s.name, s.variant])).toEqual([['42', '7']]);
    const fieldOf = (entry: unknown) =>
      targetLinkSpecs({ envelope: envelope({ 'harness.io/sto-test-target': [entry] }), scope: PAY, place: (path) => ({ file: 'f.yaml', field: path.join('.') }) }).problems.map((p) => p.field);
    expect(fieldOf({ name: { first: 'a' } })).toEqual(['metadata.annotations.harness.io/sto-test-target.0.name']);
    expect(fieldOf({ name: '  ' })).toEqual(['metadata.annotations.harness.io/sto-test-target.0.name']);
  });
});

describe('resolveAnnotationScope', () => {
  const accountEntity = { scope: ACCOUNT_SCOPE };
  it.each([
    ['', PAY],
    ['  ', PAY],
    ['account', ACCOUNT_SCOPE],
    ['tools', { level: 'project', org: 'acme', project: 'tools' }],
    ['billing.api', { level: 'project', org: 'billing', project: 'api' }],
    ['account.billing.api', { level: 'project', org: 'billing', project: 'api' }],
  ])('reads %j from a project entity', (value, scope) => {
    expect(resolveAnnotationScope(value, { scope: PAY })).toEqual({ scope });
  });

  it('puts a project-only scope in the default org for an account-level entity, or in its org', () => {
    expect(resolveAnnotationScope('tools', accountEntity)).toEqual({ scope: { level: 'project', org: 'default', project: 'tools' } });
    expect(resolveAnnotationScope('tools', { scope: ACCOUNT_SCOPE, org: 'acme' })).toEqual({ scope: { level: 'project', org: 'acme', project: 'tools' } });
  });

  it('needs a scope on an account-level entity', () => {
    expect(resolveAnnotationScope('', accountEntity)).toEqual({
      error: 'it has no scope, and the entity is account-level, so it has no project of its own to look in: give a scope ("account", "PROJECT", "ORG.PROJECT" or "account.ORG.PROJECT").',
    });
  });

  it.each(['a.b.c', 'account.x', 'account.a.b.c', 'account.p', 'acme.', '.p', 'ac me', 'acme.p/q', 'x.account.y'])('rejects %j naming the value and the forms', (value) => {
    const result = resolveAnnotationScope(value, { scope: PAY });
    expect(result).toEqual({ error: expect.stringContaining(`the scope ${JSON.stringify(value)} is not one Lantern reads: expected "account", "PROJECT", "ORG.PROJECT"`) });
  });
});

describe('implicit repository target', () => {
  it('names a repository target in the entity scope from backstage.io/source-location, baseline only', () => {
    const links = targetLinkSpecs({ envelope: envelope({ 'backstage.io/source-location': 'url:https://github.com/acme/payments/tree/main/' }), scope: PAY, place });
    expect(links).toEqual({ specs: [{ name: 'acme/payments', scope: PAY, origin: 'source-url', problems: [] }], problems: [] });
  });

  it('prefers spec.sourceCode.url, with its branch and monorepo folder', () => {
    const declared = entityRepository(
      envelope(
        { 'backstage.io/source-location': 'url:https://github.com/acme/other' },
        { sourceCode: { url: 'https://gitlab.com/acme/platform/mono.git', provider: 'Gitlab', branch: 'develop', monoRepo: true, monoReposubDirectoryPath: '/services/pay/' } },
      ),
    );
    expect(declared).toEqual({
      field: ['spec', 'sourceCode', 'url'],
      repository: { host: 'gitlab', url: 'https://gitlab.com/acme/platform/mono', name: 'acme/platform/mono', ref: 'develop', subdirectory: 'services/pay' },
    });
  });

  it('gives an account-level entity an account-level repository target', () => {
    const links = targetLinkSpecs({ envelope: envelope({}, { sourceCode: { url: 'git@github.com:acme/payments.git' } }), scope: ACCOUNT_SCOPE, place });
    expect(links.specs).toEqual([{ name: 'acme/payments', scope: ACCOUNT_SCOPE, origin: 'source-url', problems: [] }]);
  });

  it('adds nothing for a location that is not a URL, or for an entity without one', () => {
    expect(entityRepository(envelope({ 'backstage.io/source-location': 'file:/src/payments' }))).toBeUndefined();
    expect(entityRepository(envelope({}))).toBeUndefined();
    expect(entityRepository(envelope({}, { sourceCode: { provider: 'Github' } }))).toBeUndefined();
    expect(entityRepository(envelope({}, { sourceCode: { url: 'nowhere' } }))).toEqual({ invalid: 'nowhere', field: ['spec', 'sourceCode', 'url'] });
  });

  it('is not repeated when the annotation already names the same target without a variant', () => {
    const annotated = (entry: Record<string, unknown>) =>
      targetLinkSpecs({
        envelope: envelope({ 'backstage.io/source-location': 'url:https://github.com/acme/payments', 'harness.io/sto-test-target': [entry] }),
        scope: PAY,
        place,
      }).specs.map((s) => [s.name, s.origin, s.variant]);
    expect(annotated({ name: 'ACME/Payments' })).toEqual([['ACME/Payments', 'annotation', undefined]]);
    expect(annotated({ name: 'acme/payments', variant: 'develop' })).toEqual([
      ['acme/payments', 'annotation', 'develop'],
      ['acme/payments', 'source-url', undefined],
    ]);
    expect(annotated({ name: 'acme/payments', scope: 'account' })).toEqual([
      ['acme/payments', 'annotation', undefined],
      ['acme/payments', 'source-url', undefined],
    ]);
  });
});
