/**
 * Catalog reading speed: a generated catalog of 10 000 entities in 1 000 files, read with
 * readCatalog (disk, YAML, validation, references, target links) plus relateEntities, next to the
 * time the `yaml` package alone takes to parse the same files already in memory.
 * Goal (issue #4): within 3x of the parse-only time.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseAllDocuments } from 'yaml';
import { readCatalog } from '../src/catalog/read.js';
import { relateEntities } from '../src/catalog/relations.js';

const FILES = 1000;
const ENTITIES_PER_FILE = 10;
const ROUNDS = 3;

function catalogFile(i: number): string {
  const id = String(i).padStart(4, '0');
  const team = `team-${i % 50}`;
  const documents = [
    `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: svc-${id}
  title: Service ${id}
  description: Generated service number ${id}
  tags: [java, generated]
  links:
    - url: https://runbooks.example.com/svc-${id}
      title: Runbook
  annotations:
    backstage.io/source-location: url:https://github.com/acme/svc-${id}/tree/main/
    harness.io/sto-test-target:
      - name: registry.acme.io/svc-${id}
        variant: latest
      - name: acme/svc-${id}-config
        scope: account
spec:
  type: service
  lifecycle: production
  owner: ${team}
  system: system-${i % 100}
  providesApis: [api-${id}]
  dependsOn: ['resource:db-${id}']`,
    `apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: api-${id}
  description: API of service ${id}
spec:
  type: openapi
  lifecycle: production
  owner: ${team}
  system: system-${i % 100}
  definition: |
    openapi: 3.0.0
    info:
      title: api-${id}
      version: 1.0.0
    paths: {}`,
    `apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: db-${id}
spec:
  type: database
  owner: ${team}
  system: system-${i % 100}`,
  ];
  // The groups and systems the services refer to live in the first 150 files, so every reference resolves.
  if (i < 50) documents.push(`apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-${i}\nspec:\n  type: team\n  children: []`);
  else if (i < 150) documents.push(`apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: system-${i - 50}\nspec:\n  owner: team-${i % 50}`);
  for (let k = 1; documents.length < ENTITIES_PER_FILE; k++) {
    documents.push(`apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: svc-${id}-part-${k}
  labels:
    acme.io/tier: t${k}
  annotations:
    harness.io/sto-test-target: '[{"name": "acme/svc-${id}", "variant": "release-${k}"}]'
spec:
  type: library
  lifecycle: experimental
  owner: ${team}
  subcomponentOf: svc-${id}
  consumesApis: [api-${id}]`);
  }
  return `${documents.join('\n---\n')}\n`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'lantern-catalog-bench-'));
  try {
    const paths: string[] = [];
    for (let i = 0; i < FILES; i++) {
      const folder = join(root, `svc-${String(i).padStart(4, '0')}`);
      await mkdir(folder);
      const path = join(folder, 'catalog-info.yaml');
      await writeFile(path, catalogFile(i));
      paths.push(path);
    }
    const texts = await Promise.all(paths.map((p) => readFile(p, 'utf8')));

    const parseTimes: number[] = [];
    const readTimes: number[] = [];
    let parsed = 0;
    let loaded = 0;
    let problems = 0;
    for (let round = 0; round < ROUNDS; round++) {
      let started = performance.now();
      parsed = 0;
      for (const text of texts) for (const document of parseAllDocuments(text)) if (document.toJS()) parsed++;
      parseTimes.push(performance.now() - started);

      started = performance.now();
      const result = await readCatalog(root, { scope: { level: 'project', org: 'acme', project: 'bench' } });
      const relations = relateEntities(result.entities);
      readTimes.push(performance.now() - started);
      loaded = result.entities.length;
      problems = result.files.reduce((n, f) => n + f.problems.length, 0) + result.entities.reduce((n, e) => n + e.problems.length, 0) + relations.problems.length;
    }

    const parseMs = median(parseTimes);
    const readMs = median(readTimes);
    const rate = (count: number, ms: number) => Math.round((count / ms) * 1000).toLocaleString('en-US');
    console.log(`catalog: ${loaded} entities in ${FILES} files (${parsed} YAML documents), median of ${ROUNDS} rounds`);
    console.log(`  readCatalog + relateEntities  ${readMs.toFixed(0).padStart(6)} ms  ${rate(loaded, readMs)} entities/s`);
    console.log(`  yaml parse only (in memory)   ${parseMs.toFixed(0).padStart(6)} ms  ${rate(parsed, parseMs)} documents/s`);
    console.log(`  ratio ${(readMs / parseMs).toFixed(2)}x (goal: at most 3x); problems reported: ${problems}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
