import type { Command } from 'commander';
import { type CatalogProblem, formatProblem } from '../../catalog/entity.js';
import { InputError } from '../../domain/errors.js';
import type { Lantern } from '../../lantern.js';
import type { DefinedScorecard } from '../../scorecards/definitions.js';
import type { ScorecardEvaluation } from '../../scorecards/evaluate.js';
import type { ScorecardTally } from '../../scorecards/results.js';
import { ProblemsFound, withLantern } from '../context.js';
import type { CliIo } from '../io.js';
import { json, screenOf, table } from '../output.js';
import { examples } from '../help.js';

const DB_OPTION = 'database (default: $LANTERN_DATABASE_URL or lantern.db)';

export interface ScorecardFlags {
  scorecards: string[];
  /** Commander's --no-default-scorecard. */
  defaultScorecard: boolean;
}

/** Adds --scorecards (repeatable) and --no-default-scorecard; `serve` takes them too. */
export function scorecardOptions(command: Command): Command {
  return command
    .option('--scorecards <path>', 'read scorecards from this YAML file, folder (its *.yaml, *.yml), glob or URL (repeatable)', (value: string, all: string[]) => [...all, value], [])
    .option('--no-default-scorecard', 'leave out the built-in Security baseline');
}

export function scorecardLanternOptions(flags: ScorecardFlags) {
  return { scorecards: { paths: flags.scorecards, builtIn: flags.defaultScorecard } };
}

/**
 * Reads the scorecard files and returns their problems; a path that cannot be read at all is the
 * user's mistake (exit 2), as it is for the catalog.
 */
export async function loadScorecards(lantern: Lantern): Promise<CatalogProblem[]> {
  const problems = await lantern.scorecards.load();
  const unreadable = problems.find((p) => p.code === 'unreadable');
  if (unreadable) throw new InputError(unreadable.message);
  return problems;
}

