import { dirname, isAbsolute } from 'node:path';
import { isDynamicPattern } from 'tinyglobby';
import { InputError } from '../domain/errors.js';
import { type BackstageReadOptions, readBackstageCatalog } from './backstage-catalog.js';
import { ACCOUNT_SCOPE, type Scope } from '../domain/scope.js';
import { admitEntities, type CatalogEntity, type CatalogProblem, type EntitySource } from './entity.js';
import { parseCatalogFile, type LocationTarget } from './parse.js';
import { isInside } from './reading-policy.js';
import { absoluteAddress, isBackstageAddress, isUrl, resolveAddress } from './source-address.js';
import { nodeSourceReader, type SourceReader, type SourceReaderOptions } from './source-reader.js';

/** What a folder is searched for when no pattern is given. */
export const DEFAULT_PATTERN = '**/catalog-info.yaml';

export interface ReadCatalogOptions extends SourceReaderOptions {
  /** The scope the location is registered under; Backstage-format entities live there. Default: the account. */
  scope?: Scope;
  /** For a folder: the glob its files must match. Default `**\/catalog-info.yaml`. */
  pattern?: string;
  /** Stands in for the disk and the network (tests); default: nodeSourceReader(timeoutMs, maxBytes). */
  reader?: SourceReader;
  /**
   * Entity refs already defined by other locations: an entity here with one of those refs is a
   * conflict, reported on this location, and the first definition stays.
   */
  known?: ReadonlyMap<string, EntitySource>;
  /** Where a relative input path starts. Default: the process's working folder. */
  cwd?: string;
  /** Files read at the same time. Default 16. */
  concurrency?: number;
  /** Resolve `$text`/`$json`/`$yaml` placeholders. Default true. */
  placeholders?: boolean;
  /** How a `backstage+https://…` location is read (its token, page size and bounds); `reader` does not stand in for it. */
  backstage?: BackstageReadOptions | undefined;
}

/** What reading one file or URL gave. */
export interface CatalogFileReport {
  file: string;
  /** Refs of the entities loaded from the file. */
  entities: string[];
  /** Documents not loaded, and problems with the file itself (unreadable, too large, a cycle, a conflict). */
  problems: CatalogProblem[];
}

export interface CatalogReadResult {
  /** The location as registered: an absolute path, glob or URL. */
  location: string;
  scope: Scope;
  entities: CatalogEntity[];
  /** Every file or URL reached, in the order read. */
  files: CatalogFileReport[];
}

interface Visit {
  address: string;
  /** The Location target that led here; absent for the files the location starts from. */
  via?: LocationTarget;
}

interface Edge {
  from: string;
  to: string;
  via: LocationTarget;
}

/**
 * Reads a catalog location: a file, a folder (its `catalog-info.yaml` files, or `pattern`), a glob,
 * or an http(s) URL, following Location entities' targets relative to the file or URL that holds
 * them; or a running Backstage's catalog (backstage-catalog.ts). Each file is read once, however
 * many Locations name it; cycles are reported. Nothing here throws for bad input: every problem
 * is reported on the file it concerns.
 */
