import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { InputError } from '../../src/domain/errors.js';
import type { ParsedReport } from '../../src/domain/finding.js';
import type { SeverityCounts } from '../../src/domain/severity.js';
import { FORMATS, parseReport } from '../../src/formats/index.js';
import { countIssues, groupFindings } from '../../src/ingest/group.js';
import { readShared, sharedAvailable, sharedPath } from './shared-fixtures.js';
import { parseAll, parseWith, type ReadReport } from './formats-read.js';

/**
 * What the format tests share: reading a parser's own testdata, counting issues the way ingest
 * does, and checking that detection names exactly one format.
 */

/** Reads `src/formats/testdata/<format>/<file>` through the registry, with an optional --format. */
export function parseTestdata(format: string, file: string, named?: string): ReadReport {
  return parseAll(readTestdata(format, file), { source: `testdata/${format}/${file}`, format: named });
}

export function readTestdata(format: string, file: string): Buffer {
  return readFileSync(new URL(`../../src/formats/testdata/${format}/${file}`, import.meta.url));
}

export function testdataFiles(format: string): string[] {
  return readdirSync(new URL(`../../src/formats/testdata/${format}/`, import.meta.url)).sort();
}

/** Reads one real report from ../shared/fixtures/scans/<dir>/<file> through the registry. */
export function parseShared(dir: string, file: string): ReadReport {
  return parseAll(readShared('scans', dir, file), { source: file });
}

export function sharedFiles(dir: string): string[] {
  return sharedAvailable ? readdirSync(sharedPath('scans', dir)).sort() : [];
}

/** Issues per severity: one per fingerprint at its worst severity (ingest/group.ts). */
export function issueCounts(report: Pick<ParsedReport, 'findings'>): SeverityCounts {
  return countIssues(groupFindings(report.findings));
}

/** The registry names of every format whose detect() accepts the document. */
export function detectingFormats(input: Buffer | string): string[] {
  const doc: unknown = JSON.parse(input.toString());
  return FORMATS.filter((f) => f.detect(doc)).map((f) => f.name);
}

/** The real reports of every scanner directory except the given ones (empty files left out). */
export function otherScannersReports(except: string[]): { name: string; text: Buffer }[] {
  if (!sharedAvailable) return [];
  return readdirSync(sharedPath('scans'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !except.includes(entry.name))
    .flatMap((dir) => readdirSync(sharedPath('scans', dir.name)).map((file) => ({ name: `${dir.name}/${file}`, text: readShared('scans', dir.name, file) })))
    .filter((report) => report.text.toString().trim() !== '');
}

/**
 * parseReport of one testdata file with every other registered format named by --format: each
 * must fail with an InputError of one line. Returns the messages, in FORMATS order.
 */
export function wrongFormatMessages(format: string, file: string): { format: string; title: string; message: string }[] {
  const source = `testdata/${format}/${file}`;
  return FORMATS.filter((f) => f.name !== format).map((wrong) => {
    let message = '';
    try {
      parseAll(readTestdata(format, file), { source, format: wrong.name });
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      message = (error as Error).message;
    }
    expect(message).not.toContain('\n');
    return { format: wrong.name, title: wrong.title, message };
  });
}

const WRONG_VALUES: readonly unknown[] = [null, 42, -1.5, 'text', '', true, [], {}, [null], { x: 1 }];

/**
 * Every variant of a document with one value (at any depth) replaced by a value of another type:
 * the inputs a parser must survive without a TypeError.
 */
export function* withOneFieldBroken(doc: unknown): Generator<{ path: string; doc: unknown }> {
  function* walk(node: unknown, path: string, replace: (value: unknown) => unknown): Generator<{ path: string; doc: unknown }> {
    for (const wrong of WRONG_VALUES) yield { path: `${path} = ${JSON.stringify(wrong)}`, doc: replace(wrong) };
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        yield* walk(node[i], `${path}[${i}]`, (value) => replace(node.map((item, j) => (j === i ? value : item))));
      }
    } else if (typeof node === 'object' && node !== null) {
      for (const key of Object.keys(node)) {
        yield* walk((node as Record<string, unknown>)[key], `${path}.${key}`, (value) => replace({ ...node, [key]: value }));
      }
    }
  }
  yield* walk(doc, '$', (value) => value);
}
