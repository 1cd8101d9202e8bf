import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACCOUNT_SCOPE } from '../domain/scope.js';
import type { CatalogEntity, EntityEnvelope } from './entity.js';
import { parseCatalogFile } from './parse.js';
import { entityReferences, relateEntities, REVERSE_RELATION } from './relations.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const kindsFile = join(testdata, 'kinds.yaml');

async function kinds(): Promise<CatalogEntity[]> {
  return (await parseCatalogFile(readFileSync(kindsFile, 'utf8'), { file: kindsFile, location: kindsFile, scope: ACCOUNT_SCOPE })).entities;
}

const asText = (relations: ReturnType<typeof relateEntities>['relations']) =>
  relations.map((r) => `${r.source} ${r.type} ${r.target}${r.missing ? ` (missing ${r.missing})` : ''}`);

describe('relateEntities', () => {
  it('derives every relation of testdata/kinds.yaml both ways', async () => {
    const { relations } = relateEntities(await kinds());
    // Read off kinds.yaml: 29 references, each listed both ways; org/team-a (children and parent)
    // and team-a/ada (members and memberOf) state the same two pairs twice, so 58 - 4 = 54.
    expect(relations).toHaveLength(54);
    const text = asText(relations);
    expect(text).toEqual(
      expect.arrayContaining([
        'component:default/payments ownedBy group:default/team-a',
        'group:default/team-a ownerOf component:default/payments',
        'component:default/payments partOf component:default/platform',
        'component:default/platform hasPart component:default/payments',
        'component:default/payments providesApi api:default/payments-api',
        'api:default/payments-api apiProvidedBy component:default/payments',
        'component:default/payments consumesApi api:default/ledger-api',
        'api:default/ledger-api apiConsumedBy component:default/payments',
        'component:default/payments dependsOn resource:default/payments-db',
        'resource:default/payments-db dependencyOf component:default/payments',
        'component:default/payments dependencyOf component:default/storefront',
        'component:default/storefront dependsOn component:default/payments',
        'component:default/payments partOf system:default/checkout',
        'system:default/checkout hasPart component:default/payments',
        'component:default/platform ownedBy user:default/ada',
        'api:default/payments-api partOf system:default/checkout',
        'resource:default/payments-db dependsOn resource:default/backups',
        'resource:default/payments-db dependencyOf component:default/storefront',
        'system:default/checkout partOf domain:default/commerce',
        'domain:default/commerce hasPart system:default/checkout',
        'domain:default/commerce partOf domain:default/business',
        'domain:default/business ownedBy group:default/org',
        'group:default/org parentOf group:default/team-a',
        'group:default/team-a childOf group:default/org',
        'group:default/team-a hasMember user:default/ada',
        'user:default/ada memberOf group:default/team-a',
        'template:default/new-service ownedBy group:default/team-a',
      ]),
    );
    expect(new Set(text).size).toBe(text.length);
    for (const type of ['ownedBy', 'partOf', 'dependsOn', 'providesApi', 'consumesApi', 'memberOf', 'parentOf']) {
      expect(relations.some((r) => r.type === type) && relations.some((r) => r.type === REVERSE_RELATION[type])).toBe(true);
    }
  });

  it('keeps a reference to a missing entity, marks it, and warns on the entity that makes it', async () => {
    const entities = await kinds();
    const { relations, problems } = relateEntities(entities);
    // The Environment lives in namespace ops, so its short references stay in ops, where nothing is.
    expect(asText(relations.filter((r) => r.missing))).toEqual([
      'environment:ops/production ownedBy group:ops/platform-team (missing target)',
      'group:ops/platform-team ownerOf environment:ops/production (missing source)',
      'environment:ops/production partOf system:ops/checkout (missing target)',
      'system:ops/checkout hasPart environment:ops/production (missing source)',
    ]);
    expect(problems).toEqual([
      {
        ref: 'environment:ops/production',
        problem: {
          level: 'warning',
          message: 'spec.owner refers to group:ops/platform-team, which is not in the catalog; the relation is kept and marked missing.',
          file: kindsFile,
          document: 16,
          field: 'spec.owner',
          line: 161,
          column: 10,
        },
      },
      expect.objectContaining({ ref: 'environment:ops/production', problem: expect.objectContaining({ field: 'spec.system', line: 162 }) }),
    ]);
  });

  it('clears the mark when the missing entity arrives later', async () => {
    const entities = await kinds();
    const team = { ...entities[11], ref: 'group:ops/platform-team', references: [] } as CatalogEntity;
    const { relations, problems } = relateEntities([...entities, team]);
    expect(asText(relations.filter((r) => r.missing))).toEqual([
      'environment:ops/production partOf system:ops/checkout (missing target)',
      'system:ops/checkout hasPart environment:ops/production (missing source)',
    ]);
    expect(problems.map((p) => p.problem.field)).toEqual(['spec.system']);
  });
});

describe('entityReferences', () => {
  const envelope = (kind: string, spec: Record<string, unknown>, namespace = 'default'): EntityEnvelope => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name: 'x', namespace },
    spec,
  });
  const place = (path: ReadonlyArray<string | number>) => ({ file: 'f.yaml', document: 1, line: path.length, column: 1 });

  it('completes short references with the field default kind and the entity namespace, as Backstage does', () => {
    const { references } = entityReferences(envelope('Component', { owner: 'team-a', system: 'other/checkout', consumesApis: ['API:Pay'] }, 'alt'), place);
    expect(references.map((r) => r.target)).toEqual(['group:alt/team-a', 'api:alt/pay', 'system:other/checkout']);
  });

  it('needs a kind where a field can point at several, and reports what is not a reference', () => {
    const { references, problems } = entityReferences(envelope('Resource', { dependsOn: ['db', 'resource:ok', 7, 'component:'] }), place);
    expect(references.map((r) => r.target)).toEqual(['resource:default/ok']);
    expect(problems.map((p) => [p.level, p.field, p.message])).toEqual([
      ['error', undefined, 'spec.dependsOn[0] refers to "db" without a kind: this field can point at several kinds, so write one, such as "component:db".'],
      ['error', undefined, 'spec.dependsOn[2] is 7, which is not an entity reference: expected text such as "group:default/team-a".'],
      ['error', undefined, 'spec.dependsOn[3] holds "component:", which is not an entity reference: Entity reference "component:" was not on the form [<kind>:][<namespace>/]<name>.'],
    ]);
  });

  it('reads kinds in any case and gives a Location no references', () => {
    expect(entityReferences(envelope('user', { memberOf: ['team-a'] }), place).references.map((r) => [r.relation, r.target])).toEqual([['memberOf', 'group:default/team-a']]);
    expect(entityReferences(envelope('Location', { owner: 'team-a' }), place).references).toEqual([]);
  });
});
