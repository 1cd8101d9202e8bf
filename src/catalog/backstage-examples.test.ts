import { expect, it } from 'vitest';
import { describeShared, sharedPath } from '../../test/support/shared-fixtures.js';
import { InputError } from '../domain/errors.js';
import { readCatalog, type CatalogReadResult } from './read.js';
import { relateEntities } from './relations.js';
import { isUrl } from './source-address.js';
import { nodeSourceReader, type SourceReader } from './source-reader.js';

/**
 * The real Backstage example catalog in ../shared/fixtures/catalog/backstage-examples.
 *
 * Expected refs and counts were derived with python3 (PyYAML) independently of this code: a
 * breadth-first walk of Location `targets` from the registered file for the Location trees, and
 * for the folder every YAML document with a `kind` (92) minus the one whose metadata.name breaks
 * Backstage's name rule (components/invalid-component.yaml). Relations were counted with a
 * separate table of Backstage's relation fields (owner, system, domain, subcomponentOf,
 * providesApis, consumesApis, dependsOn, dependencyOf, parent, children, members, memberOf; owner
 * and system for other kinds), each reference added both ways into a set: 124 references, 234
 * distinct relations, 21 references to entities not in the folder.
 */

/** No network in tests: every URL fails as it would offline. */
const base = nodeSourceReader();
const offline: SourceReader = {
  ...base,
  readText: (address) => (isUrl(address) ? Promise.reject(new InputError(`The URL ${address} could not be fetched: offline.`)) : base.readText(address)),
};
const examples = (...parts: string[]) => sharedPath('catalog', 'backstage-examples', ...parts);
const register = (input: string) => readCatalog(input, { cwd: examples(), reader: offline });
const sortedRefs = (result: CatalogReadResult) => result.entities.map((e) => e.ref).sort();
const fileProblems = (result: CatalogReadResult) => result.files.flatMap((f) => f.problems);

describeShared('the Backstage example catalog', () => {
  it('all.yaml loads exactly the 30 entities its Location tree reaches', async () => {
    const result = await register('all.yaml');
    expect(sortedRefs(result)).toEqual(
      [
        'location:default/example-all',
        'location:default/example-ai-resources',
        'location:default/example-apis',
        'location:default/example-components',
        'location:default/example-domains',
        'location:default/example-resources',
        'location:default/example-systems',
        'airesource:default/frontend-design',
        'airesource:default/use-internal-apis',
        'airesource:default/code-review-plugin',
        'api:default/inpixonmappingsdk',
        'api:default/wokplaceanalytics',
        'api:default/awareproducerservice',
        'api:default/awarecoreinsight',
        'api:default/analytics',
        'api:default/mapanalytics',
        'api:default/odpanalytics',
        'component:default/wokplaceanalytics',
        'component:default/jacs',
        'component:default/aware',
        'component:default/analyticsapi',
        'component:default/mapanalyticsapi',
        'component:default/odpanalyticsapi',
        'domain:default/audio',
        'domain:default/artists',
        'domain:default/playback',
        'resource:default/artists-db',
        'system:default/artist-engagement-portal',
        'system:default/audio-playback',
        'system:default/podcast',
      ].sort(),
    );
    expect(fileProblems(result)).toEqual([]);
    expect(result.files).toHaveLength(30);
  });

  it('acme/org.yaml loads exactly the 26 groups and users its Location tree reaches', async () => {
    const result = await register('acme/org.yaml');
    expect(sortedRefs(result)).toEqual(
      [
        'group:default/acme-corp',
        'location:default/example-groups',
        'group:default/infrastructure',
        'group:default/boxoffice',
        'group:default/backstage',
        'group:default/team-a',
        'user:default/breanna.davison',
        'user:default/janelle.dawe',
        'user:default/nigel.manning',
        'user:default/guest',
        'user:development/guest',
        'group:default/team-b',
        'user:default/amelia.park',
        'user:default/colette.brock',
        'user:default/jenny.doe',
        'user:default/jonathon.page',
        'user:default/justine.barrow',
        'group:default/team-c',
        'user:default/calum.leavy',
        'user:default/frank.tiernan',
        'user:default/peadar.macmahon',
        'user:default/sarah.gilroy',
        'user:default/tara.macgovern',
        'group:default/team-d',
        'user:default/eva.macdowell',
        'user:default/lucy.sheehan',
      ].sort(),
    );
    expect(fileProblems(result)).toEqual([]);
  });

  it('the folder with **/*.yaml loads every entity document with its relations; the invalid one and the OpenAPI files are reported', async () => {
    const result = await register('**/*.yaml');
    expect(result.files).toHaveLength(76);
    expect(result.entities).toHaveLength(91);
    expect(new Set(sortedRefs(result)).size).toBe(91);

    const problems = fileProblems(result);
    expect(problems.map((p) => [p.level, p.file.slice(examples().length + 1), p.line, p.field])).toEqual([
      ['warning', 'apis/petstore-webhook.oas.yaml', 1, undefined],
      ['warning', 'apis/petstore.oas.yaml', 1, undefined],
      ['error', 'components/invalid-component.yaml', 4, 'metadata.name'],
      ['error', 'components/invalid-component.yaml', 11, 'metadata.tags[1]'],
    ]);
    expect(problems[0]?.message).toBe('The document is not a catalog entity (it is an OpenAPI 3.1.0 document): it has no apiVersion, kind or metadata, so it is skipped.');
    expect(problems[2]?.message).toBe(
      `metadata.name "invalid component" is not a valid entity name: expected letters and digits separated by '-', '_' or '.', at most 63 characters.`,
    );

    const { relations, problems: missing } = relateEntities(result.entities);
    expect(relations).toHaveLength(234);
    expect(missing).toHaveLength(21);
    expect(relations.filter((r) => r.missing)).toHaveLength(42);
    expect(relations).toContainEqual({ source: 'component:default/artist-lookup', type: 'dependsOn', target: 'resource:default/artists-db' });
    expect(relations).toContainEqual({ source: 'system:default/podcast', type: 'ownedBy', target: 'user:default/team-b', missing: 'target' });
  });

  it('keeps entities whose remote placeholders cannot be read, with a warning each', async () => {
    const result = await register('**/*.yaml');
    const warned = result.entities.filter((e) => e.problems.length > 0);
    // 11 API files hold a `$text: http…` placeholder (grep), and one API is of the plugin type ai-model-server.
    expect(warned).toHaveLength(12);
    expect(warned.every((e) => e.problems.every((p) => p.level === 'warning'))).toBe(true);
    const webhook = result.entities.find((e) => e.ref === 'api:default/petstore-webhook');
    expect(String(webhook?.entity.spec.definition)).toMatch(/^openapi: 3\.1\.0/);
  });
});
