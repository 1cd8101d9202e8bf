import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Small feed files in the formats CISA and FIRST publish, written for a test. */
export interface KevFileEntry {
  cveID: string;
  dateAdded: string;
  dueDate?: string;
  knownRansomwareCampaignUse?: string;
}

export function feedDir(): string {
  return mkdtempSync(join(tmpdir(), 'lantern-feeds-'));
}

export function kevFile(dir: string, entries: KevFileEntry[], dateReleased = '2024-04-01T15:00:00.000Z', name = 'kev.json'): string {
  const path = join(dir, name);
  const vulnerabilities = entries.map((e) => ({ vendorProject: 'Acme', product: 'Widget', vulnerabilityName: `Acme Widget ${e.cveID}`, shortDescription: 'x', requiredAction: 'Apply updates.', notes: '', cwes: [], ...e }));
  writeFileSync(path, JSON.stringify({ title: 'CISA Catalog of Known Exploited Vulnerabilities', catalogVersion: '2024.04.01', dateReleased, count: entries.length, vulnerabilities }));
  return path;
}

export function epssText(scores: Array<[string, number, number]>, scoreDate = '2024-04-01'): string {
  return [`#model_version:v2023.03.01,score_date:${scoreDate}T00:00:00+0000`, 'cve,epss,percentile', ...scores.map(([cve, e, p]) => `${cve},${e},${p}`)].join('\n') + '\n';
}

export function epssFile(dir: string, scores: Array<[string, number, number]>, options: { gzip?: boolean; scoreDate?: string; name?: string } = {}): string {
  const text = epssText(scores, options.scoreDate);
  const path = join(dir, options.name ?? (options.gzip ? 'epss.csv.gz' : 'epss.csv'));
  writeFileSync(path, options.gzip ? gzipSync(text) : text);
  return path;
}
