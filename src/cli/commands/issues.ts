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
  sort: string;
  json?: boolean;
  db?: string;
}

export function issuesCommand(program: Command, io: CliIo): void {
  program
    .command('issues')
    .description("list the current issues of a target variant (default: its baseline), worst first or in priority order; KEV/EPSS '?' means never enriched (no feed loaded or no CVE id)")
    .requiredOption('--target <name>', 'the target name')
    .option('--variant <name>', 'the variant (default: the baseline)')
    .option('--scope <scope>', 'ORG.PROJECT or account (default: default.default)')
    .option('--severity <levels>', `only these levels, comma-separated: ${SEVERITIES.join(',')}`)
    .option('--sort <order>', 'severity (worst first) or priority (known-exploited first, then EPSS bands, severity, fixable; with the reason)', 'severity')
    .option('--json', 'print JSON')
    .option('--db <url>', 'database (default: $LANTERN_DATABASE_URL or lantern.db)')
    .action(async (options: IssuesOptions) => {
      const scope = scopeOption(options.scope);
      const levels = severityList(options.severity);
      if (options.sort !== 'severity' && options.sort !== 'priority') throw new InputError(`Invalid --sort ${JSON.stringify(options.sort)}: expected severity or priority.`);
      const order = options.sort;
      const [{ issuesOfScans }, { currentScanIds }, { targetNamed }, { chooseVariant }, { prioritise }] = await Promise.all([
        import('../../store/issues.js'),
        import('../../store/scans.js'),
        import('../target-lookup.js'),
        import('../../store/variant-choice.js'),
        import('../../insights/priority.js'),
      ]);
      const { issues, variant, note } = await withStore(io, options.db, async (store) => {
        const target = await targetNamed(store.db, scope, options.target);
        const choice = await chooseVariant(store.db, target, options.variant);
        const scanIds = await currentScanIds(store.db, choice.variant ? [choice.variant.id] : []);
        return { issues: await prioritise(store.db, await issuesOfScans(store.db, scanIds), order), variant: choice.variant?.name, note: choice.note };
      }, { readOnly: true });
      const shown = issues.filter((i) => !levels || levels.includes(i.severity));
      if (options.json) return io.out(json(shown));
      if (note) io.err(`note: ${note}\n`);
      if (variant === undefined) return io.out(`${options.target} has no scanned variant yet.\n`);
      io.out(
        table(
          ['SEVERITY', 'ID', 'TITLE', 'PACKAGE', 'INSTALLED', 'FIXED IN', 'KEV', 'EPSS', 'SCANNERS', 'PLACES', ...(order === 'priority' ? ['WHY'] : [])],
          shown.map((i) => [
            i.new ? `${i.severity} (new)` : i.severity,
            i.vulnerabilityId ?? i.ruleId,
            truncate(i.title, 60),
            i.package,
            i.installedVersion,
            i.fixedVersion,
            i.kev.state === 'listed' ? `since ${i.kev.dateAdded}` : i.kev.state === 'not-listed' ? 'no' : '?',
            i.epss.score !== null ? i.epss.score.toFixed(2) : i.epss.state === 'not-listed' ? '-' : '?',
            i.scanners.join(','),
            i.occurrences,
            ...(order === 'priority' ? [i.priorityReason] : []),
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
