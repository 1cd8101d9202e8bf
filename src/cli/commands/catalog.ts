import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { CatalogEntity, CatalogProblem, EntitySource, TargetLinkSpec } from '../../catalog/entity.js';
import { formatProblem } from '../../catalog/entity.js';
import type { LinkDiagnostic, TargetLinkResolution } from '../../catalog/matching.js';
import type { RefreshOutcome } from '../../catalog/catalog.js';
import type { CatalogReadOptions, RefreshSummary } from '../../catalog/refresh.js';
import { InputError } from '../../domain/errors.js';
import { parseId } from '../../domain/ids.js';
import { formatScope } from '../../domain/scope.js';
import type { LinkTally, TargetLinkView } from '../../store/target-links.js';
import { positiveNumber, ProblemsFound, scopeOption, withLantern, withStore } from '../context.js';
import type { CliIo } from '../io.js';
import { json, shortTime, screenOf, table } from '../output.js';
import { examples } from '../help.js';

const DB_OPTION = 'database (default: $LANTERN_DATABASE_URL or lantern.db)';

/** The reading policy's flags, on every command that reads catalog locations. */
export interface CatalogPolicyFlags {
  catalogAllowHost: string[];
  catalogAllowPrivate?: boolean;
  catalogMaxLocations?: string;
}

export function catalogPolicyOptions(command: Command, { registers = false } = {}): Command {
  command
    .option('--catalog-allow-host <host>', 'catalog URLs may reach only the hosts named (repeatable); a host named may be a private address (default: any host with public addresses only)', (value: string, all: string[]) => [...all, value], [])
    .option('--catalog-allow-private', 'let catalog URLs reach loopback, private and link-local addresses (trusted networks only)');
  return registers ? command.option('--catalog-max-locations <n>', 'refuse to register more catalog locations than this (default: 1000)') : command;
}

/** The reading policy and location cap the flags give, checked, and the Backstage token from the environment. */
export async function catalogReadOptions(flags: CatalogPolicyFlags, env: NodeJS.ProcessEnv): Promise<CatalogReadOptions> {
  const [{ allowedHost }, { backstageTokenFrom }] = await Promise.all([import('../../catalog/reading-policy.js'), import('../../catalog/backstage-catalog.js')]);
  const allowHosts = flags.catalogAllowHost.map(allowedHost);
  const maxLocations = flags.catalogMaxLocations === undefined ? undefined : positiveNumber('--catalog-max-locations', flags.catalogMaxLocations);
  if (maxLocations !== undefined && !Number.isInteger(maxLocations)) throw new InputError(`Invalid --catalog-max-locations ${JSON.stringify(flags.catalogMaxLocations)}: expected a whole number.`);
  return { allowHosts, allowPrivate: flags.catalogAllowPrivate ?? false, backstage: { token: backstageTokenFrom(env) }, ...(maxLocations === undefined ? {} : { maxLocations }) };
}

