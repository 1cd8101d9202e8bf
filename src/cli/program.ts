import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isUserError } from '../domain/errors.js';
import { auditCommand } from './commands/audit.js';
import { catalogCommand } from './commands/catalog.js';
import { configCommand } from './commands/config.js';
import { demoCommand } from './commands/demo.js';
import { exemptionsCommand } from './commands/exemptions.js';
import { feedsCommand } from './commands/feeds.js';
import { formatsCommand } from './commands/formats.js';
import { gateCommand } from './commands/gate.js';
import { ingestCommand } from './commands/ingest.js';
import { issuesCommand } from './commands/issues.js';
import { scansCommand } from './commands/scans.js';
import { scorecardsCommand } from './commands/scorecards.js';
import { serveCommand } from './commands/serve.js';
import { targetsCommand } from './commands/targets.js';
import { tokensCommand } from './commands/tokens.js';
import { ProblemsFound } from './context.js';
import { examples, lanternHelp, requireOptions } from './help.js';
import type { CliIo } from './io.js';

/**
 * Exit codes: 0 done, 1 an internal failure or problems a command reported (catalog errors),
 * 2 the user's input was wrong (bad flag, report, scope, unreadable path …).
 */
export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_PROBLEMS = 1;
export const EXIT_INPUT = 2;

/** The `lantern` program with every command declared; `run` parses one invocation with it. */
export function createProgram(io: CliIo): Command {
  const program = new Command('lantern')
    .description('Security-scan results in the software catalog.')
    .version(packageVersion(), '-V, --version', 'print the version of Lantern')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .enablePositionalOptions()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    // Commands declared below inherit the help settings.
    .configureHelp(lanternHelp())
    .addHelpText('after', examples('lantern ingest trivy.json --target acme/payments --type repository --variant main', 'lantern issues --target acme/payments', 'lantern serve'))
    .hook('preAction', (_program, command) => requireOptions(command));
  ingestCommand(program, io);
  targetsCommand(program, io);
  scansCommand(program, io);
  issuesCommand(program, io);
  formatsCommand(program, io);
  serveCommand(program, io);
  demoCommand(program, io);
  catalogCommand(program, io);
  scorecardsCommand(program, io);
  configCommand(program, io);
  tokensCommand(program, io);
  exemptionsCommand(program, io);
  auditCommand(program, io);
  feedsCommand(program, io);
  gateCommand(program, io);
  for (const command of program.commands) command.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  return program;
}

/** The version in package.json, two folders up from both src/cli and dist/cli. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** Runs one CLI invocation and returns its exit code; every failure is one readable line on stderr. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its one-line message (or the help text).
      return error.exitCode === 0 ? EXIT_OK : EXIT_INPUT;
    }
    if (error instanceof ProblemsFound) return EXIT_PROBLEMS;
    if (isUserError(error)) {
      io.err(`lantern: ${oneLine(error.message)}\n`);
      return EXIT_INPUT;
    }
    io.err(`lantern: internal error: ${oneLine(error instanceof Error ? error.message : String(error))}\n`);
    return EXIT_INTERNAL;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
