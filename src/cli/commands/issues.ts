import type { Command } from 'commander';
import { InputError } from '../../domain/errors.js';
import { isSeverity, SEVERITIES, type Severity } from '../../domain/severity.js';
import { scopeOption, withStore } from '../context.js';
import type { CliIo } from '../io.js';
import { json, table } from '../output.js';

interface IssuesOptions {
  target: string;
  variant?: string;
  scope?: string;
  severity?: string;
  json?: boolean;
  db?: string;
}

export function issuesCommand(program: Command, io: CliIo): void {
  program
    .command('issues')
    .description("list the current issues of a target variant (default: its baseline), worst first")
    .requiredOption('--target <name>', 'the target name')
    .option('--variant <name>', 'the variant (default: the baseline)')
    .option('--scope <scope>', 'ORG.PROJECT or account (default: default.default)')
    .option('--severity <levels>', `only these levels, comma-separated: ${SEVERITIES.join(',')}`)
    .option('--json', 'print JSON')
    .option('--db <url>', 'database (default: $LANTERN_DATABASE_URL or lantern.db)')
    .action(async (options: IssuesOptions) => {
      const scope = scopeOption(options.scope);
      const levels = severityList(options.severity);
      const [{ issuesOfScans }, { currentScanIds }, { targetNamed }, { chooseVariant }] = await Promise.all([
        import('../../store/issues.js'),
        import('../../store/scans.js'),
        import('../target-lookup.js'),
        import('../../store/variant-choice.js'),
      ]);
      const { issues, variant, note } = await withStore(io, options.db, async (store) => {
        const target = await targetNamed(store.db, scope, options.target);
        const choice = await chooseVariant(store.db, target, options.variant);
        const scanIds = await currentScanIds(store.db, choice.variant ? [choice.variant.id] : []);
        return { issues: await issuesOfScans(store.db, scanIds), variant: choice.variant?.name, note: choice.note };
      }, { readOnly: true });
      const shown = issues.filter((i) => !levels || levels.includes(i.severity));
      if (options.json) return io.out(json(shown));
      if (note) io.err(`note: ${note}\n`);
      if (variant === undefined) return io.out(`${options.target} has no scanned variant yet.\n`);
      io.out(
        table(
          ['SEVERITY', 'ID', 'TITLE', 'PACKAGE', 'INSTALLED', 'FIXED IN', 'SCANNERS', 'PLACES'],
          shown.map((i) => [
            i.new ? `${i.severity} (new)` : i.severity,
            i.vulnerabilityId ?? i.ruleId,
            truncate(i.title, 60),
            i.package,
            i.installedVersion,
            i.fixedVersion,
            i.scanners.join(','),
            i.occurrences,
          ]),
        ),
      );
      io.out(`${shown.length} issue(s) in ${options.target}@${variant}.\n`);
    });
}

function severityList(value: string | undefined): Severity[] | undefined {
  if (value === undefined) return undefined;
  const levels = value.split(',').map((s) => s.trim().toLowerCase());
  const bad = levels.find((l) => !isSeverity(l));
  if (bad !== undefined) throw new InputError(`Invalid --severity ${JSON.stringify(bad)}: expected ${SEVERITIES.join(', ')} (comma-separated).`);
  return levels as Severity[];
}

function truncate(text: string, length: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}
