import type { Command } from 'commander';
import { InputError } from '../../domain/errors.js';
import { isSeverity, SEVERITIES, type Severity } from '../../domain/severity.js';
import { scopeOption, withStore } from '../context.js';
import type { CliIo } from '../io.js';
import type { IssuePlace } from '../../store/issues.js';
import { json, paintSeverity, screenOf, table } from '../output.js';
import { examples, required } from '../help.js';

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
    .addHelpText('after', examples('lantern issues --target acme/payments', 'lantern issues --target acme/payments --sort priority', 'lantern issues --target acme/payments --variant feature-x --severity critical,high', 'lantern issues --target registry.acme.io/payments --scope acme.pay --json'))
    .addOption(required('--target <name>', 'the target name'))
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
      const [{ issuesOfScans, issuePlaces }, { currentScanIds }, { targetNamed }, { chooseVariant }, { prioritise }] = await Promise.all([
        import('../../store/issues.js'),
        import('../../store/scans.js'),
        import('../target-lookup.js'),
        import('../../store/variant-choice.js'),
        import('../../insights/priority.js'),
      ]);
      const { shown, places, variant, note } = await withStore(io, options.db, async (store) => {
        const target = await targetNamed(store.db, scope, options.target);
        const choice = await chooseVariant(store.db, target, options.variant);
        const scanIds = await currentScanIds(store.db, choice.variant ? [choice.variant.id] : []);
        const listed = (await prioritise(store.db, await issuesOfScans(store.db, scanIds), order)).filter((i) => !levels || levels.includes(i.severity));
        // Files and lines for the table; a package names where a vulnerability is, so it needs none.
        const placed = options.json ? new Map<number, IssuePlace>() : await issuePlaces(store.db, scanIds, listed.filter((i) => i.package === null).map((i) => i.id));
        return { shown: listed, places: placed, variant: choice.variant?.name, note: choice.note };
      }, { readOnly: true });
      if (options.json) return io.out(json(shown));
      if (note) io.err(`note: ${note}\n`);
      if (variant === undefined) return io.out(`${options.target} has no scanned variant yet.\n`);
      const screen = screenOf(io);
      io.out(
        table(
          screen,
          ['SEVERITY', 'ID', 'TITLE', 'WHERE', 'INSTALLED', 'FIXED IN', 'KEV', 'EPSS', 'SCANNERS', 'PLACES', ...(order === 'priority' ? ['WHY'] : [])],
          shown.map((i) => [
            paintSeverity(screen, i.severity, i.new ? `${i.severity} (new)` : i.severity),
            i.vulnerabilityId ?? i.ruleId,
            i.title,
            i.package ?? describePlace(places.get(i.id)),
            i.installedVersion,
            i.fixedVersion,
            i.kev.state === 'listed' ? `since ${i.kev.dateAdded}` : i.kev.state === 'not-listed' ? 'no' : '?',
            i.epss.score !== null ? i.epss.score.toFixed(2) : i.epss.state === 'not-listed' ? '-' : '?',
            i.scanners.join(','),
            i.occurrences,
            ...(order === 'priority' ? [i.priorityReason] : []),
          ]),
          { cutFirst: ['TITLE', 'ID', 'WHERE'], keepEnd: ['WHERE'] },
        ),
      );
      const counts = SEVERITIES.map((s) => {
        const n = shown.filter((i) => i.severity === s).length;
        return n > 0 ? paintSeverity(screen, s, `${s} ${n}`) : `${s} ${n}`;
      });
      io.out(`${shown.length} issue${shown.length === 1 ? '' : 's'} in ${options.target}@${variant}: ${counts.join('  ')}\n`);
    });
}

/** `file:line`, and how many other files have the issue; undefined when no occurrence names a file. */
function describePlace(place: IssuePlace | undefined): string | undefined {
  if (!place) return undefined;
  const more = place.files > 1 ? ` (+${place.files - 1} file${place.files === 2 ? '' : 's'})` : '';
  return `${place.file}${place.line === null ? '' : `:${place.line}`}${more}`;
}

function severityList(value: string | undefined): Severity[] | undefined {
  if (value === undefined) return undefined;
  const levels = value.split(',').map((s) => s.trim().toLowerCase());
  const bad = levels.find((l) => !isSeverity(l));
  if (bad !== undefined) throw new InputError(`Invalid --severity ${JSON.stringify(bad)}: expected ${SEVERITIES.join(', ')} (comma-separated).`);
  return levels as Severity[];
}
