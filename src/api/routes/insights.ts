import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireReadable, scopesOf } from '../auth.js';
import { InputError, NotFoundError } from '../../domain/errors.js';
import { isSeverity, SEVERITIES, type Severity } from '../../domain/severity.js';
import { DEFAULT_ISSUE_LIMIT, entityIssues, ISSUE_SORTS, MAX_ISSUE_LIMIT } from '../../insights/entity-issues.js';
import { entityByRef, entityState } from '../../insights/entity-state.js';
import { refKeyOf } from '../../store/catalog-entities.js';
import { linksOfRefKey } from '../../store/target-links.js';
import { issueDetail } from '../../insights/issue-detail.js';
import { overview, OVERVIEW_SORTS } from '../../insights/overview.js';
import { summarise } from '../../insights/summary.js';
import { exploitationCounts, storedExploitationCounts } from '../../insights/exploitation-counts.js';
import { entityRollup } from '../../insights/rollup.js';
import { MAX_SEARCHED_ISSUES, MIN_ISSUE_SEARCH, searchIssues } from '../../insights/issue-search.js';
import { trend } from '../../insights/trend.js';
import type { Lantern } from '../../lantern.js';
import { EntitySlaSchema, ExploitationCountFields, ExploitationFields, KevStateSchema, SlaComplianceSchema, SlaSchema, SlaStateSchema } from '../exploitation-schema.js';
import { SLA_COMPLIANCE_PERIODS, slaCompliance } from '../../insights/sla-compliance.js';
import { DEFAULT_SLA_PERIOD_DAYS, entitySla } from '../../insights/sla-clock.js';
import { Days, EntityColumnFields, errors, Id, IdParams, Limit, Offset, IssueListingFields, NullableInteger, NullableString, SeverityCountsSchema, SeverityName } from '../schemas.js';
import type { LanternApp } from '../server.js';
import { ExemptionSchema } from './exemptions.js';

const Percentages = Type.Object({ critical: Type.Integer(), high: Type.Integer(), medium: Type.Integer(), low: Type.Integer(), info: Type.Integer() });
const Diagnostic = Type.Object({ level: Type.String(), code: Type.String(), message: Type.String() });
const Origin = Type.Union([Type.Literal('annotation'), Type.Literal('source-url')]);
const Tally = {
  counts: SeverityCountsSchema,
  fixable: Type.Integer(),
  new: Type.Integer(),
  exempted: Type.Integer(),
  lastScanAt: NullableString,
};

const SummaryFields = {
  entityRef: Type.String(),
  hasData: Type.Boolean({ description: 'False when no link shows a scanned variant: "no data", which is not zero issues.' }),
  ...Tally,
  percentages: Percentages,
  breakdown: Type.Object({
    fixable: Type.Object({ critical: Type.Integer(), high: Type.Integer(), medium: Type.Integer(), low: Type.Integer(), info: Type.Integer() }),
    oldestOpen: Type.Object({ critical: NullableString, high: NullableString, medium: NullableString, low: NullableString, info: NullableString }),
  }),
  unmatchedLinks: Type.Integer(),
  targets: Type.Array(
    Type.Object({
      targetId: Type.Integer(),
      name: Type.String(),
      scope: Type.String(),
      type: Type.String(),
      variant: Type.String(),
      variantReason: Type.String(),
      note: NullableString,
      origins: Type.Array(Origin),
      scanners: Type.Array(Type.String()),
      ...Tally,
    }),
  ),
  scanners: Type.Array(Type.Object({ scanner: Type.String(), counts: SeverityCountsSchema, lastScanAt: NullableString })),
  links: Type.Array(
    Type.Object({
      name: Type.String(),
      scope: Type.String(),
      variant: NullableString,
      origin: Origin,
      matched: Type.Boolean(),
      targetId: NullableInteger,
      variantShown: NullableString,
      diagnostics: Type.Array(Diagnostic),
    }),
  ),
};
const SummarySchema = Type.Object(SummaryFields);
/** An entity's summary: with its known-exploited and SLA counts (a rollup's summary has none). */
const EntitySummarySchema = Type.Object({
  ...SummaryFields,
  ...ExploitationCountFields,
  slaDueSoon: Type.Union([Type.Integer(), Type.Null()], { description: 'Active issues due within 7 days, the issue list with sla=due-soon; null without data' }),
});

