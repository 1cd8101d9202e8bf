import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { json, table } from '../output.js';

export function formatsCommand(program: Command, io: CliIo): void {
  program
    .command('formats')
    .description('list the supported report formats and the scanner commands that write them')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { FORMATS } = await import('../../formats/index.js');
      const rows = FORMATS.map((f) => ({ name: f.name, title: f.title, producedBy: f.producedBy }));
      io.out(options.json ? json(rows) : table(['FORMAT', 'WHAT', 'PRODUCED BY'], rows.map((r) => [r.name, r.title, r.producedBy])));
    });
}