export function catalogCommand(program: Command, io: CliIo): void {
  const catalog = program
    .command('catalog')
    .description('read, register and list catalog entities (catalog-info.yaml, Backstage and harness.io/v1)')
    .addHelpText('after', examples('lantern catalog validate catalog-info.yaml', 'lantern catalog register ./services --scope acme.pay', 'lantern catalog list --kind component'))
    .enablePositionalOptions();

  catalogPolicyOptions(catalog.command('validate'))
    .description('read catalog files without storing them: print each entity with its target links, and every problem as file:line:col; exit 1 on any error')
    .addHelpText('after', examples('lantern catalog validate catalog-info.yaml', 'lantern catalog validate ./services --scope acme.pay --db lantern.db', "lantern catalog validate 'catalog/**/*.yaml' --json"))
    .argument('<paths...>', 'files, folders (their **/catalog-info.yaml), globs, http(s) URLs, or backstage+https://HOST (a running Backstage\'s catalog; token in $LANTERN_BACKSTAGE_TOKEN)')
    .option('--scope <scope>', 'the scope Backstage-format entities would be registered under: ORG.PROJECT or account (default: default.default)')
    .option('--json', 'print JSON')
    .option('--db <url>', `check target links against this database's targets, if it exists (default: $LANTERN_DATABASE_URL or lantern.db)`)
    .action(async (paths: string[], options: { scope?: string; json?: boolean; db?: string } & CatalogPolicyFlags) => validate(io, paths, options));

  catalogPolicyOptions(catalog.command('register'), { registers: true })
    .description('register a file, folder, glob, URL or Backstage and read it now (again, if it is registered); exit 1 if the read reported errors')
    .addHelpText('after', examples('lantern catalog register ./services --scope acme.pay', "lantern catalog register 'catalog/**/*.yaml'", 'lantern catalog register https://raw.githubusercontent.com/acme/catalog/main/catalog-info.yaml'))
    .argument('<target>', 'a file, a folder (its **/catalog-info.yaml), a glob such as "catalog/**/*.yaml", an http(s) URL, or backstage+https://HOST (a running Backstage\'s catalog; token in $LANTERN_BACKSTAGE_TOKEN)')
    .option('--scope <scope>', 'the scope its Backstage-format entities live in: ORG.PROJECT or account (default: default.default)')
    .option('--json', 'print JSON')
    .option('--db <url>', DB_OPTION)
    .action(async (target: string, options: { scope?: string; json?: boolean; db?: string } & CatalogPolicyFlags) => {
      const scope = scopeOption(options.scope);
      const summary = await withLantern(io, options.db, { catalog: await catalogReadOptions(options, io.env) }, async (lantern) => {
        const { linkTallyOfLocation } = await import('../../store/target-links.js');
        const result = await lantern.registerLocation(target, scope);
        return { result, links: await linkTallyOfLocation(lantern.store.db, result.location.id) };
      });
      io.out(options.json ? json(summaryJson(summary.result, summary.links)) : describeSummary(summary.result, summary.links));
      if (summary.result.location.status === 'error') throw new ProblemsFound();
    });

  catalog
    .command('list')
    .description('list the entities in the catalog with their target links')
    .addHelpText('after', examples('lantern catalog list', 'lantern catalog list --kind component --json'))
    .option('--kind <kind>', 'only entities of this kind (Component, API, Group …)')
    .option('--json', 'print JSON, with each target link and problem')
    .option('--db <url>', DB_OPTION)
    .action(async (options: { kind?: string; json?: boolean; db?: string }) => {
      const filter = options.kind === undefined ? [] : [[{ key: 'kind', values: [options.kind.toLowerCase()] }]];
      const entries = await withStore(io, options.db, async (store) => {
        const [{ queryCatalog }, { listLocations }] = await Promise.all([import('../../catalog/entity-queries.js'), import('../../store/catalog-locations.js')]);
        const { entries: listed } = await queryCatalog(store.db, { filter, order: [{ field: 'kind', order: 'asc' }, { field: 'metadata.namespace', order: 'asc' }, { field: 'metadata.name', order: 'asc' }] }, { offset: 0 });
        const targets = new Map((await listLocations(store.db)).map((l) => [l.id, l.target]));
        return listed.map((e) => ({ ...e, location: targets.get(e.row.location_id) ?? '' }));
      }, { readOnly: true });
      if (options.json) {
        return io.out(
          json(
            entries.map(({ row, links, location }) => ({
              ref: row.ref,
              kind: row.kind,
              namespace: row.namespace,
              name: row.name,
              title: row.title,
              type: row.type,
              owner: row.owner_ref,
              system: row.system_ref,
              lifecycle: row.lifecycle,
              scope: row.scope,
              format: row.format,
              location,
              file: row.source_file,
              repositoryUrl: row.repository_url,
              links: links.map(linkJson),
              problems: JSON.parse(row.problems) as CatalogProblem[],
            })),
          ),
        );
      }
      if (entries.length === 0) {
        return io.out(options.kind === undefined ? 'The catalog is empty: `lantern catalog register PATH` adds entities.\n' : `No entity of kind ${options.kind}.\n`);
      }
      io.out(
        table(
          screenOf(io),
          ['ENTITY', 'TYPE', 'OWNER', 'SCOPE', 'LINKS', 'PROBLEMS'],
          entries.map(({ row, links }) => [
            row.ref,
            row.type,
            row.owner_ref,
            row.scope,
            links.length === 0 ? null : `${links.filter((l) => l.matched).length}/${links.length} matched`,
            (JSON.parse(row.problems) as unknown[]).length || null,
          ]),
        ),
      );
    });

  catalog
    .command('locations')
    .description('list the registered locations and how their last read went')
    .addHelpText('after', examples('lantern catalog locations', 'lantern catalog locations --json'))
    .option('--json', 'print JSON')
    .option('--db <url>', DB_OPTION)
    .action(async (options: { json?: boolean; db?: string }) => {
      const locations = await withStore(io, options.db, async (store) => (await import('../../store/catalog-locations.js')).listLocations(store.db));
      if (options.json) {
        return io.out(
          json(locations.map((l) => ({ id: l.id, target: l.target, scope: l.scope, status: l.status, entities: l.entities, lastReadAt: l.last_read_at, lastError: l.last_error }))),
        );
      }
      if (locations.length === 0) return io.out('No location is registered: `lantern catalog register PATH` adds one.\n');
      io.out(table(screenOf(io), ['ID', 'TARGET', 'SCOPE', 'STATUS', 'ENTITIES', 'LAST READ', 'LAST ERROR'], locations.map((l) => [l.id, l.target, l.scope, l.status, l.entities, shortTime(l.last_read_at), l.last_error])));
    });

  catalogPolicyOptions(catalog.command('refresh'))
    .description('read every registered location again now; exit 1 if any read reported errors')
    .addHelpText('after', examples('lantern catalog refresh', 'lantern catalog refresh --catalog-allow-host raw.githubusercontent.com'))
    .option('--json', 'print JSON')
    .option('--db <url>', DB_OPTION)
    .action(async (options: { json?: boolean; db?: string } & CatalogPolicyFlags) => {
      const outcomes = await withLantern(io, options.db, { catalog: await catalogReadOptions(options, io.env) }, (lantern) => lantern.refreshAllLocations());
      if (options.json) io.out(json(outcomes.map((o) => ('error' in o ? { id: o.location.id, target: o.location.target, status: 'error', lastError: o.error.message } : summaryJson(o.summary)))));
      else io.out(outcomes.length === 0 ? 'No location is registered: `lantern catalog register PATH` adds one.\n' : outcomes.map(describeOutcome).join(''));
      if (outcomes.some((o) => 'error' in o || o.summary.location.status === 'error')) throw new ProblemsFound();
    });

  catalog
    .command('unregister')
    .description('unregister a location and remove its entities')
    .addHelpText('after', examples('lantern catalog unregister 3'))
    .argument('<id>', 'the location id (see `lantern catalog locations`)')
    .option('--db <url>', DB_OPTION)
    .action(async (id: string, options: { db?: string }) => {
      const locationId = parseId(id, 'location id');
      const location = await withLantern(io, options.db, {}, (lantern) => lantern.unregisterLocation(locationId));
      io.out(`Unregistered ${location.target} (location ${location.id}) and removed its entities.\n`);
    });
}

