import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { expect, it } from 'vitest';
import { createProgram } from './program.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** Every `lantern …` command line of the README: shell blocks (continuation lines joined) and inline code. */
function readmeCommands(text: string): string[] {
  const blocks = [...text.matchAll(/^```sh\n([\s\S]*?)^```/gm)].flatMap((m) => (m[1] as string).replace(/\\\n/g, ' ').split('\n'));
  const inline = [...text.matchAll(/`(lantern [^`]+)`/g)].map((m) => m[1] as string);
  return [...blocks, ...inline]
    .map((line) => line.replace(/#.*$/, ''))
    .map((line) => /(?:^|\s)(lantern\s.*)$/.exec(line)?.[1])
    .filter((line): line is string => line !== undefined && !line.startsWith('lantern …'));
}

/** The command a line runs: `lantern catalog register …` → catalog register. */
function commandOf(program: Command, line: string): Command {
  let command = program;
  for (const word of line.split(/\s+/).slice(1)) {
    const sub = command.commands.find((c) => c.name() === word);
    if (!sub) break;
    command = sub;
  }
  return command;
}

it('finds the README command lines', () => {
  expect(readmeCommands(README).length).toBeGreaterThan(15);
});

it('uses only commands and flags that exist in every README example', () => {
  const program = createProgram({ out: () => undefined, err: () => undefined, env: {} });
  const unknown: string[] = [];
  for (const line of readmeCommands(README)) {
    const command = commandOf(program, line);
    if (command === program && !/^lantern\s+-/.test(line)) unknown.push(`${line}: no such command`);
    const flags = new Set(command.options.flatMap((o) => [o.long, o.short]).concat('--help', '-h'));
    for (const flag of line.match(/(?<=^|[\s[|])--?[a-z][a-z-]*/g) ?? []) if (!flags.has(flag)) unknown.push(`${line}: ${flag}`);
  }
  expect(unknown).toEqual([]);
});