export async function readCatalog(input: string, options: ReadCatalogOptions = {}): Promise<CatalogReadResult> {
  if (isBackstageAddress(input)) return readBackstageCatalog(input, options);
  const reader = options.reader ?? nodeSourceReader(options);
  const scope = options.scope ?? ACCOUNT_SCOPE;
  const location = absoluteAddress(input, options.cwd ?? process.cwd());
  const start = await startingFiles(location, options.pattern ?? DEFAULT_PATTERN, reader);
  if ('error' in start) {
    return { location, scope, entities: [], files: [{ file: location, entities: [], problems: [{ level: 'error', message: start.error, file: location, code: 'unreadable' }] }] };
  }

  const entities: CatalogEntity[] = [];
  const files: CatalogFileReport[] = [];
  const defined = new Map(options.known ?? []);
  const visited = new Set(start.files);
  const edges: Edge[] = [];
  const context: FileContext = { location, folder: start.folder, scope, reader, placeholders: options.placeholders ?? true };
  const readOne = (visit: Visit) => readFile(visit, context);

  let level: Visit[] = start.files.map((address) => ({ address }));
  while (level.length > 0) {
    const results = await mapLimit(level, options.concurrency ?? 16, readOne);
    const next: Visit[] = [];
    for (const [i, visit] of level.entries()) {
      const result = results[i];
      if (!result) continue;
      const report: CatalogFileReport = { file: visit.address, entities: [], problems: result.problems };
      files.push(report);
      report.entities.push(...admitEntities(result.entities, defined, entities, report.problems));
      for (const target of result.locationTargets) {
        if (!report.entities.includes(target.location)) continue;
        const followed = await follow(target, visit.address, context);
        if ('problem' in followed) {
          report.problems.push(followed.problem);
          continue;
        }
        for (const address of followed.addresses) {
          edges.push({ from: visit.address, to: address, via: target });
          if (visited.has(address)) continue;
          visited.add(address);
          next.push({ address, via: target });
        }
      }
    }
    level = next;
  }
  for (const { edge, cycle } of findCycles(edges)) {
    files.find((f) => f.file === edge.from)?.problems.push({
      level: 'error',
      message: `The Location target ${JSON.stringify(edge.via.target)} leads back into a cycle of Locations (${cycle.join(' → ')}); it is not followed again.`,
      ...edge.via.place,
    });
  }
  return { location, scope, entities, files };
}

/**
 * The files a location starts from, and for a file location the folder every file it reaches must
 * lie in (the reading policy): the registered folder, the folder of the registered file, or the
 * fixed start of the glob.
 */
async function startingFiles(location: string, pattern: string, reader: SourceReader): Promise<{ files: string[]; folder?: string } | { error: string }> {
  if (isUrl(location)) return { files: [location] };
  const kind = await reader.kindOf(location);
  if (kind === 'file') return { files: [location], folder: dirname(location) };
  if (kind === 'directory') {
    const files = await reader.listFiles(location, pattern);
    return files.length > 0 ? { files, folder: location } : { error: `The folder ${location} holds no file matching ${pattern}, so it defines no entity.` };
  }
  if (isDynamicPattern(location)) {
    const { directory, pattern: glob } = splitGlob(location);
    const files = await reader.listFiles(directory, glob);
    return files.length > 0 ? { files, folder: directory } : { error: `No file matches ${location}, so it defines no entity.` };
  }
  return { error: `The file or folder ${location} does not exist.` };
}

/** `/a/b/**\/*.yaml` → folder `/a/b`, pattern `**\/*.yaml`. */
function splitGlob(path: string): { directory: string; pattern: string } {
  const parts = path.split('/');
  const first = parts.findIndex((part) => isDynamicPattern(part));
  return { directory: parts.slice(0, first).join('/') || '/', pattern: parts.slice(first).join('/') };
}

interface FileContext {
  location: string;
  /** For a file location, the folder its files must lie in; undefined for a URL. */
  folder: string | undefined;
  scope: Scope;
  reader: SourceReader;
  placeholders: boolean;
}

type FileResult = { entities: CatalogEntity[]; problems: CatalogProblem[]; locationTargets: LocationTarget[] } | undefined;

async function readFile({ address, via }: Visit, context: FileContext): Promise<FileResult> {
  let text: string;
  try {
    // An optional target that is not there is fine (Backstage's `presence: optional`).
    if (via?.optional && !isUrl(address) && (await context.reader.kindOf(address)) === 'missing') return undefined;
    // The registered file itself was named by whoever registered it; what it leads to is confined.
    text = await context.reader.readText(address, address === context.location ? undefined : context.folder);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const problem: CatalogProblem = via
      ? { level: 'error', message: `The target ${JSON.stringify(via.target)} of the Location ${via.location} cannot be read: ${reason}`, ...via.place, code: 'unreadable' }
      : { level: 'error', message: reason, file: address, code: 'unreadable' };
    return { entities: [], problems: [problem], locationTargets: [] };
  }
  const readRelated = async (target: string) => {
    const resolved = resolveAddress(target, address);
    if ('error' in resolved) throw new InputError(resolved.error);
    const refused = placeholderRefusal(target, resolved.address, address, context.folder);
    if (refused) throw new InputError(refused);
    return context.reader.readText(resolved.address, context.folder);
  };
  return parseCatalogFile(text, {
    file: address,
    location: context.location,
    scope: context.scope,
    ...(context.placeholders ? { readRelated } : {}),
  });
}

