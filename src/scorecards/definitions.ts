import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import type { CatalogProblem } from '../catalog/entity.js';
import { formatFieldPath } from '../catalog/entity.js';
import { ConflictError, InputError, NotFoundError } from '../domain/errors.js';
import type { Database } from '../store/schema.js';
import { deleteScorecard, saveScorecard, storedScorecards } from '../store/scorecards.js';
import type { Check } from './checks.js';
import { readScorecard, type Scorecard } from './scorecard.js';
import type { DefinitionSource, ScorecardFileOptions, ScorecardFiles } from './yaml.js';

type Db = Kysely<Database>;

/** The "Security baseline" scorecard that ships with Lantern. */
export const BUILT_IN_FILE = fileURLToPath(new URL('../../scorecards/security-baseline.yaml', import.meta.url));
export const BUILT_IN_ID = 'security-baseline';

export type ScorecardOrigin = 'built-in' | 'file' | 'api';

export interface DefinedScorecard extends Scorecard {
  origin: ScorecardOrigin;
  /** Where a built-in or file scorecard is written; null for one defined through the API. */
  source: DefinitionSource | null;
}

export interface ScorecardOptions extends ScorecardFileOptions {
  /** Scorecard files, folders, globs or URLs (`--scorecards`). */
  paths?: readonly string[] | undefined;
  /** Load the built-in Security baseline (default true). A file may redefine it by its id. */
  builtIn?: boolean | undefined;
}

const EMPTY: ScorecardFiles = { scorecards: [], checks: new Map(), problems: [] };

/**
 * The scorecards one Lantern evaluates: the built-in one, those of its scorecard files (read-only
 * here, edited in their files) and those defined through the API (stored in the database, so
 * every server sharing it sees them).
 */
export class ScorecardDefinitions {
  #files: Promise<{ builtIn: ScorecardFiles; files: ScorecardFiles }> | undefined;

  constructor(readonly options: ScorecardOptions = {}) {}

  /** Reads the built-in scorecard and the scorecard files (again) and returns their problems. */
  async load(): Promise<CatalogProblem[]> {
    const reading = (async () => {
      // The YAML and file readers load with the first read, which an ingest into an empty catalog never needs.
      const { readScorecardFiles } = await import('./yaml.js');
      return {
        builtIn: this.options.builtIn === false ? EMPTY : await readScorecardFiles([BUILT_IN_FILE], this.options),
        files: await readScorecardFiles(this.options.paths ?? [], this.options),
      };
    })();
    this.#files = reading;
    return this.problems();
  }

  /** The problems of the last read of the built-in scorecard and the files. */
  async problems(): Promise<CatalogProblem[]> {
    const { builtIn, files } = await this.#loaded();
    return [...builtIn.problems, ...files.problems];
  }

  #loaded(): Promise<{ builtIn: ScorecardFiles; files: ScorecardFiles }> {
    if (!this.#files) void this.load();
    return this.#files as Promise<{ builtIn: ScorecardFiles; files: ScorecardFiles }>;
  }

  /** Scorecards written in files (the built-in one unless a file redefines it), in file order. */
  async fromFiles(): Promise<DefinedScorecard[]> {
    const { builtIn, files } = await this.#loaded();
    const own = files.scorecards.map(({ scorecard, source }) => ({ ...scorecard, origin: 'file' as const, source }));
    const shipped = builtIn.scorecards.filter((b) => !own.some((s) => s.id === b.scorecard.id)).map(({ scorecard, source }) => ({ ...scorecard, origin: 'built-in' as const, source }));
    return [...shipped, ...own];
  }

  /** Standalone checks (`kind: Check`) of the files, which API-defined scorecards may name too. */
  async checks(): Promise<Map<string, Check>> {
    const { builtIn, files } = await this.#loaded();
    return new Map([...builtIn.checks, ...files.checks]);
  }