async function validate(io: CliIo, paths: string[], options: { scope?: string; json?: boolean; db?: string } & CatalogPolicyFlags): Promise<void> {
  const scope = scopeOption(options.scope);
  const { allowHosts, allowPrivate, backstage } = await catalogReadOptions(options, io.env);
  const [{ readCatalog }, { relateEntities }, { indexTargets, nameKeys, resolveTargetLink }, { databaseUrlFrom, isPostgresUrl, openStore }, { targetsForLinks }] = await Promise.all([
    import('../../catalog/read.js'),
    import('../../catalog/relations.js'),
    import('../../catalog/matching.js'),
    import('../../store/database.js'),
    import('../../store/target-links.js'),
  ]);
  const known = new Map<string, EntitySource>();
  const entities: CatalogEntity[] = [];
  const problems: CatalogProblem[] = [];
  for (const path of paths) {
    const read = await readCatalog(path, { scope, known, allowHosts, allowPrivate, backstage });
    const [only] = read.files;
    const failed = read.entities.length === 0 && read.files.length === 1 && only?.file === read.location ? only.problems.find((p) => p.code === 'unreadable') : undefined;
    if (failed) throw new InputError(failed.message);
    for (const entity of read.entities) known.set(entity.ref, entity.source);
    entities.push(...read.entities);
    problems.push(...read.files.flatMap((f) => f.problems));
  }
  const related = relateEntities(entities);
  for (const entity of entities) problems.push(...entity.problems);
  problems.push(...related.problems.map((p) => p.problem));
  problems.sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));

  const database = databaseUrlFrom(options.db, io.env);
  const checked = isPostgresUrl(database) || existsSync(database.replace(/^sqlite:/i, ''));
  let resolve: (spec: TargetLinkSpec) => TargetLinkResolution | undefined = () => undefined;
  if (checked) {
    const store = await openStore(database);
    try {
      const keys = entities.flatMap((entity) => entity.linkSpecs.map((spec) => nameKeys(spec.name, spec.scope)));
      const index = indexTargets((await targetsForLinks(store.db, keys)).targets);
      resolve = (spec) => resolveTargetLink(spec, index);
    } finally {
      await store.close();
    }
  }
  const results = entities.map((entity) => ({ entity, links: entity.linkSpecs.map((spec) => ({ spec, resolution: resolve(spec) })) }));
  // A link's diagnostics count with the problems of the files: a warning is a warning wherever it is.
  const diagnostics = results.flatMap((r) => r.links.flatMap((l) => l.resolution?.diagnostics ?? []));
  const linkErrors = diagnostics.filter((d) => d.level === 'error').length;
  const linkWarnings = diagnostics.filter((d) => d.level === 'warning').length;
  const errors = problems.filter((p) => p.level === 'error').length + linkErrors;
  const warnings = problems.filter((p) => p.level !== 'error').length + linkWarnings;
  const linkCount = results.reduce((n, r) => n + r.links.length, 0);
  const matched = results.reduce((n, r) => n + r.links.filter((l) => l.resolution?.matched).length, 0);

  if (options.json) {
    io.out(
      json({
        entities: results.map(({ entity, links }) => ({
          ref: entity.ref,
          scope: formatScope(entity.scope),
          format: entity.format,
          file: entity.source.file,
          line: entity.source.line,
          links: links.map(({ spec, resolution }) => ({
            name: spec.name,
            scope: formatScope(spec.scope),
            variant: spec.variant ?? null,
            origin: spec.origin,
            ...(resolution ? { matched: resolution.matched, target: resolution.targetName ?? null, shown: resolution.variant ?? null, reason: resolution.variantReason ?? null, diagnostics: resolution.diagnostics } : {}),
          })),
        })),
        problems,
        summary: { entities: entities.length, errors, warnings, links: linkCount, matched: checked ? matched : null },
      }),
    );
  } else {
    const lines: string[] = [];
    for (const { entity, links } of results) {
      lines.push(`${entity.ref}  [${formatScope(entity.scope)}]  ${entity.source.file}:${entity.source.line}`);
      for (const { spec, resolution } of links) {
        lines.push(`  link ${describeSpec(spec.name, formatScope(spec.scope), spec.variant ?? null, spec.origin)}: ${resolution ? describeResolution(resolution.matched, resolution.targetName ?? null, resolution.variant ?? null, resolution.variantReason ?? null) : 'not checked'}`);
        for (const d of resolution?.diagnostics ?? []) lines.push(`    ${describeDiagnostic(d)}`);
      }
    }
    if (problems.length > 0) lines.push('', ...problems.map(formatProblem));
    lines.push(
      '',
      `${entities.length} entit${entities.length === 1 ? 'y' : 'ies'}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}` +
        (linkErrors + linkWarnings > 0 ? ` (${linkErrors + linkWarnings} on target links)` : '') +
        '; ' +
        (checked ? `${linkCount} target link${linkCount === 1 ? '' : 's'}, ${matched} matched.` : `${linkCount} target link${linkCount === 1 ? '' : 's'}, not checked: no database at ${database} (give --db).`),
    );
    io.out(`${lines.join('\n')}\n`);
  }
  if (errors > 0) throw new ProblemsFound();
}

