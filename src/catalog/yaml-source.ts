import { Composer, isMap, isScalar, isSeq, LineCounter, Parser, type CST, type Document } from 'yaml';
import type { FieldPath } from './entity.js';

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/** One YAML document of a file, read to a plain value, that can say where each field is written. */
export interface YamlDocument {
  /** 1-based position among the file's documents, empty ones included. */
  index: number;
  /** Where the document's content starts. */
  start: SourcePosition;
  /** The document as plain data; undefined when `error` says why it could not be read. */
  value?: unknown;
  /** A syntax error, an alias bomb or a nesting too deep: the sentence and where it is. */
  error?: { message: string } & SourcePosition;
  /** Where a field is written; the nearest written ancestor when the field itself is absent. */
  locate(path: FieldPath): SourcePosition;
}

/**
 * Aliases a document may expand. Real catalog files use a handful; a "billion laughs" document
 * needs thousands, and expanding it would exhaust memory.
 */
export const MAX_ALIAS_COUNT = 100;

/**
 * Collections a document may nest. Entities need a dozen levels. The `yaml` package composes
 * documents recursively, and a few hundred levels (`- - - - …`, `[[[[…`, a few kilobytes) can make
 * V8 abort the whole process instead of throwing, so deeper documents are refused before they
 * are composed. The parse into CST tokens that measures the depth does not recurse.
 */
export const MAX_NESTING = 100;

/** Reads every document of a YAML stream; a broken document never hides its neighbours. */
export function readYamlStream(text: string): YamlDocument[] {
  const lineCounter = new LineCounter();
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  const at = (offset: number | undefined): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { line, column: col };
  };
  const tooDeep = new Map<number, number>();
  let documentIndex = 0;
  for (const token of tokens) {
    if (token.type !== 'document') continue;
    const deepest = deepestCollection(token.value);
    if (deepest !== undefined) {
      tooDeep.set(documentIndex, deepest);
      // An empty document stands in, so the documents after it keep their positions.
      delete token.value;
    }
    documentIndex++;
  }
  const documents = Array.from(new Composer().compose(tokens));
  return documents.map((document, i) => {
    const start = at(document.contents?.range[0] ?? document.range[0]);
    const locate = (path: FieldPath) => locateField(document, path, at) ?? start;
    const deepAt = tooDeep.get(i);
    if (deepAt !== undefined) {
      const message = `The document nests collections more than ${MAX_NESTING} levels deep, which no catalog entity needs; it was not read.`;
      return { index: i + 1, start, locate, error: { message, ...at(deepAt) } };
    }
    const firstError = document.errors[0];
    if (firstError) {
      return { index: i + 1, start, locate, error: { message: `YAML syntax error: ${sentence(firstError.message)}`, ...at(firstError.pos[0]) } };
    }
    try {
      return { index: i + 1, start, locate, value: document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const message = /alias/i.test(reason)
        ? `The document expands more than ${MAX_ALIAS_COUNT} YAML aliases, which looks like an alias bomb (nested anchors that multiply when read); it was not read.`
        : `The document could not be read: ${sentence(reason)}`;
      return { index: i + 1, start, locate, error: { message, ...start } };
    }
  });
}

/**
 * One YAML value (a `$yaml` placeholder's file, an annotation written as a string), with the same
 * guards as catalog files. Throws an Error with a sentence when it is not exactly one readable document.
 */
export function readYamlValue(text: string): unknown {
  const documents = readYamlStream(text);
  if (documents.length > 1) throw new Error(`The text holds ${documents.length} YAML documents; expected one.`);
  const [document] = documents;
  if (document?.error) throw new Error(`${document.error.message} (line ${document.error.line}, column ${document.error.column})`);
  return document?.value ?? null;
}

/** The offset of the first collection nested deeper than MAX_NESTING, found without recursion. */
function deepestCollection(root: CST.Token | undefined): number | undefined {
  const pending: Array<[CST.Token | null | undefined, number]> = [[root, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [token, depth] = next;
    if (!token || !('items' in token)) continue;
    if (depth + 1 > MAX_NESTING) return token.offset;
    for (const item of token.items) {
      if ('key' in item) pending.push([item.key, depth + 1]);
      if ('value' in item) pending.push([item.value, depth + 1]);
    }
  }
  return undefined;
}

function locateField(
  document: Document,
  path: FieldPath,
  at: (offset: number | undefined) => SourcePosition,
): SourcePosition | undefined {
  let node: unknown = document.contents;
  let found: SourcePosition | undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
      if (!pair) break;
      // A wrong value is best shown at the value; a missing or nested one at its key.
      const keyRange = isScalar(pair.key) ? pair.key.range : undefined;
      found = at(isScalar(pair.value) ? pair.value.range?.[0] : keyRange?.[0]);
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item: unknown = node.items[key];
      const range = (item as { range?: [number, number, number] } | undefined)?.range;
      if (!range) break;
      found = at(range[0]);
      node = item;
    } else {
      break;
    }
  }
  return found;
}

/** A library message as one sentence: capitalised, one final full stop. */
export function sentence(text: string): string {
  const trimmed = text.trim().replace(/\s+/g, ' ').replace(/[.:]+$/, '');
  return `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}.`;
}
