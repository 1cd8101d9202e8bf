import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeShared, readShared, sharedAvailable, sharedPath } from '../../test/support/shared-fixtures.js';
import { InputError } from '../domain/errors.js';
import { aqua } from './aqua.js';
import { checkov } from './checkov.js';
import type { ReportFormat } from './format.js';
import { generic } from './generic.js';
import { gitleaks } from './gitleaks.js';
import { FORMATS, findFormat, parseReport } from './index.js';
import { osv } from './osv.js';
import { semgrep } from './semgrep.js';
import { parseAll, parseWith } from '../../test/support/formats-read.js';

/**
 * Detection of the Aqua, OSV-Scanner, Semgrep, Gitleaks, Checkov and generic formats: every
 * sample is recognised by exactly one registered format, the empty documents only by name, and
 * none of these formats claims a Trivy, SARIF, Snyk or Grype report.
 */

const SCANNERS: readonly ReportFormat[] = [aqua, osv, semgrep, gitleaks, checkov, generic];

/** The parsed document, or undefined for a file that holds no JSON (a 0-byte report). */
function documentOf(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  return text.trim() === '' ? undefined : JSON.parse(text);
}

const detectedBy = (doc: unknown) => FORMATS.filter((f) => f.detect(doc)).map((f) => f.name);

interface Sample {
  format: string;
  file: string;
  bytes: Buffer;
}

/** Own samples sit in testdata/<format>/; those named empty-* carry no sign of their format. */
const ownSamples: Sample[] = SCANNERS.flatMap(({ name }) => {
  const dir = new URL(`./testdata/${name}/`, import.meta.url);
  return readdirSync(dir).map((file) => ({ format: name, file, bytes: readFileSync(new URL(file, dir)) }));
});

/** Shared fixtures whose content names no format (`{}`, a 0-byte file, `null`). */
const SHARED_EMPTY = new Set(['aqua/no_vuln.json', 'osv/no_findings.json', 'gitleaks/no_findings.json']);
const sharedSamples = (): Sample[] =>
  sharedAvailable
    ? ['aqua', 'osv', 'semgrep', 'gitleaks', 'checkov'].flatMap((format) =>
        readdirSync(sharedPath('scans', format)).map((file) => ({ format, file, bytes: readShared('scans', format, file) })),
      )
    : [];

function expectDetection({ format, file, bytes }: Sample, empty: boolean) {
  const doc = documentOf(bytes);
  if (empty) {
    expect(detectedBy(doc)).toEqual([]);
    expect(SCANNERS.filter((f) => f.acceptsEmpty?.(doc)).map((f) => f.name)).toContain(format);
    expect(parseAll(bytes, { source: file, format }).findings).toEqual([]);
  } else {
    expect(detectedBy(doc)).toEqual([format]);
    expect(parseAll(bytes, { source: file }).format).toBe(format);
  }
}

function expectWrongFormatRejected({ format, file, bytes }: Sample) {
  const expected = findFormat(format);
  for (const wrong of SCANNERS.filter((f) => f.name !== format)) {
    const run = () => parseAll(bytes, { source: file, format: wrong.name });
    expect(run).toThrow(InputError);
    expect(run).toThrow(`${file}: does not look like ${wrong.title}: it looks like ${expected.title}; use --format ${format} or leave --format out.`);
  }
}

describe('each own sample is detected by exactly one format', () => {
  it.each(ownSamples.map((s) => [`${s.format}/${s.file}`, s] as const))('%s', (_name, sample) => {
    expectDetection(sample, sample.file.startsWith('empty-'));
  });

  it('covers an empty sample of every format that has one', () => {
    expect(ownSamples.filter((s) => s.file.startsWith('empty-')).map((s) => `${s.format}/${s.file}`)).toEqual([
      'aqua/empty-object.json', 'osv/empty-file.json', 'gitleaks/empty-array.json', 'gitleaks/empty-null.json',
    ]);
  });
});

describe('the wrong --format is one line naming the file and the right format', () => {
  it.each(ownSamples.filter((s) => !s.file.startsWith('empty-')).map((s) => [`${s.format}/${s.file}`, s] as const))('%s', (_name, sample) => {
    expectWrongFormatRejected(sample);
  });
});

describe('none of these formats claims a report of Trivy, SARIF, Snyk or Grype', () => {
  const vulnerability = { VulnerabilityID: 'CVE-2021-1', PkgName: 'openssl', InstalledVersion: '1.1.1', Severity: 'HIGH' };
  it.each([
    ['Trivy', { SchemaVersion: 2, ArtifactName: 'alpine:3.12', ArtifactType: 'container_image', Results: [{ Target: 'alpine 3.12', Vulnerabilities: [vulnerability] }] }],
    ['Trivy without results', { SchemaVersion: 2, ArtifactName: '.', Results: [] }],
    ['SARIF', { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [{ tool: { driver: { name: 'gitleaks', rules: [] } }, results: [] }] }],
    ['SARIF without $schema', { version: '2.1.0', runs: [] }],
    ['Snyk', { vulnerabilities: [{ id: 'SNYK-JS-1', packageName: 'lodash', version: '4.17.15', severity: 'high' }], packageManager: 'npm', ok: false, projectName: 'web' }],
    ['Snyk all projects', [{ vulnerabilities: [], packageManager: 'npm', ok: true }, { vulnerabilities: [], packageManager: 'pip', ok: true }]],
    ['Grype', { matches: [{ vulnerability: { id: 'CVE-2021-1', severity: 'High' }, artifact: { name: 'openssl', version: '1.1.1' } }], source: { type: 'image' }, descriptor: { name: 'grype', version: '0.74.0' } }],
  ])('%s', (_name, doc) => {
    expect(SCANNERS.filter((f) => f.detect(doc)).map((f) => f.name)).toEqual([]);
  });
});

describeShared('none of these formats claims a shared fixture of Trivy, SARIF, Snyk or Grype', () => {
  const foreign = sharedAvailable
    ? ['trivy', 'sarif', 'snyk', 'grype'].flatMap((dir) => readdirSync(sharedPath('scans', dir)).map((file) => [`${dir}/${file}`, dir, file] as const))
    : [];
  it.each(foreign)('%s', (_name, dir, file) => {
    const doc = documentOf(readShared('scans', dir, file));
    expect(SCANNERS.filter((f) => f.detect(doc)).map((f) => f.name)).toEqual([]);
  });
});

describeShared('each shared fixture of these scanners is detected by exactly one format', () => {
  it.each(sharedSamples().map((s) => [`${s.format}/${s.file}`, s] as const))('%s', (name, sample) => {
    expectDetection(sample, SHARED_EMPTY.has(name));
    if (!SHARED_EMPTY.has(name)) expectWrongFormatRejected(sample);
  });
});