/**
 * Why the reading policy refuses a placeholder, or undefined: in a file read from a URL it reads
 * only from the same origin; in a file location only a relative path inside the location's folder
 * (a URL there is read under the policy for URLs).
 */
function placeholderRefusal(target: string, address: string, holder: string, folder: string | undefined): string | undefined {
  if (isUrl(holder)) {
    const origin = new URL(holder).origin;
    if (new URL(address).origin === origin) return undefined;
    return `The URL ${address} is refused: a placeholder in a file read from a URL may only read from the same origin (${origin}).`;
  }
  if (isUrl(address)) return undefined;
  if (isAbsolute(target.trim())) return `The path ${JSON.stringify(target)} is refused: a placeholder may only name a relative path inside the folder of its catalog location.`;
  if (folder !== undefined && !isInside(address, folder)) return `The path ${JSON.stringify(target)} is refused: it leads outside the folder ${folder} of its catalog location.`;
  return undefined;
}

/** The addresses a Location target names: one file or URL, or every file a glob matches. */
async function follow(target: LocationTarget, holder: string, { folder, reader }: FileContext): Promise<{ addresses: string[] } | { problem: CatalogProblem }> {
  const fail = (message: string) => ({ problem: { level: 'error' as const, message, ...target.place } });
  if (target.type !== undefined && target.type !== 'file' && target.type !== 'url') {
    return { problem: { level: 'warning', message: `The Location ${target.location} has the type ${JSON.stringify(target.type)}, which Lantern does not follow: expected "file" or "url".`, ...target.place } };
  }
  if (target.type === 'file' && isUrl(holder)) {
    return fail(`The Location ${target.location} was read from a URL, so it cannot point at a local file (${JSON.stringify(target.target)}): use type "url".`);
  }
  const resolved = resolveAddress(target.target, holder);
  if ('error' in resolved) return fail(`The target of the Location ${target.location} cannot be followed: ${resolved.error}`);
  if (!isUrl(resolved.address) && folder !== undefined && !isInside(isDynamicPattern(resolved.address) ? splitGlob(resolved.address).directory : resolved.address, folder)) {
    return fail(`The target ${JSON.stringify(target.target)} of the Location ${target.location} is refused: it leads outside the folder ${folder} of its catalog location.`);
  }
  if (isUrl(resolved.address) || !isDynamicPattern(resolved.address)) return { addresses: [resolved.address] };
  const { directory, pattern } = splitGlob(resolved.address);
  const addresses = await reader.listFiles(directory, pattern);
  if (addresses.length === 0 && !target.optional) {
    return { problem: { level: 'warning', message: `The Location target ${JSON.stringify(target.target)} matches no file.`, ...target.place } };
  }
  return { addresses };
}

/** Each Location edge that closes a cycle, with the cycle it closes. */
function findCycles(edges: readonly Edge[]): Array<{ edge: Edge; cycle: string[] }> {
  const outgoing = new Map<string, Edge[]>();
  for (const edge of edges) outgoing.set(edge.from, [...(outgoing.get(edge.from) ?? []), edge]);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: Array<{ edge: Edge; cycle: string[] }> = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const edge of outgoing.get(node) ?? []) {
      const seen = state.get(edge.to);
      if (seen === 'open') found.push({ edge, cycle: [...stack.slice(stack.indexOf(edge.to)), edge.to] });
      else if (seen === undefined) visit(edge.to);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const edge of edges) if (!state.has(edge.from)) visit(edge.from);
  return found;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
