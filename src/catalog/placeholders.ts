import { isObject, type JsonObject } from '../formats/json.js';
import type { FieldPath } from './entity.js';
import { formatFieldPath } from './entity.js';
import { readYamlValue, sentence } from './yaml-source.js';

/**
 * Backstage's placeholders: an object whose only key is `$text`, `$json` or `$yaml` is replaced by
 * the text, JSON or YAML at the address it gives, relative to the file that holds it.
 */
const READERS: Record<string, (text: string) => unknown> = {
  $text: (text) => text,
  $json: readJson,
  $yaml: readYamlValue,
};

/** JSON.parse's own message quotes the text, which must never reach an answer. */
function readJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error('The text is not valid JSON.');
  }
}

/** Reads the text a placeholder names, relative to the entity's file; rejects with a sentence. */
export type ReadRelated = (target: string) => Promise<string>;

export interface UnresolvedPlaceholder {
  path: FieldPath;
  message: string;
}

/**
 * Resolves every placeholder of an entity in place. One that cannot be read is left exactly as
 * written (so nothing is lost and a later refresh can resolve it) and reported.
 */
export async function resolvePlaceholders(entity: JsonObject, readRelated: ReadRelated | undefined): Promise<UnresolvedPlaceholder[]> {
  const found: Array<{ holder: Record<string | number, unknown>; key: string | number; path: FieldPath; name: string; target: unknown }> = [];
  collect(entity, [], found);
  const unresolved: UnresolvedPlaceholder[] = [];
  await Promise.all(
    found.map(async ({ holder, key, path, name, target }) => {
      const field = formatFieldPath(path);
      if (typeof target !== 'string' || target.trim() === '') {
        unresolved.push({ path, message: `The ${name} placeholder at ${field} is ${JSON.stringify(target)}: expected a relative path or URL; it is left unresolved.` });
        return;
      }
      if (!readRelated) {
        unresolved.push({ path, message: `The ${name} placeholder ${JSON.stringify(target)} at ${field} was not read (placeholders are off); it is left unresolved.` });
        return;
      }
      try {
        const text = await readRelated(target);
        holder[key] = READERS[name]?.(text);
      } catch (error) {
        const reason = sentence(error instanceof Error ? error.message : String(error));
        unresolved.push({ path, message: `The ${name} placeholder ${JSON.stringify(target)} at ${field} could not be resolved, so it is left unresolved: ${reason}` });
      }
    }),
  );
  unresolved.sort((a, b) => formatFieldPath(a.path).localeCompare(formatFieldPath(b.path)));
  return unresolved;
}

function collect(
  node: unknown,
  path: FieldPath,
  found: Array<{ holder: Record<string | number, unknown>; key: string | number; path: FieldPath; name: string; target: unknown }>,
): void {
  const entries: Array<[string | number, unknown]> = Array.isArray(node) ? node.map((v, i) => [i, v]) : isObject(node) ? Object.entries(node) : [];
  for (const [key, value] of entries) {
    const name = placeholderName(value);
    if (name) found.push({ holder: node as Record<string | number, unknown>, key, path: [...path, key], name, target: (value as JsonObject)[name] });
    else if (typeof value === 'object' && value !== null) collect(value, [...path, key], found);
  }
}

function placeholderName(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] !== undefined && keys[0] in READERS ? keys[0] : undefined;
}