function countOf(problems: readonly CatalogProblem[]): string {
  const errors = problems.filter((p) => p.level === 'error').length;
  const warnings = problems.length - errors;
  return `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
}

const score = (n: number | null) => (n === null ? null : String(n));

function scorecardJson(scorecard: DefinedScorecard, tally: ScorecardTally | undefined, evaluation?: ScorecardEvaluation) {
  return {
    id: scorecard.id,
    name: scorecard.name,
    origin: scorecard.origin,
    file: scorecard.source?.file ?? null,
    entities: tally?.entities ?? 0,
    scored: tally?.scored ?? 0,
    averageScore: tally?.averageScore ?? null,
    passing: tally?.passing ?? 0,
    passRate: tally?.passRate ?? null,
    ...(evaluation ? { changed: evaluation.changed, removed: evaluation.removed } : {}),
    checks: tally?.checks ?? [],
  };
}

function scorecardTable(io: CliIo, rows: Array<ReturnType<typeof scorecardJson>>): string {
  return table(
    screenOf(io),
    ['SCORECARD', 'ORIGIN', 'CHECKS', 'ENTITIES', 'SCORED', 'AVERAGE', 'PASSING', ...(rows.some((r) => 'changed' in r) ? ['CHANGED'] : [])],
    rows.map((r) => [
      r.id,
      r.origin,
      r.checks.length,
      r.entities,
      r.scored,
      score(r.averageScore),
      r.passRate === null ? null : `${r.passing} (${r.passRate}%)`,
      ...('changed' in r ? [r.changed] : []),
    ]),
  );
}

export function scorecardsCommand(program: Command, io: CliIo): void {
  const scorecards = program
    .command('scorecards')
    .description('evaluate, list and validate scorecards (docs/scorecards.md)')
    .addHelpText('after', examples('lantern scorecards evaluate', 'lantern scorecards list', 'lantern scorecards validate ./scorecards'))
    .enablePositionalOptions();

  scorecardOptions(
    scorecards
      .command('evaluate')
      .description('evaluate every scorecard over every entity now and store the results and the day’s history; exit 1 if a scorecard file has an error')
      .addHelpText('after', examples('lantern scorecards evaluate', 'lantern scorecards evaluate --scorecards ./scorecards --json'))
      .option('--json', 'print JSON')
      .option('--db <url>', DB_OPTION),
  ).action(async (options: ScorecardFlags & { json?: boolean; db?: string }) => {
    const { problems, rows, at } = await withLantern(io, options.db, scorecardLanternOptions(options), async (lantern) => {
      const { scorecardTallies } = await import('../../scorecards/results.js');
      const found = await loadScorecards(lantern);
      const at = lantern.now();
      const evaluations = await lantern.evaluateScorecards(at);
      const defined = await lantern.scorecards.list(lantern.store.db);
      const tallies = await scorecardTallies(lantern.store.db, defined);
      return { problems: found, at, rows: defined.map((s) => scorecardJson(s, tallies.get(s.id), evaluations.find((e) => e.scorecard === s.id))) };
    });
    if (options.json) io.out(json({ evaluatedAt: at, scorecards: rows, problems }));
    else {
      const lines = [rows.length === 0 ? 'No scorecard is defined.\n' : scorecardTable(io, rows)];
      if (problems.length > 0) lines.push(`\n${problems.map(formatProblem).join('\n')}\n`);
      lines.push(`\nEvaluated ${rows.length} scorecard${rows.length === 1 ? '' : 's'} at ${at}; scorecard files: ${countOf(problems)}.\n`);
      io.out(lines.join(''));
    }
    if (problems.some((p) => p.level === 'error')) throw new ProblemsFound();
  });

  scorecardOptions(
    scorecards
      .command('list')
      .description('list the scorecards with their checks and the stored results of the last evaluation')
      .addHelpText('after', examples('lantern scorecards list', 'lantern scorecards list --json'))
      .option('--json', 'print JSON')
      .option('--db <url>', DB_OPTION),
  ).action(async (options: ScorecardFlags & { json?: boolean; db?: string }) => {
    const { problems, rows } = await withLantern(io, options.db, scorecardLanternOptions(options), async (lantern) => {
      const { scorecardTallies } = await import('../../scorecards/results.js');
      const found = await loadScorecards(lantern);
      const defined = await lantern.scorecards.list(lantern.store.db);
      const tallies = await scorecardTallies(lantern.store.db, defined);
      return { problems: found, rows: defined.map((s) => scorecardJson(s, tallies.get(s.id))) };
    });
    if (options.json) return io.out(json({ scorecards: rows, problems }));
    const lines = [rows.length === 0 ? 'No scorecard is defined.\n' : scorecardTable(io, rows)];
    for (const row of rows) {
      lines.push(`\n${row.id}: ${row.name}\n`);
      lines.push(table(screenOf(io), ['CHECK', 'WEIGHT', 'PASS', 'FAIL', 'UNKNOWN', 'PASS RATE'], row.checks.map((c) => [c.id, c.weight, c.pass, c.fail, c.unknown, c.passRate === null ? null : `${c.passRate}%`])));
    }
    if (problems.length > 0) lines.push(`\n${problems.map(formatProblem).join('\n')}\n`);
    io.out(lines.join(''));
  });

  scorecards
    .command('validate')
    .description('read scorecard files without a database: print each scorecard, and every problem as file:line:col; exit 1 on any error')
    .addHelpText('after', examples('lantern scorecards validate scorecards/security-baseline.yaml', 'lantern scorecards validate ./scorecards --json'))
    .argument('<paths...>', 'YAML files, folders (their *.yaml, *.yml), globs or http(s) URLs')
    .option('--json', 'print JSON')
    .action(async (paths: string[], options: { json?: boolean }) => {
      const { readScorecardFiles } = await import('../../scorecards/yaml.js');
      const read = await readScorecardFiles(paths);
      const unreadable = read.problems.find((p) => p.code === 'unreadable');
      if (unreadable) throw new InputError(unreadable.message);
      const found = read.scorecards.map(({ scorecard, source }) => ({ id: scorecard.id, name: scorecard.name, checks: scorecard.checks.map((c) => c.id), file: source.file, line: source.line }));
      if (options.json) io.out(json({ scorecards: found, checks: [...read.checks.keys()], problems: read.problems }));
      else {
        const lines = found.map((s) => `${s.id}  ${s.name}  (${s.checks.length} check${s.checks.length === 1 ? '' : 's'})  ${s.file}:${s.line}`);
        if (read.problems.length > 0) lines.push('', ...read.problems.map(formatProblem));
        lines.push('', `${found.length} scorecard${found.length === 1 ? '' : 's'}, ${read.checks.size} standalone check${read.checks.size === 1 ? '' : 's'}: ${countOf(read.problems)}.`);
        io.out(`${lines.join('\n')}\n`);
      }
      if (read.problems.some((p) => p.level === 'error')) throw new ProblemsFound();
    });
}