const EntityIssueSchema = Type.Object({
  ...IssueListingFields,
  exempted: Type.Boolean(),
  exemption: Type.Union(
    [Type.Object({ id: Type.Integer(), reason: ExemptionSchema.properties.reason, level: ExemptionSchema.properties.level, expiresAt: NullableString }), Type.Null()],
    { description: 'The approved exemption that covers the issue now (status=exempted lists these); null for an active issue' },
  ),
  targetName: Type.String(),
  variant: Type.String(),
  location: Type.Union([Type.Object({ filePath: Type.String(), startLine: NullableInteger, endLine: NullableInteger }), Type.Null()]),
  ...ExploitationFields,
  sla: SlaSchema,
});

const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);
const IssueDetailSchema = Type.Object({
  id: Type.Integer(),
  fingerprint: Type.String(),
  kind: Type.String(),
  severity: SeverityName,
  title: Type.String(),
  description: Type.Union([Type.String({ description: 'Scanner text (markdown), untrusted: render safely.' }), Type.Null()]),
  remediation: NullableString,
  fixedVersion: NullableString,
  vulnerabilityId: NullableString,
  ruleId: NullableString,
  package: NullableString,
  installedVersion: NullableString,
  ecosystem: NullableString,
  license: NullableString,
  identifiers: Type.Array(Type.Object({ type: Type.String(), id: Type.String(), url: NullableString })),
  references: Type.Array(Type.String()),
  tags: Type.Array(Type.String()),
  notes: Type.Array(Type.String({ description: "What Lantern changed in the report's text on the way in (NUL characters removed, fields cut)." })),
  targetId: Type.Integer(),
  targetName: Type.String(),
  targetScope: Type.String(),
  scanners: Type.Array(
    Type.Object({
      scanner: Type.String(),
      severity: SeverityName,
      scannerSeverity: NullableString,
      score: Type.Union([Type.Number(), Type.Null()]),
      scanId: Type.Integer(),
      scannedAt: Type.String(),
    }),
  ),
  firstSeenAt: Type.String(),
  lastSeenAt: Type.String(),
  exemption: Type.Union([ExemptionSchema, Type.Null()]),
  occurrences: Type.Array(
    Type.Object({
      scanId: Type.Integer(),
      scanner: Type.String(),
      variant: Type.String(),
      filePath: NullableString,
      startLine: NullableInteger,
      endLine: NullableInteger,
      baseId: Type.Union([Type.String(), Type.Null()], { description: 'the source-tree root the scanner says filePath is relative to (a SARIF uriBaseId such as %SRCROOT%); such a path links to the repository whatever the target type' }),
      startColumn: Type.Optional(Type.Integer()),
      endColumn: Type.Optional(Type.Integer()),
      component: Type.Optional(Type.String()),
      dependencyPath: Type.Optional(Type.Array(Type.String())),
      layer: Type.Optional(Type.String()),
      resource: Type.Optional(Type.String()),
      url: Type.Optional(Type.String()),
      host: Type.Optional(Type.String()),
      port: Type.Optional(Type.Integer()),
      snippet: Type.Optional(Type.String()),
      secretMasked: Type.Optional(Type.String()),
      commit: Type.Optional(Type.String()),
      author: Type.Optional(Type.String()),
      email: Type.Optional(Type.String()),
      details: Type.Optional(Type.Record(Type.String(), Scalar)),
      sourceUrl: NullableString,
    }),
  ),
});

