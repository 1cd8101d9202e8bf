import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../domain/errors.js';
import { ACCOUNT_SCOPE } from '../domain/scope.js';
import type { CatalogProblem } from './entity.js';
import { parseCatalogFile, type ParseContext } from './parse.js';
import { resolveAddress } from './source-address.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), 'testdata');

/** Parses a fixture; placeholders read files next to it, and URLs fail as if offline. */
function parseFixture(name: string, context: Partial<ParseContext> = {}) {
  const file = join(testdata, name);
  const readRelated = async (target: string) => {
    const resolved = resolveAddress(target, file);
    if ('error' in resolved) throw new InputError(resolved.error);
    if (resolved.address.startsWith('https:')) throw new InputError(`The URL ${resolved.address} could not be fetched: offline.`);
    try {
      return readFileSync(resolved.address, 'utf8');
    } catch {
      throw new InputError(`The file ${resolved.address} does not exist.`);
    }
  };
  return parseCatalogFile(readFileSync(file, 'utf8'), { file, location: file, scope: ACCOUNT_SCOPE, readRelated, ...context });
}

const summary = (problems: CatalogProblem[]) => problems.map((p) => ({ level: p.level, document: p.document, line: p.line, field: p.field }));

describe('parseCatalogFile on bad documents', () => {
  it('loads the valid documents around every bad one', async () => {
    const { entities } = await parseFixture('bad-documents.yaml');
    expect(entities.map((e) => e.ref)).toEqual(['component:default/before-the-errors', 'component:default/after-the-errors']);
  });

  it('reports each bad document with its index, line, column and field', async () => {
    const { problems } = await parseFixture('bad-documents.yaml');
    // Lines and fields read off testdata/bad-documents.yaml; document 8 is the empty one.
    expect(summary(problems)).toEqual([
      { level: 'error', document: 2, line: 15, field: undefined },
      { level: 'error', document: 3, line: 17, field: undefined },
      { level: 'error', document: 4, line: 20, field: undefined },
      { level: 'error', document: 5, line: 22, field: 'kind' },
      { level: 'error', document: 6, line: 28, field: 'metadata.name' },
      { level: 'error', document: 7, line: 31, field: 'apiVersion' },
      { level: 'warning', document: 9, line: 36, field: undefined },
      { level: 'error', document: 11, line: 53, field: 'metadata.name' },
      { level: 'error', document: 11, line: 54, field: 'metadata.namespace' },
      { level: 'error', document: 11, line: 56, field: 'metadata.labels["bad key!"]' },
      { level: 'error', document: 11, line: 58, field: 'metadata.annotations["example.com/"]' },
      { level: 'error', document: 11, line: 59, field: 'metadata.annotations["example.com/list"]' },
      { level: 'error', document: 11, line: 60, field: 'metadata.tags[1]' },
      { level: 'error', document: 11, line: 62, field: 'metadata.links[0].url' },
      { level: 'error', document: 11, line: 63, field: 'metadata.links[0].title' },
      { level: 'error', document: 12, line: 73, field: 'spec.type' },
      { level: 'error', document: 13, line: 81, field: 'status' },
      { level: 'error', document: 14, line: 87, field: 'identifier' },
      { level: 'error', document: 15, line: 95, field: 'spec.definition' },
    ]);
  });

  it('says what is wrong in whole sentences', async () => {
    const messages = (await parseFixture('bad-documents.yaml')).problems.map((p) => p.message);
    expect(messages[0]).toMatch(/^YAML syntax error: All mapping items must start at the same column\.$/);
    expect(messages[1]).toBe('The document is a list, not an entity: expected a mapping with apiVersion, kind and metadata.');
    // Never the text itself: a catalog file may be anything its URL or path held.
    expect(messages[2]).toBe('The document is text (14 characters), not an entity: expected a mapping with apiVersion, kind and metadata.');
    expect(messages[3]).toBe('The document has no kind: every catalog entity needs apiVersion, kind and metadata.name.');
    expect(messages[4]).toBe('The document has no metadata.name: every catalog entity needs apiVersion, kind and metadata.name.');
    expect(messages[6]).toBe('The document is not a catalog entity (it is an OpenAPI 3.0.3 document): it has no apiVersion, kind or metadata, so it is skipped.');
    expect(messages[7]).toBe(
      `metadata.name "bad fields" is not a valid entity name: expected letters and digits separated by '-', '_' or '.', at most 63 characters.`,
    );
    expect(messages[12]).toContain('metadata.tags[1] "Not OK" is not a valid tag');
    expect(messages[15]).toBe('The Component has no spec.type, which Backstage requires.');
    expect(messages[16]).toBe('The root field "status" is not part of a catalog entity: expected only apiVersion, kind, metadata and spec.');
    expect(messages[17]).toBe('The document has no identifier: every harness.io/v1 catalog entity needs apiVersion, kind and identifier.');
    expect(messages[18]).toBe('The API has no spec.definition, which Backstage requires.');
  });

  it('stops an alias bomb with a clear error and keeps its neighbours', async () => {
    const { entities, problems } = await parseFixture('alias-bomb.yaml');
    expect(entities.map((e) => e.name)).toEqual(['before-the-bomb', 'after-the-bomb']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ level: 'error', document: 2, line: 11 });
    expect(problems[0]?.message).toContain('looks like an alias bomb');
  });

  it('refuses collections nested too deep, keeps the neighbours, and survives reading them again', async () => {
    // Reading such a document a second time is what used to abort the process inside V8.
    for (let round = 0; round < 3; round++) {
      const { entities, problems } = await parseFixture('deep-nesting.yaml');
      expect(entities.map((e) => e.name)).toEqual(['before-the-depths', 'after-the-depths']);
      // The 101st `- ` of line 11 starts at column 201; the 100th `[` of line 13 (the 101st collection) at column 103.
      expect(problems).toEqual([
        expect.objectContaining({ level: 'error', document: 2, line: 11, column: 201 }),
        expect.objectContaining({ level: 'error', document: 3, line: 13, column: 103 }),
      ]);
      expect(problems[0]?.message).toBe('The document nests collections more than 100 levels deep, which no catalog entity needs; it was not read.');
    }
  });

  it('reports a file with no document, and reads one with a byte order mark', async () => {
    const empty = await parseCatalogFile('# only a comment\n', { file: 'empty.yaml', location: 'empty.yaml', scope: ACCOUNT_SCOPE });
    expect(empty.problems).toEqual([{ level: 'warning', message: 'The file holds no YAML document, so it defines no entity.', file: 'empty.yaml' }]);
    const bom = await parseCatalogFile('\uFEFFapiVersion: x.io/v1\nkind: Thing\nmetadata:\n  name: t\n', { file: 'bom.yaml', location: 'bom.yaml', scope: ACCOUNT_SCOPE });
    expect(bom.entities.map((e) => e.ref)).toEqual(['thing:default/t']);
  });

  it('names Swagger and AsyncAPI documents, and other non-entities plainly', async () => {
    const context = { file: 'f.yaml', location: 'f.yaml', scope: ACCOUNT_SCOPE };
    const text = 'swagger: "2.0"\n---\nasyncapi: 2.6.0\n---\nopenapi: {}\n---\nname: a config file\n';
    const messages = (await parseCatalogFile(text, context)).problems.map((p) => p.message);
    expect(messages).toEqual([
      'The document is not a catalog entity (it is a Swagger 2.0 document): it has no apiVersion, kind or metadata, so it is skipped.',
      'The document is not a catalog entity (it is an AsyncAPI 2.6.0 document): it has no apiVersion, kind or metadata, so it is skipped.',
      'The document is not a catalog entity (it is an OpenAPI document): it has no apiVersion, kind or metadata, so it is skipped.',
      'The document is not a catalog entity: it has no apiVersion, kind or metadata, so it is skipped.',
    ]);
    const scalar = await parseCatalogFile('42\n', context);
    expect(scalar.problems[0]?.message).toBe('The document is a number, not an entity: expected a mapping with apiVersion, kind and metadata.');
    const long = await parseCatalogFile(`${'word '.repeat(20)}\n`, context);
    expect(long.problems[0]?.message).toBe('The document is text (99 characters), not an entity: expected a mapping with apiVersion, kind and metadata.');
  });
});

