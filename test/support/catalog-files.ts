import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Catalog files for the link tests: components of team-a whose `harness.io/sto-test-target`
 * annotation lists the given links (as the JSON the annotation takes), and optionally a
 * `backstage.io/source-location`.
 */

export interface LinkedComponent {
  entity: string;
  links: ReadonlyArray<{ name: string; scope?: string; variant?: string }>;
  /** The source location's value, `url:` prefix included. */
  source?: string;
}

/** One component's YAML document. */
export function linkedComponent({ entity, links, source }: LinkedComponent): string {
  return [
    'apiVersion: backstage.io/v1alpha1',
    'kind: Component',
    'metadata:',
    `  name: ${entity}`,
    '  annotations:',
    `    harness.io/sto-test-target: '${JSON.stringify(links)}'`,
    ...(source ? [`    backstage.io/source-location: ${source}`] : []),
    'spec:',
    '  type: service',
    '  lifecycle: production',
    '  owner: team-a',
  ].join('\n');
}

/** Writes `catalog-info.yaml` in `dir` with these documents; returns its path. */
export function writeCatalogFile(dir: string, docs: readonly string[]): string {
  const file = join(dir, 'catalog-info.yaml');
  writeFileSync(file, `${docs.join('\n---\n')}\n`);
  return file;
}
