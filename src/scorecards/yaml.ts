import { isDynamicPattern } from 'tinyglobby';
import { type CatalogProblem, formatFieldPath } from '../catalog/entity.js';
import { absoluteAddress, isUrl } from '../catalog/source-address.js';
import { nodeSourceReader, type SourceReader } from '../catalog/source-reader.js';
import type { FieldIssue } from '../catalog/validate.js';
import { readYamlStream, type YamlDocument } from '../catalog/yaml-source.js';
import { isObject } from '../formats/json.js';
import type { Check } from './checks.js';
import { API_VERSION, readCheck, readScorecard, type Scorecard } from './scorecard.js';

/** What a folder is searched for. */
export const SCORECARD_PATTERN = '**/*.{yaml,yml}';

/** Where a definition was read from. */
export interface DefinitionSource {
  file: string;
  document: number;
  line: number;
}

export interface ScorecardFiles {
  scorecards: Array<{ scorecard: Scorecard; source: DefinitionSource }>;
  /** Standalone checks (`kind: Check`) by id. */
  checks: Map<string, Check>;
  /** Every problem, as the catalog reports its own: file, document, line, column, field. */
  problems: CatalogProblem[];
}

export interface ScorecardFileOptions {
  reader?: SourceReader | undefined;
  /** Where a relative path starts. Default: the process's working folder. */
  cwd?: string | undefined;
}

/**
 * Reads scorecard files: each input a file, a folder (its YAML files), a glob or an http(s) URL;
 * each file a stream of YAML documents, each a `kind: Scorecard` or a `kind: Check`. Checks are
 * read first, from every file, so that a scorecard may name a check defined anywhere. A bad
 * document or scorecard is reported and skipped; the others load.
 */
export async function readScorecardFiles(inputs: readonly string[], options: ScorecardFileOptions = {}): Promise<ScorecardFiles> {
  const reader = options.reader ?? nodeSourceReader();
  const texts: Array<{ file: string; text: string }> = [];
  const problems: CatalogProblem[] = [];
  for (const input of inputs) {
    const location = absoluteAddress(input, options.cwd ?? process.cwd());
    const files = await filesOf(location, reader);
    if ('error' in files) {
      problems.push({ level: 'error', message: files.error, file: location, code: 'unreadable' });
      continue;
    }
    for (const file of files.files) {
      if (texts.some((t) => t.file === file)) continue;
      try {
        texts.push({ file, text: await reader.readText(file) });
      } catch (error) {
        problems.push({ level: 'error', message: error instanceof Error ? error.message : String(error), file, code: 'unreadable' });
      }
    }
  }
  const parsed = parseScorecardFiles(texts);
  return { ...parsed, problems: [...problems, ...parsed.problems] };
}

async function filesOf(location: string, reader: SourceReader): Promise<{ files: string[] } | { error: string }> {
  if (isUrl(location)) return { files: [location] };
  const kind = await reader.kindOf(location);
  if (kind === 'file') return { files: [location] };
  if (kind === 'directory') {
    const files = await reader.listFiles(location, SCORECARD_PATTERN);
    return files.length > 0 ? { files } : { error: `The folder ${location} holds no YAML file, so it defines no scorecard.` };
  }
  if (isDynamicPattern(location)) {
    const parts = location.split('/');
    const first = parts.findIndex((part) => isDynamicPattern(part));
    const files = await reader.listFiles(parts.slice(0, first).join('/') || '/', parts.slice(first).join('/'));
    return files.length > 0 ? { files } : { error: `No file matches ${location}, so it defines no scorecard.` };
  }
  return { error: `The scorecard file or folder ${location} does not exist.` };
}

interface ReadDocument {
  file: string;
  document: YamlDocument;
  kind: 'Scorecard' | 'Check';
  value: Record<string, unknown>;
}

/** The texts of scorecard files to definitions and problems: pure. */
export function parseScorecardFiles(texts: ReadonlyArray<{ file: string; text: string }>): ScorecardFiles {
  const problems: CatalogProblem[] = [];
  const documents: ReadDocument[] = [];
  for (const { file, text } of texts) {
    const stream = readYamlStream(text.replace(/^\uFEFF/, ''));
    if (stream.length === 0) problems.push({ level: 'warning', message: 'The file holds no YAML document, so it defines no scorecard.', file });
    for (const document of stream) {
      const at = { file, document: document.index };
      if (document.error) {
        const { message, line, column } = document.error;
        problems.push({ level: 'error', message, ...at, line, column });
        continue;
      }
      const value = document.value;
      if (value === null || value === undefined) continue;
      const kind = isObject(value) ? value.kind : undefined;
      if (!isObject(value) || (kind !== 'Scorecard' && kind !== 'Check')) {
        const field = isObject(value) && kind !== undefined ? { ...document.locate(['kind']), field: 'kind' } : document.start;
        problems.push({
          level: 'error',
          message: `The document is ${isObject(value) ? (kind === undefined ? 'a mapping without kind' : `of kind ${JSON.stringify(kind)}`) : 'not a mapping'}: expected kind Scorecard or Check (apiVersion ${API_VERSION}).`,
          ...at,
          ...field,
        });
        continue;
      }
      documents.push({ file, document, kind, value });
    }
  }

  const report = (doc: ReadDocument, issues: FieldIssue[]) => {
    for (const issue of issues) {
      problems.push({
        level: issue.level,
        message: issue.message,
        file: doc.file,
        document: doc.document.index,
        ...doc.document.locate(issue.path),
        ...(issue.path.length > 0 ? { field: formatFieldPath(issue.path) } : {}),
      });
    }
  };
  const sourceOf = (doc: ReadDocument): DefinitionSource => ({ file: doc.file, document: doc.document.index, line: doc.document.start.line });
  const duplicate = (doc: ReadDocument, what: string, id: string, first: DefinitionSource) =>
    report(doc, [{ level: 'error', path: ['id'], message: `The ${what} id ${JSON.stringify(id)} is already defined in ${first.file} (document ${first.document}, line ${first.line}); this definition is skipped.` }]);

  const checks = new Map<string, Check>();
  const checkSources = new Map<string, DefinitionSource>();
  for (const doc of documents.filter((d) => d.kind === 'Check')) {
    const { definition, issues } = readCheck(doc.value);
    report(doc, issues);
    if (!definition) continue;
    const first = checkSources.get(definition.id);
    if (first) duplicate(doc, 'check', definition.id, first);
    else {
      checks.set(definition.id, definition);
      checkSources.set(definition.id, sourceOf(doc));
    }
  }
  const scorecards: ScorecardFiles['scorecards'] = [];
  for (const doc of documents.filter((d) => d.kind === 'Scorecard')) {
    const { definition, issues } = readScorecard(doc.value, checks);
    report(doc, issues);
    if (!definition) continue;
    const first = scorecards.find((s) => s.scorecard.id === definition.id);
    if (first) duplicate(doc, 'scorecard', definition.id, first.source);
    else scorecards.push({ scorecard: definition, source: sourceOf(doc) });
  }
  const order = new Map(texts.map((t, i) => [t.file, i]));
  problems.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || (a.document ?? 0) - (b.document ?? 0) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { scorecards, checks, problems };
}
