import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { actorOf, requireReadable, scopesOf } from '../auth.js';
import { ListPageQuery, listPage } from '../list-pages.js';
import { baselinePatternProblem } from '../../domain/baseline.js';
import { InputError, NotFoundError } from '../../domain/errors.js';
import { pageOf } from '../../domain/page-cursor.js';
import { DEFAULT_ISSUE_LIMIT, MAX_ISSUE_LIMIT } from '../../insights/entity-issues.js';
import { parseScope } from '../../domain/scope.js';
import type { Lantern } from '../../lantern.js';
import { type IssueListing, scanIssueSplit } from '../../store/issues.js';
import { prioritise } from '../../insights/priority.js';
import { ExploitationFields } from '../exploitation-schema.js';
import { getScanView, scansOf, scanView } from '../../store/scans.js';
import { getTargetById, listTargets, setBaseline, variantsOf } from '../../store/targets.js';
import { targetListingFacts } from '../../store/target-listing-facts.js';
import { chooseVariant } from '../../store/variant-choice.js';
import { errors, IdParams, Limit, IssueListingFields, NullableInteger, NullableString, SeverityCountsSchema, TargetTypeSchema } from '../schemas.js';
import type { LanternApp } from '../server.js';

const TargetSchema = Type.Object({
  id: Type.Integer(),
  scope: Type.String({ description: '`account` or `ORG.PROJECT`' }),
  name: Type.String(),
  type: Type.String(),
  baselineVariant: NullableString,
  baselineRegex: NullableString,
  variants: Type.Integer(),
  scans: Type.Integer(),
  lastScanAt: NullableString,
  createdAt: Type.String(),
  counts: Type.Union([SeverityCountsSchema, Type.Null()], { description: 'Open issues of the variant the target shows (its baseline), each once; null when nothing was scanned' }),
  entities: Type.Array(Type.String(), { description: 'Refs of the entities whose links show this target (those the caller may read)' }),
});

const TargetDetailSchema = Type.Object({
  id: Type.Integer(),
  scope: Type.String(),
  name: Type.String(),
  type: Type.String(),
  createdAt: Type.String(),
  baseline: Type.Object({
    variant: NullableString,
    regex: NullableString,
    shown: NullableString,
    reason: Type.String({ description: 'explicit, regex, conventional, most-recent or none' }),
    note: NullableString,
  }),
  variants: Type.Array(Type.Object({ name: Type.String(), createdAt: Type.String(), lastScanAt: NullableString })),
});

export const ScanSchema = Type.Object({
  scanId: Type.Integer(),
  targetId: Type.Integer(),
  variant: Type.String(),
  scanner: Type.String(),
  scannerVersion: NullableString,
  format: Type.String(),
  scanType: Type.String(),
  scannedAt: Type.String(),
  ingestedAt: Type.String(),
  commit: NullableString,
  branch: NullableString,
  pipelineUrl: NullableString,
  artifact: NullableString,
  counts: SeverityCountsSchema,
  occurrences: Type.Integer(),
  new: Type.Integer(),
  common: Type.Integer(),
  remediated: Type.Integer(),
  comparedScanId: NullableInteger,
  suppressed: Type.Integer(),
  errors: Type.Array(Type.String()),
  reportSha256: Type.String(),
});

export const IssueListingSchema = Type.Object(IssueListingFields);
const ScanIssuePart = Type.Union([Type.Literal('new'), Type.Literal('common'), Type.Literal('remediated')]);