describe('parseCatalogFile on every kind', () => {
  it('loads the eight Backstage kinds in both API versions and keeps other kinds as generic entities', async () => {
    const { entities, problems } = await parseFixture('kinds.yaml');
    expect(problems).toEqual([]);
    expect(entities.map((e) => e.ref)).toEqual([
      'component:default/payments',
      'component:default/platform',
      'component:default/storefront',
      'api:default/payments-api',
      'api:default/ledger-api',
      'resource:default/payments-db',
      'resource:default/backups',
      'system:default/checkout',
      'domain:default/commerce',
      'domain:default/business',
      'group:default/org',
      'group:default/team-a',
      'user:default/ada',
      'location:default/more',
      'template:default/new-service',
      'environment:ops/production',
    ]);
    expect(entities.every((e) => e.format === 'backstage' && e.scope.level === 'account' && e.problems.length === 0)).toBe(true);
  });

  it('keeps the envelope as written, with the namespace defaulted, and where it came from', async () => {
    const { entities } = await parseFixture('kinds.yaml');
    const payments = entities[0];
    expect(payments?.entity.metadata).toMatchObject({ name: 'payments', namespace: 'default', title: 'Payments', tags: ['java', 'pci'] });
    expect(payments?.source).toEqual({ location: join(testdata, 'kinds.yaml'), file: join(testdata, 'kinds.yaml'), document: 1, line: 3 });
    expect(entities[15]?.source).toMatchObject({ document: 16 });
    expect(entities[1]?.entity.apiVersion).toBe('backstage.io/v1beta1');
  });

  it('records the references each entity makes with their lines', async () => {
    const { entities } = await parseFixture('kinds.yaml');
    expect(entities[0]?.references).toEqual([
      { relation: 'ownedBy', target: 'group:default/team-a', field: 'spec.owner', line: 21, column: 10 },
      { relation: 'partOf', target: 'component:default/platform', field: 'spec.subcomponentOf', line: 23, column: 19 },
      { relation: 'providesApi', target: 'api:default/payments-api', field: 'spec.providesApis[0]', line: 24, column: 18 },
      { relation: 'consumesApi', target: 'api:default/ledger-api', field: 'spec.consumesApis[0]', line: 25, column: 18 },
      { relation: 'dependsOn', target: 'resource:default/payments-db', field: 'spec.dependsOn[0]', line: 26, column: 15 },
      { relation: 'dependencyOf', target: 'component:default/storefront', field: 'spec.dependencyOf[0]', line: 27, column: 18 },
      { relation: 'partOf', target: 'system:default/checkout', field: 'spec.system', line: 22, column: 11 },
    ]);
  });

  it('gives Backstage-format entities the scope their location was registered under', async () => {
    const scope = { level: 'project', org: 'acme', project: 'pay' } as const;
    const { entities } = await parseFixture('kinds.yaml', { scope });
    expect(entities.every((e) => e.scope === scope)).toBe(true);
  });

  it('lists the targets of Location entities for the reader to follow', async () => {
    const file = join(testdata, 'locations', 'types.yaml');
    const parsed = await parseCatalogFile(readFileSync(file, 'utf8'), { file, location: file, scope: ACCOUNT_SCOPE });
    expect(parsed.locationTargets.map(({ location, type, optional, target, place }) => ({ location, type, optional, target, line: place.line, field: place.field }))).toEqual([
      { location: 'location:default/optional', type: undefined, optional: true, target: './not-there.yaml', line: 9, field: 'spec.targets[0]' },
      { location: 'location:default/optional', type: undefined, optional: true, target: './shared.yaml', line: 10, field: 'spec.targets[1]' },
      { location: 'location:default/optional', type: undefined, optional: true, target: './absent/*.yaml', line: 11, field: 'spec.targets[2]' },
      { location: 'location:default/discovery', type: 'github-discovery', optional: false, target: 'https://github.com/acme/*/blob/main/catalog-info.yaml', line: 19, field: 'spec.target' },
      { location: 'location:default/odd-scheme', type: undefined, optional: false, target: 'ftp://files.acme.io/catalog-info.yaml', line: 26, field: 'spec.target' },
      { location: 'location:default/empty-glob', type: undefined, optional: false, target: './nothing/*.yaml', line: 33, field: 'spec.target' },
    ]);
  });

  it('keeps an API of a type a plugin defines without a definition, with a warning', async () => {
    const text = 'apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: model\nspec:\n  type: ai-model-server\n  lifecycle: production\n  owner: team-a\n';
    const { entities } = await parseCatalogFile(text, { file: 'f.yaml', location: 'f.yaml', scope: ACCOUNT_SCOPE });
    expect(entities[0]?.problems).toEqual([
      expect.objectContaining({ level: 'warning', field: 'spec.definition', message: expect.stringContaining('"ai-model-server" is taken to be one') }),
    ]);
    const broken = await parseCatalogFile(text.replace('  owner: team-a\n', '  owner: 42\n'), { file: 'f.yaml', location: 'f.yaml', scope: ACCOUNT_SCOPE });
    expect(broken.problems.map((p) => p.message)).toEqual(['spec.owner must be string, but it is 42.']);
  });

  it('validates MCP server APIs with their own schema', async () => {
    const mcp = 'apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: mcp\nspec:\n  type: mcp-server\n  lifecycle: production\n  owner: team-a\n';
    const context = { file: 'f.yaml', location: 'f.yaml', scope: ACCOUNT_SCOPE };
    expect((await parseCatalogFile(`${mcp}  remotes:\n    - type: sse\n      url: https://mcp.acme.io\n`, context)).entities).toHaveLength(1);
    expect((await parseCatalogFile(mcp, context)).problems.map((p) => p.message)).toEqual(['The API has no spec.remotes, which Backstage requires.']);
  });
});