const Rollup = { entities: Type.Integer(), withData: Type.Integer(), counts: SeverityCountsSchema };
const OverviewSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      ...EntityColumnFields,
      tags: Type.Array(Type.String()),
      hasData: Type.Boolean(),
      counts: Type.Union([SeverityCountsSchema, Type.Null()], { description: 'null when hasData is false: "no data", not zero' }),
      fixable: NullableInteger,
      new: NullableInteger,
      exempted: NullableInteger,
      lastScanAt: NullableString,
      unmatchedLinks: Type.Integer({ description: 'Links that show nothing (the target is not found, or has no scan)' }),
      score: Type.Union([Type.Number(), Type.Null()], { description: "The score on the scorecard named by `scorecard` (default the Security baseline); null when it does not apply or decided no check" }),
      ...ExploitationCountFields,
    }),
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'The cursor of the next page in the same sort (also in the Link header); null on the last page' }),
  total: Type.Integer(),
  totals: Type.Object({
    ...Rollup,
    knownExploited: Type.Union([Type.Integer(), Type.Null()], {
      description: "The rows' knownExploited added up (an issue of a target two entities show counts for both); null when none is known: unknown, not 0",
    }),
    slaBreached: Type.Union([Type.Integer(), Type.Null()], { description: "The rows' slaBreached added up; null when no row has data" }),
  }),
  byOwner: Type.Array(Type.Object({ owner: Type.String(), ...Rollup })),
  bySystem: Type.Array(Type.Object({ system: Type.String(), ...Rollup })),
  byDomain: Type.Array(Type.Object({ domain: Type.String(), ...Rollup })),
  scorecard: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()], {
    description: 'The scorecard whose score the rows show; null when Lantern has no scorecard',
  }),
});

const RollupSchema = Type.Object({
  entityRef: Type.String(),
  kind: Type.String(),
  members: Type.Array(
    Type.Object({
      entityRef: Type.String(),
      kind: Type.String(),
      namespace: Type.String(),
      name: Type.String(),
      title: NullableString,
      via: Type.Union([Type.String(), Type.Null()], { description: "The system through which a domain holds this member; null for a direct member" }),
      hasData: Type.Boolean(),
      counts: Type.Union([SeverityCountsSchema, Type.Null()], { description: 'The member’s own counts; null when it has no data' }),
      links: Type.Integer(),
      unmatchedLinks: Type.Integer(),
      lastScanAt: NullableString,
    }),
  ),
  summary: Type.Object(
    { ...SummarySchema.properties },
    { description: "The members' issues together, each issue once however many members show it; links is empty and unmatchedLinks sums the members'" },
  ),
});

const IssueSearchSchema = Type.Object({
  q: Type.String(),
  counts: SeverityCountsSchema,
  exempted: Type.Integer(),
  entities: Type.Array(
    Type.Object({
      entityRef: Type.String(),
      kind: Type.String(),
      namespace: Type.String(),
      name: Type.String(),
      title: NullableString,
      owner: NullableString,
      counts: SeverityCountsSchema,
      targets: Type.Integer(),
    }),
  ),
  targets: Type.Integer(),
  variants: Type.Integer(),
  rows: Type.Array(
    Type.Object({
      issueId: Type.Integer(),
      severity: SeverityName,
      kind: Type.String(),
      title: Type.String(),
      vulnerabilityId: NullableString,
      ruleId: NullableString,
      package: NullableString,
      installedVersion: NullableString,
      fixedVersion: NullableString,
      targetId: Type.Integer(),
      targetName: Type.String(),
      targetScope: Type.String(),
      targetType: Type.String(),
      variant: Type.String(),
      scanners: Type.Array(Type.String()),
      exempted: Type.Boolean(),
      entities: Type.Array(Type.String()),
    }),
  ),
  truncated: Type.Boolean({ description: `True when more than ${MAX_SEARCHED_ISSUES} issues matched and only the first ${MAX_SEARCHED_ISSUES} were read` }),
});

const EntityParams = Type.Object({ kind: Type.String(), namespace: Type.String(), name: Type.String() });
const List = Type.Optional(Type.String({ description: 'Comma-separated values' }));
/** The overview's filters of entities, each a comma-separated list: the overview and the trend take them. */
const FacetFilters = { kind: List, type: List, owner: List, system: List, lifecycle: List, tag: List };

/** `a,b,c` → ['a','b','c']; undefined when absent or blank. */
function list(value: string | undefined): string[] | undefined {
  const items = value?.split(',').map((v) => v.trim()).filter((v) => v !== '');
  return items && items.length > 0 ? items : undefined;
}

function severities(value: string | undefined): Severity[] | undefined {
  const items = list(value)?.map((v) => v.toLowerCase());
  const bad = items?.find((v) => !isSeverity(v));
  if (bad !== undefined) throw new InputError(`Invalid severity ${JSON.stringify(bad)}: expected ${SEVERITIES.join(', ')}.`);
  return items as Severity[] | undefined;
}