function describeSpec(name: string, scope: string, variant: string | null, origin: string): string {
  return `${name} [${scope}] ${variant === null ? 'baseline' : `variant ${variant}`}${origin === 'source-url' ? ' (repository URL)' : ''}`;
}

function describeResolution(matched: boolean, target: string | null, variant: string | null, reason: string | null): string {
  if (matched) return `matched ${target}, showing ${variant}${reason && reason !== 'variant' ? ` (baseline: ${reason})` : ''}`;
  return target === null ? 'no target' : `target ${target} has nothing to show`;
}

function describeDiagnostic(d: LinkDiagnostic): string {
  return `${d.level} ${d.code}: ${d.message}`;
}

function summaryJson(s: RefreshSummary, links?: LinkTally) {
  return {
    location: { id: s.location.id, target: s.location.target, scope: s.location.scope, status: s.location.status, lastError: s.location.last_error },
    created: s.created,
    added: s.added,
    updated: s.updated,
    removed: s.removed,
    kept: s.kept,
    unchanged: s.unchanged,
    problems: s.problems,
    ...(links ? { links } : {}),
  };
}

function describeSummary(s: RefreshSummary, links: LinkTally): string {
  const head = s.created ? `Registered ${s.location.target} as location ${s.location.id} [${s.location.scope}]` : `Read ${s.location.target} (location ${s.location.id}) [${s.location.scope}] again`;
  const lines = [`${head}: ${s.added.length} added, ${s.updated.length} updated, ${s.removed.length} removed, ${s.unchanged} unchanged.`];
  if (s.kept.length > 0) lines.push(`  kept from the last good read: ${s.kept.join(', ')}`);
  lines.push(`  target links: ${links.links}, ${links.matched} matched`);
  for (const p of s.problems) lines.push(formatProblem(p));
  return `${lines.join('\n')}\n`;
}

function describeOutcome(outcome: RefreshOutcome): string {
  if ('error' in outcome) return `${outcome.location.target} (location ${outcome.location.id}): not refreshed: ${outcome.error.message}\n`;
  const s = outcome.summary;
  const kept = s.kept.length > 0 ? `, ${s.kept.length} kept from the last good read` : '';
  const error = s.location.last_error ? `\n  ${s.location.last_error}` : '';
  return `${s.location.target} (location ${s.location.id}): ${s.location.status}; ${s.added.length} added, ${s.updated.length} updated, ${s.removed.length} removed, ${s.unchanged} unchanged${kept}.${error}\n`;
}

function linkJson(l: TargetLinkView) {
  return {
    name: l.name,
    scope: l.scope,
    variant: l.variant,
    origin: l.origin,
    matched: l.matched,
    target: l.targetName,
    shown: l.variantName,
    reason: l.variantReason,
    diagnostics: l.diagnostics,
  };
}