/** The security-testing side: targets, their variants and baselines, scans and the issues of a scan. */
export async function targetRoutes(api: LanternApp, lantern: Lantern): Promise<void> {
  const { db } = lantern.store;

  /** A target the caller may read; any other answers 404 whether it exists or not. */
  const readableTarget = async (request: FastifyRequest, id: number) => {
    const notFound = () => new NotFoundError(`No target with id ${id}.`);
    const target = await getTargetById(db, id);
    requireReadable(request, target.scope, notFound);
    return target;
  };
  const readableScan = async (request: FastifyRequest, id: number) => {
    const scan = await getScanView(db, id);
    const target = await getTargetById(db, scan.targetId);
    requireReadable(request, target.scope, () => new NotFoundError(`No scan with id ${id}.`));
    return scan;
  };

  api.get(
    '/targets',
    {
      schema: {
        summary: 'List targets',
        tags: ['targets'],
        querystring: Type.Object({
          scope: Type.Optional(Type.String({ description: '`account` or `ORG.PROJECT`' })),
          type: Type.Optional(TargetTypeSchema),
          name: Type.Optional(Type.String({ description: 'Case-insensitive part of the name' })),
          ...ListPageQuery(500),
        }),
        response: { 200: Type.Array(TargetSchema), ...errors(400) },
      },
    },
    async (request, reply) => {
      const { scope, type, name, limit = 500, offset = 0 } = request.query;
      const rows = await listTargets(db, { scope: scope === undefined ? undefined : parseScope(scope), type, name, scopes: scopesOf(request), page: { limit: limit + 1, offset } });
      const facts = await targetListingFacts(db, rows.slice(0, limit), scopesOf(request));
      return listPage(request, reply, rows.map((row) => ({ ...row, ...(facts.get(row.id) ?? { counts: null, entities: [] }) })), { limit, offset });
    },
  );

  api.get(
    '/targets/:id',
    { schema: { summary: 'One target with its variants and baseline', tags: ['targets'], params: IdParams, response: { 200: TargetDetailSchema, ...errors(404) } } },
    async (request) => {
      const target = await readableTarget(request, request.params.id);
      const [variants, shown] = await Promise.all([variantsOf(db, target.id), chooseVariant(db, target)]);
      return {
        id: target.id,
        scope: target.scope,
        name: target.name,
        type: target.type,
        createdAt: target.created_at,
        baseline: {
          variant: target.baseline_variant,
          regex: target.baseline_regex,
          shown: shown.variant?.name ?? null,
          reason: shown.reason,
          note: shown.note ?? null,
        },
        variants: variants.map((v) => ({ name: v.name, createdAt: v.created_at, lastScanAt: v.last_scan_at })),
      };
    },
  );

  api.put(
    '/targets/:id/baseline',
    {
      schema: {
        summary: "Set a target's baseline: one variant, or the newest variant matching a regular expression",
        tags: ['targets'],
        params: IdParams,
        body: Type.Union([Type.Object({ variant: Type.String({ minLength: 1 }), allowUnscanned: Type.Optional(Type.Boolean()) }), Type.Object({ regex: Type.String({ minLength: 1 }) })]),
        response: { 204: Type.Null(), ...errors(400, 404) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const problem = 'regex' in body ? baselinePatternProblem(body.regex) : undefined;
      if (problem) throw new InputError(problem);
      await lantern.setBaseline(request.params.id, 'variant' in body ? { variant: body.variant, allowUnscanned: body.allowUnscanned ?? false } : { regex: body.regex }, actorOf(request));
      return reply.status(204).send(null);
    },
  );

  api.get(
    '/targets/:id/scans',
    {
      schema: {
        summary: "A target's scans, newest first",
        tags: ['scans'],
        params: IdParams,
        querystring: Type.Object({ variant: Type.Optional(Type.String()), ...ListPageQuery(200) }),
        response: { 200: Type.Array(ScanSchema), ...errors(404) },
      },
    },
    async (request, reply) => {
      const target = await readableTarget(request, request.params.id);
      const variant = request.query.variant === undefined ? undefined : (await chooseVariant(db, target, request.query.variant)).variant;
      const { limit = 200, offset = 0 } = request.query;
      return listPage(request, reply, (await scansOf(db, target.id, variant?.id, { limit: limit + 1, offset })).map(scanView), { limit, offset });
    },
  );

  api.get(
    '/scans/:id',
    { schema: { summary: 'One scan', tags: ['scans'], params: IdParams, response: { 200: ScanSchema, ...errors(404) } } },
    async (request) => readableScan(request, request.params.id),
  );

  api.get(
    '/scans/:id/issues',
    {
      schema: {
        summary: "A page of one part of a scan's issues: new, common, or remediated since the scan it was compared with",
        tags: ['scans'],
        params: IdParams,
        querystring: Type.Object({
          part: ScanIssuePart,
          sort: Type.Optional(Type.Union([Type.Literal('severity'), Type.Literal('priority')], { description: 'severity (worst first, the default) or priority (known-exploited first, then EPSS bands, severity, fixable: docs/prioritisation.md)' })),
          limit: Type.Optional(Limit({ max: MAX_ISSUE_LIMIT, default: DEFAULT_ISSUE_LIMIT })),
          cursor: Type.Optional(Type.String({ description: 'The nextCursor of the previous page' })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Object({ ...IssueListingFields, ...ExploitationFields })),
            total: Type.Integer(),
            nextCursor: NullableString,
            totals: Type.Object({ new: Type.Integer(), common: Type.Integer(), remediated: Type.Integer() }, { description: 'How many issues each part holds' }),
          }),
          ...errors(400, 404),
        },
      },
    },
    async (request) => {
      const scan = await readableScan(request, request.params.id);
      const { part, limit = DEFAULT_ISSUE_LIMIT, cursor, sort = 'severity' } = request.query;
      const split = await scanIssueSplit(db, { id: scan.scanId, compared_scan_id: scan.comparedScanId });
      // In severity order only the page is matched with the feeds; in priority order, the whole part first.
      const ordered: IssueListing[] = sort === 'priority' ? await prioritise(db, split[part], 'priority') : split[part];
      const page = pageOf(ordered, limit, cursor);
      return { ...page, items: await prioritise(db, page.items, 'severity'), totals: { new: split.new.length, common: split.common.length, remediated: split.remediated.length } };
    },
  );
}