describe('parseCatalogFile on harness.io/v1 entities', () => {
  it('turns them into the same envelope, named by identifier, in namespace default', async () => {
    const { entities, problems } = await parseFixture('harness.yaml');
    expect(problems).toEqual([]);
    expect(entities.map((e) => [e.ref, e.format])).toEqual([
      ['component:default/payments', 'harness'],
      ['api:default/ledger_api', 'harness'],
      ['system:default/checkout', 'harness'],
      ['workflow:default/new-service', 'harness'],
    ]);
    expect(entities[0]?.entity).toEqual({
      apiVersion: 'harness.io/v1',
      kind: 'Component',
      metadata: {
        name: 'payments',
        namespace: 'default',
        title: 'Payments Service',
        description: 'Takes payments',
        tags: ['java'],
        annotations: { 'harness.io/sto-test-target': [{ name: 'registry.acme.io/payments', variant: 'latest' }, { name: 'acme/monorepo' }] },
      },
      spec: {
        type: 'service',
        owner: 'group:team-a',
        lifecycle: 'production',
        system: 'checkout',
        dependsOn: ['component:ledger'],
        sourceCode: {
          url: 'https://github.com/acme/monorepo',
          provider: 'Github',
          repoName: 'monorepo',
          branch: 'develop',
          connectorRef: 'account.github',
          monoRepo: true,
          monoReposubDirectoryPath: 'services/payments',
        },
      },
    });
  });

  it('takes the scope from orgIdentifier and projectIdentifier, whatever the location scope', async () => {
    const { entities } = await parseFixture('harness.yaml', { scope: { level: 'project', org: 'x', project: 'y' } });
    expect(entities.map((e) => e.scope)).toEqual([
      { level: 'project', org: 'acme', project: 'pay' },
      { level: 'account' },
      { level: 'project', org: 'default', project: 'pay' },
      { level: 'account' },
    ]);
    expect(entities[1]?.problems.map((p) => p.field)).toEqual(['orgIdentifier']);
  });

  it('resolves links and references from where the file wrote them', async () => {
    const { entities } = await parseFixture('harness.yaml');
    expect(entities[0]?.linkSpecs.map(({ name, scope, variant, origin }) => ({ name, scope, variant, origin }))).toEqual([
      { name: 'registry.acme.io/payments', scope: { level: 'project', org: 'acme', project: 'pay' }, variant: 'latest', origin: 'annotation' },
      { name: 'acme/monorepo', scope: { level: 'project', org: 'acme', project: 'pay' }, variant: undefined, origin: 'annotation' },
    ]);
    // An org-level entity resolves a project-only scope in its own org.
    expect(entities[1]?.linkSpecs.map((s) => s.scope)).toEqual([{ level: 'project', org: 'acme', project: 'ledger' }]);
    expect(entities[0]?.references.map((r) => [r.relation, r.target, r.field, r.line])).toEqual([
      ['ownedBy', 'group:default/team-a', 'spec.owner', 7],
      ['dependsOn', 'component:default/ledger', 'spec.dependsOn[0]', 13],
      ['partOf', 'system:default/checkout', 'spec.system', 12],
    ]);
  });

  it('names the field as written when a harness.io/v1 entity is invalid', async () => {
    const context = { file: 'h.yaml', location: 'h.yaml', scope: ACCOUNT_SCOPE };
    const text = [
      'apiVersion: harness.io/v1',
      'kind: Component',
      'identifier: not valid!',
      'name: ""',
      'owner: [a]',
      'orgIdentifier: acme.corp',
      'spec: {lifecycle: 1, sourceCode: {url: 5, monoRepo: "yes"}}',
      'metadata: {name: ignored}',
      'extra: true',
    ].join('\n');
    const { problems } = await parseCatalogFile(text, context);
    expect(problems.map((p) => [p.field, p.message])).toEqual([
      ['owner', 'owner is ["a"]: expected text.'],
      ['spec.lifecycle', 'spec.lifecycle is 1: expected text.'],
      ['spec.sourceCode.url', 'spec.sourceCode.url is 5: expected text.'],
      ['spec.sourceCode.monoRepo', 'spec.sourceCode.monoRepo is "yes": expected true or false.'],
      ['orgIdentifier', `orgIdentifier "acme.corp" is not a Harness identifier: expected letters, digits, '_', '-' and '$' only.`],
    ]);
    const fixed = text.replace('owner: [a]', 'owner: a').replace('{lifecycle: 1, sourceCode: {url: 5, monoRepo: "yes"}}', '{}').replace('acme.corp', 'acme');
    const second = await parseCatalogFile(fixed, context);
    expect(second.problems.map((p) => [p.field, p.line])).toEqual([['identifier', 3]]);
    expect(second.problems[0]?.message).toContain('identifier "not valid!" is not a valid entity name');
  });

  it('warns about fields a harness.io/v1 entity does not have, and checks its structure', async () => {
    const context = { file: 'h.yaml', location: 'h.yaml', scope: ACCOUNT_SCOPE };
    const base = 'apiVersion: harness.io/v1\nkind: Component\nidentifier: svc\n';
    const { entities } = await parseCatalogFile(`${base}metadata: {name: other, namespace: x}\nextra: true\n`, context);
    expect(entities[0]?.problems.map((p) => p.field)).toEqual(['extra', 'metadata.name', 'metadata.namespace']);
    const broken = await parseCatalogFile(`${base}metadata: [1]\nspec: text\n`, context);
    expect(broken.problems.map((p) => p.field)).toEqual(['metadata', 'spec']);
    const badSource = await parseCatalogFile(`${base}spec: {sourceCode: github}\n`, context);
    expect(badSource.problems.map((p) => p.field)).toEqual(['spec.sourceCode']);
    const badTitle = await parseCatalogFile(`${base}name: ""\nmetadata: {tags: [BAD]}\n`, context);
    expect(badTitle.problems.map((p) => p.field)).toEqual(['metadata.tags[0]']);
  });
});

