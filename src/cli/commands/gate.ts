import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InputError } from '../../domain/errors.js';
import { ProblemsFound, scopeOption, withStore } from '../context.js';
import type { CliIo } from '../io.js';
import { examples, required } from '../help.js';
import { json } from '../output.js';

interface GateOptions {
  target: string;
  variant: string;
  scope?: string;
  failOn: string;
  markdown?: string;
  json?: boolean;
  db?: string;
}

export function gateCommand(program: Command, io: CliIo): void {
  program
    .command('gate')
    .description("fail a pipeline on a variant's issues: exit 1 when an active (not exempted) issue breaks a --fail-on rule, 0 otherwise")
    .addHelpText('after', examples('lantern gate --target acme/payments --variant feature-x', 'lantern gate --target acme/payments --variant feature-x --fail-on new:critical,kev,epss>=0.5 --markdown gate.md', 'lantern gate --target registry.acme.io/payments --variant 1.4.2 --scope acme.pay --json'))
    .addOption(required('--target <name>', 'the target name'))
    .addOption(required('--variant <name>', 'the variant just scanned (a branch, tag, image tag)'))
    .option('--scope <scope>', 'ORG.PROJECT or account (default: default.default)')
    .option('--fail-on <rules>', 'comma-separated: new:SEVERITY (not in the baseline), kev, sla-breached, epss>=X', 'new:critical,new:high,kev')
    .option('--markdown <file>', 'write a Markdown summary for a pull-request comment')
    .option('--json', 'print the result as JSON')
    .option('--db <url>', 'database (default: $LANTERN_DATABASE_URL or lantern.db)')
    .action(async (options: GateOptions) => {
      const scope = scopeOption(options.scope);
      const [{ evaluateGate, gateMarkdown, parseGatePolicy }, { targetNamed }, { chooseVariant }, { DEFAULT_SLA_POLICIES }] = await Promise.all([
        import('../../insights/gate.js'),
        import('../target-lookup.js'),
        import('../../store/variant-choice.js'),
        import('../../insights/sla.js'),
      ]);
      const rules = parseGatePolicy(options.failOn);
      const result = await withStore(io, options.db, async (store) => {
        const target = await targetNamed(store.db, scope, options.target);
        const { variant } = await chooseVariant(store.db, target, options.variant);
        if (!variant) throw new InputError(`Target ${JSON.stringify(options.target)} has no variant ${JSON.stringify(options.variant)}.`);
        const { variant: baseline } = await chooseVariant(store.db, target);
        return evaluateGate(store.db, target, variant, baseline, rules, { now: new Date().toISOString(), sla: DEFAULT_SLA_POLICIES });
      }, { readOnly: true });
      const markdown = gateMarkdown(result);
      if (options.markdown) await writeFile(options.markdown, markdown);
      if (options.json) io.out(json({ ...result, violations: result.violations.map(({ issue, rules: broken }) => ({ rules: broken, issue })) }));
      else io.out(markdown);
      if (!result.passed) throw new ProblemsFound();
    });
}