/** Reads `kind:namespace/name` (the `entity` query parameter). */
function entityRefParts(ref: string): { kind: string; namespace: string; name: string } {
  const match = /^([^:/]+):(?:([^/]+)\/)?(.+)$/.exec(ref.trim());
  if (!match) throw new InputError(`Invalid entity reference ${JSON.stringify(ref)}: expected kind:namespace/name, e.g. component:default/payments.`);
  return { kind: match[1] as string, namespace: match[2] ?? 'default', name: match[3] as string };
}

/** How many entities whose SLA counts time changed an overview request counts again before it reads its page. */
const OVERVIEW_SLA_REFRESH_LIMIT = 400;

/** What an entity's owners see (docs/insights-api.md). */
export async function insightRoutes(api: LanternApp, lantern: Lantern): Promise<void> {
  const { db } = lantern.store;
  // The time the counts are read at is Lantern's, as when the stored summaries were computed: an
  // exemption that expired by that clock counts again here too.
  const now = () => lantern.now();

  /** An entity the caller may read; any other answers 404 whether it exists or not. */
  const readableEntity = async (request: FastifyRequest, ref: { kind: string; namespace: string; name: string }) => {
    const entity = await entityByRef(db, ref.kind, ref.namespace, ref.name);
    requireReadable(request, entity.scope, () => new NotFoundError(`No entity ${ref.kind}:${ref.namespace}/${ref.name} in the catalog.`));
    return entity;
  };
  /** The readable entity and its links, read at once (each on its own connection on PostgreSQL). */
  const readableEntityWithLinks = async (request: FastifyRequest, ref: { kind: string; namespace: string; name: string }) => {
    const refKey = await refKeyOf(ref.kind, ref.namespace, ref.name);
    const [entity, links] = await Promise.all([readableEntity(request, ref), linksOfRefKey(db, refKey)]);
    return { entity, links };
  };

  api.get(
    '/insights/entities/:kind/:namespace/:name/summary',
    { schema: { summary: "An entity's security summary", tags: ['insights'], params: EntityParams, response: { 200: EntitySummarySchema, ...errors(404) } } },
    async (request) => {
      const at = lantern.now();
      // Two rounds of reads, each at once: the entity with its links, then what the links show
      // with the stored counts.
      const { entity, links } = await readableEntityWithLinks(request, request.params);
      // Counted from the shown variants' stored tallies where still valid: a huge target is not read
      // per request. Known-exploited and SLA counts as stored with the summary; counted from the
      // issues when time changed an SLA state since (a due date passed) and no sweep has stored them yet.
      const [state, stored] = await Promise.all([entityState(db, entity, { tallies: { mode: 'read', now: at }, links }), storedExploitationCounts(db, [entity.id], at)]);
      const summary = summarise(state, at);
      // The fallback counts every issue: the state already read them unless a stored tally stood in
      // for a target, and then only the issues are read again, not the entity's links.
      const whole = async () => (state.targets.some((t) => t.tally !== undefined) ? entityState(db, entity, { links: new Map([[entity.id, state.links]]) }) : state);
      const counts = stored.get(entity.id) ?? (await exploitationCounts(db, [await whole()], lantern.sla, at)).get(entity.id);
      return { ...summary, knownExploited: counts?.knownExploited ?? null, slaBreached: counts?.slaBreached ?? null, slaDueSoon: counts?.slaDueSoon ?? null };
    },
  );

  api.get(
    '/insights/entities/:kind/:namespace/:name/sla',
    {
      schema: {
        summary: "An entity's SLA: its active issues by SLA state, and its fixes over a period with the share fixed within SLA and the mean time to remediate",
        tags: ['insights'],
        params: EntityParams,
        querystring: Type.Object({
          days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: DEFAULT_SLA_PERIOD_DAYS, description: 'The period: fixes of the last this many days' })),
          limit: Type.Optional(Limit({ max: 500, default: 100 })),
        }),
        response: { 200: EntitySlaSchema, ...errors(400, 404) },
      },
    },
    async (request) => {
      const state = await entityState(db, await readableEntity(request, request.params));
      return entitySla(db, state, lantern.sla, lantern.now(), { days: request.query.days, limit: request.query.limit });
    },
  );

  api.get(
    '/insights/entities/:kind/:namespace/:name/rollup',
    {
      schema: {
        summary: "A System's, Domain's or Group's members and their issues together",
        tags: ['insights'],
        params: EntityParams,
        response: { 200: RollupSchema, ...errors(400, 404) },
      },
    },
    async (request) => {
      return entityRollup(db, await readableEntity(request, request.params), scopesOf(request), now());
    },
  );

  api.get(
    '/insights/issues',
    {
      schema: {
        summary: 'Where is an issue: the current issues of every entity by CVE, alias, package or rule, with the entities, targets and variants that have them',
        tags: ['insights'],
        querystring: Type.Object({
          q: Type.String({ minLength: MIN_ISSUE_SEARCH, maxLength: 200, description: 'Text contained in the vulnerability id, package or rule id, or an alias, case-insensitively' }),
          severity: List,
        }),
        response: { 200: IssueSearchSchema, ...errors(400) },
      },
    },
    async (request) => {
      return searchIssues(db, { q: request.query.q, severity: severities(request.query.severity), scopes: scopesOf(request), now: now() });
    },
  );

  api.get(
    '/insights/entities/:kind/:namespace/:name/issues',
    {
      schema: {
        summary: "An entity's current issues, filtered, sorted and paged",
        tags: ['insights'],
        params: EntityParams,
        querystring: Type.Object({
          severity: List,
          scanner: List,
          kind: List,
          target: Type.Optional(Id()),
          status: Type.Optional(Type.Union([Type.Literal('new'), Type.Literal('common'), Type.Literal('exempted')])),
          q: Type.Optional(Type.String({ maxLength: 200 })),
          kev: Type.Optional(KevStateSchema),
          epssMin: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Only issues whose EPSS score is at least this' })),
          sla: Type.Optional(SlaStateSchema),
          sort: Type.Optional(Type.String({ description: `${ISSUE_SORTS.join(', ')}; a leading "-" sorts descending. Default -severity. priority: known-exploited first, then EPSS percentile bands, severity, fixable (docs/prioritisation.md).` })),
          limit: Type.Optional(Limit({ max: MAX_ISSUE_LIMIT, default: DEFAULT_ISSUE_LIMIT })),
          cursor: Type.Optional(Type.String()),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(EntityIssueSchema),
            total: Type.Integer(),
            nextCursor: NullableString,
            facets: Type.Object({ scanners: Type.Array(Type.String()), kinds: Type.Array(Type.String()), targets: Type.Array(Type.Object({ targetId: Type.Integer(), name: Type.String() })) }),
          }),
          ...errors(400, 404),
        },
      },
    },
    async (request) => {
      const q = request.query;
      // Two rounds of reads before the page's, each at once: the entity with its links, then what
      // the links show. With the shown variants' tallies, the first pages by severity are read
      // through indexes; with the targets' SLA pauses, which every page's clocks need.
      const { entity, links } = await readableEntityWithLinks(request, request.params);
      const state = await entityState(db, entity, { tallies: { mode: 'read', now: lantern.now() }, links, slaPauses: true });
      return entityIssues(
        db,
        state,
        { severity: severities(q.severity), scanner: list(q.scanner), kind: list(q.kind), target: q.target, status: q.status, q: q.q, kev: q.kev, epssMin: q.epssMin, sla: q.sla, sort: q.sort, limit: q.limit, cursor: q.cursor },
        lantern.now(),
        lantern.sla,
      );
    },
  );

  api.get(
    '/insights/issues/:id',
    {
      schema: {
        summary: 'One issue, with its occurrences linked to the exact source lines',
        tags: ['insights'],
        params: IdParams,
        querystring: Type.Object({ entity: Type.Optional(Type.String({ description: 'kind:namespace/name whose repository the source links point into' })) }),
        response: { 200: IssueDetailSchema, ...errors(400, 404) },
      },
    },
    async (request) => {
      const viewer = request.query.entity === undefined ? undefined : await readableEntity(request, entityRefParts(request.query.entity));
      const detail = await issueDetail(db, request.params.id, viewer, now());
      requireReadable(request, detail.targetScope, () => new NotFoundError(`No issue with id ${request.params.id}.`));
      return detail;
    },
  );

  api.get(
    '/insights/overview',
    {
      schema: {
        summary: 'The whole catalog with each entity’s security counts, and totals per owner, system and domain',
        tags: ['insights'],
        querystring: Type.Object({
          ...FacetFilters,
          hasData: Type.Optional(Type.Boolean()),
          q: Type.Optional(Type.String({ maxLength: 200 })),
          sort: Type.Optional(Type.String({ description: `${OVERVIEW_SORTS.join(', ')}; a leading "-" sorts descending. Default -critical.` })),
          limit: Type.Optional(Limit({ max: 200, default: 50 })),
          offset: Type.Optional(Offset()),
          cursor: Type.Optional(Type.String({ maxLength: 2000, description: 'The nextCursor of the page before, in the same sort: pages by keyset, as fast at any depth as the first (instead of offset)' })),
          scorecard: Type.Optional(Type.String({ description: 'The scorecard whose score each row shows; default the built-in Security baseline, else the first scorecard' })),
        }),
        response: { 200: OverviewSchema, ...errors(400, 404) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      // Stored SLA counts whose due dates time passed are counted again first: the page sorts by
      // them. A few hundred at most per request; more (after an upgrade) are the sweep's work.
      await lantern.refreshSlaDue(lantern.now(), OVERVIEW_SLA_REFRESH_LIMIT);
      const scorecard = q.scorecard === undefined ? await lantern.scorecards.overviewDefault(db) : await lantern.scorecards.find(db, q.scorecard);
      const page = await overview(db, {
        kind: list(q.kind),
        type: list(q.type),
        owner: list(q.owner),
        system: list(q.system),
        lifecycle: list(q.lifecycle),
        tag: list(q.tag),
        hasData: q.hasData,
        q: q.q,
        sort: q.sort,
        limit: q.limit,
        offset: q.offset,
        cursor: q.cursor,
        scorecard: scorecard?.id,
        scopes: scopesOf(request),
        now: now(),
      });
      if (page.nextCursor !== null) {
        const next = new URL(`http://lantern${request.url}`);
        next.searchParams.delete('offset');
        next.searchParams.set('cursor', page.nextCursor);
        void reply.header('link', `<${next.pathname}${next.search}>; rel="next"`);
      }
      return { ...page, scorecard: scorecard ? { id: scorecard.id, name: scorecard.name } : null };
    },
  );

  api.get(
    '/insights/sla-compliance',
    {
      schema: {
        summary: 'SLA compliance (fixed within SLA / fixed) per owner, system and domain, and the mean time to remediate per severity, over a period, across the entities the caller may read',
        tags: ['insights'],
        querystring: Type.Object({
          days: Type.Optional(Type.Integer({ enum: [...SLA_COMPLIANCE_PERIODS], default: DEFAULT_SLA_PERIOD_DAYS, description: 'The period: fixes of the last 30, 90 or 180 days' })),
        }),
        response: { 200: SlaComplianceSchema, ...errors(400) },
      },
    },
    async (request) => slaCompliance(db, lantern.sla, scopesOf(request), lantern.now(), request.query.days ?? DEFAULT_SLA_PERIOD_DAYS),
  );

  api.get(
    '/insights/trend',
    {
      schema: {
        summary: 'Open issues per severity at the end of each day: of the whole catalog, one entity, or the entities the overview’s filters pick',
        tags: ['insights'],
        querystring: Type.Object({
          days: Type.Optional(Days()),
          entity: Type.Optional(Type.String({ description: 'kind:namespace/name; default the whole catalog' })),
          ...FacetFilters,
        }),
        response: { 200: Type.Object({ points: Type.Array(Type.Object({ date: Type.String(), withData: Type.Integer({ description: 'Entities with data that day: 0 means no data, not zero issues' }), critical: Type.Integer(), high: Type.Integer(), medium: Type.Integer(), low: Type.Integer(), info: Type.Integer(), total: Type.Integer() })) }), ...errors(400, 404) },
      },
    },
    async (request) => {
      const entity = request.query.entity === undefined ? undefined : await readableEntity(request, entityRefParts(request.query.entity));
      const q = request.query;
      const filter = { kind: list(q.kind), type: list(q.type), owner: list(q.owner), system: list(q.system), lifecycle: list(q.lifecycle), tag: list(q.tag) };
      return { points: await trend(db, { days: q.days ?? 30, entityIds: entity ? [entity.id] : undefined, filter, scopes: scopesOf(request), now: now() }) };
    },
  );
}