describe('placeholders', () => {
  it('resolves $text, $json and $yaml relative to the file', async () => {
    const { entities } = await parseFixture('placeholders/catalog-info.yaml');
    expect(entities[0]?.entity.spec.definition).toBe('openapi: 3.0.0\ninfo:\n  title: Payments\n');
    expect(entities[0]?.problems).toEqual([]);
    expect(entities[1]?.entity.spec).toMatchObject({
      settings: { retries: 3, regions: ['eu', 'us'] },
      environments: [{ name: 'prod', values: { replicas: 2, image: 'acme/payments' } }],
    });
  });

  it('leaves a placeholder that cannot be read in place, with a warning on the kept entity', async () => {
    const { entities } = await parseFixture('placeholders/catalog-info.yaml');
    const unreadable = entities[2];
    expect(unreadable?.ref).toBe('api:default/unreadable');
    expect(unreadable?.entity.spec).toMatchObject({
      definition: { $text: './not-there.yaml' },
      extra: { $json: './broken.json' },
      remote: { $text: 'https://specs.acme.io/payments.yaml' },
      numbered: { $text: 5 },
    });
    expect(unreadable?.problems.map((p) => [p.level, p.field, p.line])).toEqual([
      ['warning', 'spec.definition', 36],
      ['warning', 'spec.extra', 38],
      ['warning', 'spec.numbered', 42],
      ['warning', 'spec.remote', 40],
    ]);
    const messages = unreadable?.problems.map((p) => p.message) ?? [];
    expect(messages[0]).toBe(
      `The $text placeholder "./not-there.yaml" at spec.definition could not be resolved, so it is left unresolved: The file ${join(testdata, 'placeholders', 'not-there.yaml')} does not exist.`,
    );
    // JSON.parse's own message would quote the text read.
    expect(messages[1]).toBe('The $json placeholder "./broken.json" at spec.extra could not be resolved, so it is left unresolved: The text is not valid JSON.');
    expect(messages[2]).toBe('The $text placeholder at spec.numbered is 5: expected a relative path or URL; it is left unresolved.');
    expect(messages[3]).toContain('https://specs.acme.io/payments.yaml could not be fetched: offline.');
  });

  it('leaves placeholders unresolved when there is nothing to read them with', async () => {
    const file = join(testdata, 'placeholders', 'catalog-info.yaml');
    const parsed = await parseCatalogFile(readFileSync(file, 'utf8'), { file, location: file, scope: ACCOUNT_SCOPE });
    expect(parsed.entities[0]?.entity.spec.definition).toEqual({ $text: './openapi.yaml' });
    expect(parsed.entities[0]?.problems[0]?.message).toBe('The $text placeholder "./openapi.yaml" at spec.definition was not read (placeholders are off); it is left unresolved.');
  });
});
