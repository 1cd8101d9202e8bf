import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
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
  /** A syntax error or an alias bomb: the sentence and where it is. */
  error?: { message: string } & SourcePosition;
  /** Where a field is written; the nearest written ancestor when the field itself is absent. */
  locate(path: FieldPath): SourcePosition;
}

/**
 * Aliases a document may expand. Real catalog files use a handful; a "billion laughs" document
 * needs thousands, and expanding it would exhaust memory.
 */
export const MAX_ALIAS_COUNT = 100;

/** Reads every document of a YAML stream; a broken document never hides its neighbours. */
export function readYamlStream(text: string): YamlDocument[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: true });
  if (!Array.isArray(documents)) return [];
  const at = (offset: number | undefined): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { line, column: col };
  };
  return documents.map((document, i) => {
    const start = at(document.contents?.range[0] ?? document.range[0]);
    const locate = (path: FieldPath) => locateField(document, path, at) ?? start;
    const firstError = document.errors[0];
    if (firstError) {
      const position = firstError.linePos?.[0];
      return {
        index: i + 1,
        start,
        locate,
        error: {
          message: `YAML syntax error: ${sentence(firstError.message.split(' at line ')[0] ?? firstError.message)}`,
          line: position?.line ?? start.line,
          column: position?.col ?? start.column,
        },
      };
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
