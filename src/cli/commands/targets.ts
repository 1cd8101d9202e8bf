import type { Command } from 'commander';
import { InputError } from '../../domain/errors.js';
import { scopeOption, withLantern, withStore } from '../context.js';
import type { CliIo } from '../io.js';
import { json, shortTime, screenOf, table } from '../output.js';
import { examples } from '../help.js';

export function targetsCommand(program: Command, io: CliIo): void {
  const targets = program
    .command('targets')
    .description('list targets, or set a target baseline')
    .addHelpText('after', examples('lantern targets', 'lantern targets --scope acme.pay --json', 'lantern targets baseline acme/payments --variant main'))
    // Options after `baseline` belong to it, not to `targets` (both take --db and --scope).
    .enablePositionalOptions()
    .option('--scope <scope>', 'only targets of this scope: ORG.PROJECT or account')
    .option('--json', 'print JSON')
    .option('--db <url>', 'database (default: $LANTERN_DATABASE_URL or lantern.db)')
    .action(async (options: { scope?: string; json?: boolean; db?: string }) => {
      const scope = options.scope === undefined ? undefined : scopeOption(options.scope);
      const { listTargets } = await import('../../store/targets.js');
      const rows = await withStore(io, options.db, (store) => listTargets(store.db, { scope }), { readOnly: true });
      if (options.json) return io.out(json(rows));
      if (rows.length === 0) return io.out('No targets yet: `lantern ingest` creates one with its first report.\n');
      io.out(
        table(
          screenOf(io),
          ['SCOPE', 'TARGET', 'TYPE', 'BASELINE', 'VARIANTS', 'SCANS', 'LAST SCAN'],
          rows.map((t) => [t.scope, t.name, t.type, t.baselineVariant ?? (t.baselineRegex ? `/${t.baselineRegex}/` : null), t.variants, t.scans, shortTime(t.lastScanAt)]),
        ),
      );
    });

  targets
    .command('baseline')
    .description("set a target's baseline: one variant, or the newest variant matching a regular expression")
    .addHelpText('after', examples('lantern targets baseline acme/payments --variant main', "lantern targets baseline registry.acme.io/payments --regex '^v\\d+\\.\\d+\\.\\d+$' --scope acme.pay", 'lantern targets baseline acme/payments --variant release-2 --allow-unscanned'))
    .argument('<target>', 'the target name')
    .option('--variant <name>', 'this variant is the baseline')
    .option('--regex <pattern>', 'the newest variant matching this pattern is the baseline, e.g. ^v\\d+\\.\\d+\\.\\d+$')
    .option('--allow-unscanned', 'allow a --variant the target was never scanned as (its first scan is still to come)')
    .option('--scope <scope>', 'ORG.PROJECT or account (default: default.default)')
    .option('--db <url>', 'database (default: $LANTERN_DATABASE_URL or lantern.db)')
    .action(async (name: string, options: { variant?: string; regex?: string; allowUnscanned?: boolean; scope?: string; db?: string }) => {
      if ((options.variant === undefined) === (options.regex === undefined)) {
        throw new InputError('Give exactly one of --variant NAME or --regex PATTERN.');
      }
      const [{ baselinePatternProblem }, { targetNamed }] = await Promise.all([import('../../domain/baseline.js'), import('../target-lookup.js')]);
      const problem = options.regex === undefined ? undefined : baselinePatternProblem(options.regex, '--regex');
      if (problem) throw new InputError(problem);
      const scope = scopeOption(options.scope);
      await withLantern(io, options.db, {}, async (lantern) => {
        const target = await targetNamed(lantern.store.db, scope, name);
        await lantern.setBaseline(target.id, options.variant !== undefined ? { variant: options.variant, allowUnscanned: options.allowUnscanned ?? false } : { regex: options.regex as string });
        io.out(`Baseline of ${target.name} [${target.scope}] is now ${options.variant !== undefined ? `variant ${options.variant}` : `the newest variant matching /${options.regex}/`}.\n`);
      });
    });
}
