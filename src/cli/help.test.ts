import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { lantern } from '../../test/support/cli.js';
import { createProgram } from './program.js';

/** Every command's words after `lantern`, the program itself first: [], ['ingest'], ['catalog', 'validate'] … */
function commandPaths(command: Command, path: string[] = []): string[][] {
  return [path, ...command.commands.flatMap((c) => commandPaths(c, [...path, c.name()]))];
}
const program = createProgram({ out: () => undefined, err: () => undefined, env: {} });
const paths = commandPaths(program);

describe('lantern --help', () => {
  it.each(paths.map((path) => [path.join(' ') || '(the program)', path] as const))('%s ends with examples of itself whose flags it has', async (_name, path) => {
    const { code, stdout } = await lantern([...path, '--help']);
    expect(code).toBe(0);
    const [options, examples] = stdout.split('\nExamples:\n') as [string, string | undefined];
    expect(examples).toBeDefined();
    const lines = (examples as string).trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const words = /^ {2}\$ (?:LANTERN_TOKEN=\S+ )?lantern (.*)$/.exec(line)?.[1];
      expect(words, line).toBeDefined();
      expect((words as string).startsWith(path.join(' ')), line).toBe(true);
      // A leaf command's examples use only the flags its help lists.
      const leaf = paths.every((other) => other.length <= path.length || other.slice(0, path.length).join(' ') !== path.join(' '));
      if (leaf) for (const flag of (words as string).match(/(?<=\s)--[a-z-]+/g) ?? []) expect(options, `${line}: ${flag}`).toMatch(new RegExp(`\\s${flag}[ ,]`));
    }
    // Defaults read as the value to type, never as a quoted string or an empty list.
    expect(options).not.toMatch(/default: ["[]/);
  });

  it('marks required options, and shows defaults as values', async () => {
    const ingest = (await lantern(['ingest', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(ingest).toContain('--target <name> the scanned target, e.g. acme/payments or registry.acme.io/payments (required)');
    expect(ingest).toContain('--type <type> target type: repository|container|instance|configuration (required)');
    expect(ingest).toContain('--variant <name> the variant scanned: a branch, tag, image tag … (required)');
    expect(ingest).toContain('--max-report-mb <n> refuse reports larger than this (default: 512)');
    expect(ingest).not.toMatch(/--(format|scope|baseline) [^-]*\(required\)/);
    const serve = (await lantern(['serve', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(serve).toContain('--port <n> port to listen on (default: 7007)');
    expect(serve).toContain('--host <address> address to listen on (default: 127.0.0.1)');
    expect(serve).toMatch(/--catalog <target> register and read this catalog file, folder, glob, URL or backstage\+https:\/\/HOST \(a running Backstage; token in \$LANTERN_BACKSTAGE_TOKEN\) at start-up \(repeatable\) --catalog-scope/);
  });
});

describe('missing required options', () => {
  it('are all named in one line, exit 2, before anything runs', async () => {
    expect(await lantern(['ingest', 'report.json'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: missing required options --target <name>, --type <type>, --variant <name>\n(run with --help for usage)\n',
    });
    expect(await lantern(['ingest', 'report.json', '--type', 'repository', '--variant', 'main'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: missing required option --target <name>\n(run with --help for usage)\n',
    });
    expect(await lantern(['tokens', 'create'])).toMatchObject({ code: 2, stderr: 'error: missing required options --name <name>, --role <role>\n(run with --help for usage)\n' });
    expect(await lantern(['issues'])).toMatchObject({ code: 2, stderr: 'error: missing required option --target <name>\n(run with --help for usage)\n' });
  });
});
