import { type Command, type Help, Option } from 'commander';

/**
 * An option a command cannot run without. Not commander's mandatory option: that one stops at the
 * first that is missing, while `requireOptions` names every missing one in a single line.
 */
export class RequiredOption extends Option {}

/** `--flag <value>` that must be given: marked "(required)" in --help. */
export function required(flags: string, description: string): Option {
  return new RequiredOption(flags, description);
}

/** The end of a command's --help (`.addHelpText('after', examples(…))`): invocations to copy. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

/**
 * How --help describes an option: "(required)" on those without which the command does not run,
 * and a default as the value the user would type (`7007`, `127.0.0.1`), not a quoted string;
 * an empty list (a repeatable option given no value) has no default worth showing.
 */
export function optionDescription(option: Option): string {
  const notes: string[] = [];
  if (option instanceof RequiredOption) notes.push('required');
  const value = option.defaultValueDescription ?? shownDefault(option.defaultValue);
  if (value !== undefined && (option.required || option.optional)) notes.push(`default: ${value}`);
  return notes.length === 0 ? option.description : `${option.description} (${notes.join(', ')})`;
}

function shownDefault(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.join(', ');
  return String(value);
}

/** Help that marks required options and shows defaults as values, for the program and every command under it. */
export function lanternHelp(): Partial<Help> {
  return { optionDescription };
}

/**
 * Refuses to run a command while any of its required options is missing, naming all of them in
 * one line (commander's own message, so that the usage hint follows as for any other bad flag).
 */
export function requireOptions(command: Command): void {
  const missing = command.options.filter((option) => option instanceof RequiredOption && command.getOptionValue(option.attributeName()) === undefined);
  if (missing.length === 0) return;
  command.error(`error: missing required option${missing.length === 1 ? '' : 's'} ${missing.map((o) => o.flags).join(', ')}`, { code: 'lantern.missingRequiredOptions', exitCode: 2 });
}
