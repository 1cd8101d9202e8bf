import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { json, screenOf, table } from '../output.js';
import { examples } from '../help.js';

export function formatsCommand(program: Command, io: CliIo): void {
  program
    .command('formats')
    .description('list the supported report formats and the scanner commands that write them')
    .addHelpText('after', examples('lantern formats', 'lantern formats --json'))
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { FORMATS } = await import('../../formats/index.js');
      const rows = FORMATS.map((f) => ({ name: f.name, title: f.title, producedBy: f.producedBy }));
      io.out(options.json ? json(rows) : table(screenOf(io), ['FORMAT', 'WHAT', 'PRODUCED BY'], rows.map((r) => [r.name, r.title, r.producedBy])));
    });
}
