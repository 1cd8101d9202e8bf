import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InputError } from '../../domain/errors.js';
import type { GateResult } from '../../insights/gate.js';
import { ProblemsFound, scopeOption, withStore } from '../context.js';
import type { CliIo } from '../io.js';
import { examples, required } from '../help.js';
import { json } from '../output.js';
import { callServer, TOKEN_VARIABLE } from '../server-client.js';

interface GateOptions {
  target: string;
  variant: string;
  scope?: string;
  failOn?: string;
  config?: string;
  markdown?: string;
  json?: boolean;
  db?: string;
  server?: string;
}

export function gateCommand(program: Command, io: CliIo): void {
  program
    .command('gate')
    .description("fail a pipeline on a variant's issues: exit 1 when an active (not exempted) issue breaks a --fail-on rule, 0 otherwise")
    .addHelpText(
      'after',
      examples(
        'lantern gate --target acme/payments --variant feature-x',
        'lantern gate --target acme/payments --variant feature-x --fail-on new:critical,kev,epss>=0.5 --markdown gate.md',
        'lantern gate --target acme/payments --variant feature-x --fail-on release --config lantern.yaml',
        'lantern gate --target registry.acme.io/payments --variant 1.4.2 --scope acme.pay --server https://lantern.acme.io --json',
      ),
    )
    .addOption(required('--target <name>', 'the target name'))
    .addOption(required('--variant <name>', 'the variant just scanned (a branch, tag, image tag)'))
    .option('--scope <scope>', 'ORG.PROJECT or account (default: default.default)')
    .option('--fail-on <rules>', 'a policy named in the config file, or comma-separated rules: new:SEVERITY (not in the baseline), kev, sla-breached, epss>=X (default: the config file\'s policy for the scope, else new:critical,new:high,kev)')
    .option('--config <file>', 'the YAML configuration file whose sla: and gate: apply (local database only; a server uses its own)')
    .option('--markdown <file>', 'write a Markdown summary for a pull-request comment')
    .option('--json', 'print the result as JSON')
    .option('--db <url>', 'database (default: $LANTERN_DATABASE_URL or lantern.db)')
    .option('--server <url>', `a Lantern server to ask instead, with the API token in $${TOKEN_VARIABLE}`)
    .action(async (options: GateOptions) => {
      if (options.db !== undefined && options.server !== undefined) throw new InputError('Give --db or --server, not both.');
      if (options.config !== undefined && options.server !== undefined) throw new InputError('Give --config or --server, not both: a server applies its own configuration file.');
      const scope = scopeOption(options.scope);
      const { gateMarkdown } = await import('../../insights/gate.js');
      let result: GateResult;
      if (options.server !== undefined) {
        const body = { target: options.target, variant: options.variant, scope: options.scope ?? 'default.default', ...(options.failOn === undefined ? {} : { failOn: options.failOn }) };
        // The server answers the GateResult and its Markdown; the Markdown is made here again from the same result.
        const { markdown: _served, ...answer } = await callServer<GateResult & { markdown: string }>(io, options.server, 'POST', 'api/gate', { json: body });
        result = answer;
      } else {
        const [{ gateVariant, NO_GATE_POLICIES }, { targetNamed }, { DEFAULT_SLA_POLICIES }, { checkedConfig }] = await Promise.all([
          import('../../insights/gate.js'),
          import('../target-lookup.js'),
          import('../../insights/sla.js'),
          import('./config.js'),
        ]);
        const config = options.config === undefined ? undefined : await checkedConfig(options.config, io);
        result = await withStore(io, options.db, async (store) => {
          const target = await targetNamed(store.db, scope, options.target);
          return gateVariant(store.db, target, options.variant, options.failOn, { now: new Date().toISOString(), sla: config?.sla ?? DEFAULT_SLA_POLICIES, gates: config?.gate ?? NO_GATE_POLICIES });
        }, { readOnly: true });
      }
      const markdown = gateMarkdown(result);
      if (options.markdown) await writeFile(options.markdown, markdown);
      if (options.json) io.out(json({ ...result, violations: result.violations.map(({ issue, rules: broken }) => ({ rules: broken, issue })) }));
      else io.out(markdown);
      if (!result.passed) throw new ProblemsFound();
    });
}