  /** Every scorecard: those of files, then those of the API whose id no file uses. */
  async list(db: Db): Promise<DefinedScorecard[]> {
    const files = await this.fromFiles();
    const taken = new Set(files.map((s) => s.id));
    const stored: DefinedScorecard[] = [];
    for (const row of await storedScorecards(db)) {
      if (taken.has(row.id)) continue;
      // Stored definitions were valid when saved; one a later version no longer reads is left out.
      const { definition } = readScorecard(JSON.parse(row.definition) as unknown);
      if (definition) stored.push({ ...definition, origin: 'api', source: null });
    }
    return [...files, ...stored];
  }

  /**
   * The scorecard the catalog overview scores by default: the Security baseline while it is loaded
   * (or a file's version of it), else the first scorecard there is; the database is read only when
   * no file defines one.
   */
  async overviewDefault(db: Db): Promise<DefinedScorecard | undefined> {
    const files = await this.fromFiles();
    if (files.length > 0) return files.find((s) => s.id === BUILT_IN_ID) ?? files[0];
    return (await this.list(db))[0];
  }

  async find(db: Db, id: string): Promise<DefinedScorecard> {
    const found = (await this.list(db)).find((s) => s.id === id);
    if (!found) throw new NotFoundError(`No scorecard with id ${JSON.stringify(id)}.`);
    return found;
  }

  /**
   * Validates and stores a scorecard defined through the API, its referenced checks written out.
   * A scorecard of a file cannot be replaced this way: its file is where it changes.
   */
  async save(db: Db, body: unknown, now: string): Promise<{ scorecard: DefinedScorecard; created: boolean }> {
    const { definition, issues } = readScorecard(body, await this.checks());
    if (!definition) {
      throw new InputError(`Invalid scorecard: ${issues.map((i) => `${i.path.length > 0 ? `${formatFieldPath(i.path)}: ` : ''}${i.message}`).join(' ')}`);
    }
    const file = (await this.fromFiles()).find((s) => s.id === definition.id);
    if (file) throw new ConflictError(readOnly(file));
    const created = await saveScorecard(db, definition.id, JSON.stringify(definition), now);
    return { scorecard: { ...definition, origin: 'api', source: null }, created };
  }

  /** Deletes a scorecard defined through the API, with its results and history. */
  async remove(db: Db, id: string): Promise<void> {
    const found = await this.find(db, id);
    if (found.origin !== 'api') throw new ConflictError(readOnly(found));
    await deleteScorecard(db, id);
  }
}

function readOnly(scorecard: DefinedScorecard): string {
  const where = scorecard.source ? `${scorecard.source.file} (document ${scorecard.source.document})` : 'a file';
  return `The scorecard ${JSON.stringify(scorecard.id)} is defined in ${where}${scorecard.origin === 'built-in' ? ', shipped with Lantern' : ''}: it is read-only through the API; change it in its file.`;
}

/** A check as the checks listing shows it: where it is defined and which scorecards use it, with what weight. */
export interface CheckUse {
  check: Check;
  /** Defined as a `kind: Check` document, which scorecards name; else written out in its scorecards. */
  standalone: boolean;
  scorecards: Array<{ id: string; name: string; weight: number }>;
}

/**
 * Every distinct check: the standalone ones, then those written out in scorecards. A check used by
 * several scorecards is listed once; two different checks that share an id are listed apart.
 */
export function checkUses(scorecards: readonly Scorecard[], standalone: ReadonlyMap<string, Check>): CheckUse[] {
  const uses = new Map<string, CheckUse>();
  const keyOf = (check: Check) => JSON.stringify(check);
  for (const check of standalone.values()) uses.set(keyOf(check), { check, standalone: true, scorecards: [] });
  for (const scorecard of scorecards) {
    for (const { weight, ...check } of scorecard.checks) {
      const key = keyOf(check);
      let use = uses.get(key);
      if (!use) uses.set(key, (use = { check, standalone: false, scorecards: [] }));
      use.scorecards.push({ id: scorecard.id, name: scorecard.name, weight });
    }
  }
  return [...uses.values()];
}
