import { type Compilable, CompiledQuery, type Kysely, type QueryResult } from 'kysely';
import { isPostgres } from './row-locks.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

/** Stands for the parameter at `index` while a reused statement is built. */
class Parameter {
  constructor(readonly index: number) {}
}

interface Template {
  sql: string;
  /** For each parameter of the compiled statement: the call's parameter it takes, or undefined for a constant of the build. */
  slots: ReadonlyArray<number | undefined>;
  constants: readonly unknown[];
}

/**
 * A statement whose text never changes with its parameters, built and compiled by Kysely once per
 * dialect and then run with each call's values. For the statements every ingest runs, building the
 * query tree and compiling it cost the Node server more CPU than sending the statement (issue 17).
 * `build` must use its parameters only as values of the statement (never test, compute with or
 * spread them), and each must appear in it: a parameter the compiled statement lacks is refused.
 */
export function reusedStatement<P extends unknown[], R>(build: (db: Db, ...parameters: P) => Compilable<R>): (db: Db, ...parameters: P) => Promise<QueryResult<R>> {
  const arity = build.length - 1;
  const templates = new Map<boolean, Template>();
  const templateFor = (db: Db, postgres: boolean): Template => {
    let template = templates.get(postgres);
    if (template) return template;
    const stand = Array.from({ length: arity }, (_, i) => new Parameter(i)) as unknown as P;
    const compiled = build(db, ...stand).compile();
    const slots = compiled.parameters.map((value) => (value instanceof Parameter ? value.index : undefined));
    for (let i = 0; i < arity; i++) {
      if (!slots.includes(i)) throw new Error(`reusedStatement: parameter ${i + 1} of ${arity} is not a value of the compiled statement: ${compiled.sql}`);
    }
    template = { sql: compiled.sql, slots, constants: compiled.parameters };
    templates.set(postgres, template);
    return template;
  };
  return async (db, ...parameters) => {
    const template = templateFor(db, isPostgres(db));
    const values = template.slots.map((slot, i) => (slot === undefined ? template.constants[i] : parameters[slot]));
    return db.executeQuery<R>(CompiledQuery.raw(template.sql, values));
  };
}
