import type { Command } from 'commander';
import { scopeOption, withStore } from '../context.js';
import type { CliIo } from '../io.js';
import { json, shortTime, screenOf, table } from '../output.js';
import { examples, required } from '../help.js';

export function scansCommand(program: Command, io: CliIo): void {
  program
    .command('scans')
    .description("list a target's scans, newest first, with new/common/remediated")
    .addHelpText('after', examples('lantern scans --target acme/payments', 'lantern scans --target acme/payments --variant main --json'))
    .addOption(required('--target <name>', 'the target name'))
    .option('--variant <name>', 'only scans of this variant')
    .option('--scope <scope>', 'ORG.PROJECT or account (default: default.default)')
    .option('--json', 'print JSON')
    .option('--db <url>', 'database (default: $LANTERN_DATABASE_URL or lantern.db)')
    .action(async (options: { target: string; variant?: string; scope?: string; json?: boolean; db?: string }) => {
      const scope = scopeOption(options.scope);
      const [{ scansOf, scanView }, { targetNamed }, { chooseVariant }] = await Promise.all([import('../../store/scans.js'), import('../target-lookup.js'), import('../../store/variant-choice.js')]);
      const scans = await withStore(io, options.db, async (store) => {
        const target = await targetNamed(store.db, scope, options.target);
        const variant = options.variant === undefined ? undefined : (await chooseVariant(store.db, target, options.variant)).variant;
        return scansOf(store.db, target.id, variant?.id);
      }, { readOnly: true });
      if (options.json) return io.out(json(scans.map(scanView)));
      io.out(
        table(
          screenOf(io),
          ['SCAN', 'VARIANT', 'SCANNER', 'TYPE', 'SCANNED', 'CRIT', 'HIGH', 'MED', 'LOW', 'INFO', 'TOTAL', 'NEW', 'COMMON', 'REMEDIATED'],
          scans.map((s) => [
            s.id, s.variant, s.scanner, s.scan_type, shortTime(s.scanned_at), s.critical, s.high, s.medium, s.low, s.info, s.total,
            s.new_count, s.common_count, s.remediated_count,
          ]),
        ),
      );
    });
}
