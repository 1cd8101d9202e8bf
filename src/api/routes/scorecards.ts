import { type Static, Type } from 'typebox';
import { NotFoundError } from '../../domain/errors.js';
import { actorOf, requireReadable, scopesOf } from '../auth.js';
import { entityByRef } from '../../insights/entity-state.js';
import type { Lantern } from '../../lantern.js';
import type { CheckStatus, Operator, Strategy, WhenNoData } from '../../scorecards/checks.js';
import { operatorsFor } from '../../scorecards/checks.js';
import { DATA_POINTS, type DataPointType } from '../../scorecards/data-points.js';
import { checkUses, type DefinedScorecard } from '../../scorecards/definitions.js';
import { entityScorecards, RESULT_SORTS, scorecardResultsPage, scorecardTallies, scorecardTrend } from '../../scorecards/results.js';
import { Days, EntityColumnFields, errors, Limit, NullableString, Offset } from '../schemas.js';
import type { LanternApp } from '../server.js';

// Spelled out so that TypeBox infers the literal unions (a mapped array would infer never).
const OperatorSchema = Type.Union([Type.Literal('<'), Type.Literal('<='), Type.Literal('=='), Type.Literal('!='), Type.Literal('>='), Type.Literal('>')]);
const StrategySchema = Type.Union([Type.Literal('allOf'), Type.Literal('anyOf')]);
const WhenNoDataSchema = Type.Union([Type.Literal('fail'), Type.Literal('pass'), Type.Literal('unknown')]);
const CheckStatusSchema = Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('unknown')]);
const DataPointTypeSchema = Type.Union([Type.Literal('number'), Type.Literal('boolean'), Type.Literal('string')]);
const ValueSchema = Type.Union([Type.Number(), Type.Boolean(), Type.String()]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const scorecardSchemasMatchDomain: [
  Same<Static<typeof OperatorSchema>, Operator>,
  Same<Static<typeof StrategySchema>, Strategy>,
  Same<Static<typeof WhenNoDataSchema>, WhenNoData>,
  Same<Static<typeof CheckStatusSchema>, CheckStatus>,
  Same<Static<typeof DataPointTypeSchema>, DataPointType>,
] = [true, true, true, true, true];

const RuleSchema = Type.Object({ dataPoint: Type.String(), input: Type.Optional(Type.String()), operator: OperatorSchema, value: ValueSchema });
const CheckFields = {
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  rules: Type.Array(RuleSchema),
  strategy: StrategySchema,
  whenNoData: WhenNoDataSchema,
  passMessage: Type.Optional(Type.String()),
  failMessage: Type.Optional(Type.String()),
};
const Tally = { pass: Type.Integer(), fail: Type.Integer(), unknown: Type.Integer(), passRate: Type.Union([Type.Number({ description: 'pass / (pass + fail), percent' }), Type.Null()]) };
const Summary = {
  entities: Type.Integer({ description: 'Entities the scorecard applies to' }),
  scored: Type.Integer({ description: 'Of those, entities with a score (a decided check)' }),
  averageScore: Type.Union([Type.Number(), Type.Null()]),
  passing: Type.Integer({ description: 'Scored entities that failed no check' }),
  passRate: Type.Union([Type.Number({ description: 'passing / scored, percent' }), Type.Null()]),
};
const FilterSchema = Type.Object({
  kind: Type.Optional(Type.Array(Type.String())),
  type: Type.Optional(Type.Array(Type.String())),
  lifecycle: Type.Optional(Type.Array(Type.String())),
  owner: Type.Optional(Type.Array(Type.String())),
  tags: Type.Optional(Type.Array(Type.String())),
});
const Definition = {
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  filter: FilterSchema,
  origin: Type.Union([Type.Literal('built-in'), Type.Literal('file'), Type.Literal('api')]),
  source: Type.Union([Type.Object({ file: Type.String(), document: Type.Integer(), line: Type.Integer() }), Type.Null()]),
  readOnly: Type.Boolean({ description: 'Defined in a file (or shipped): changed in its file, not through the API' }),
};
const ScorecardSchema = Type.Object({ ...Definition, checks: Type.Array(Type.Object({ ...CheckFields, weight: Type.Number() })) });
const ScorecardWithTallySchema = Type.Object({ ...Definition, checks: Type.Array(Type.Object({ ...CheckFields, weight: Type.Number(), ...Tally })), ...Summary });
const ProblemSchema = Type.Object({
  level: Type.Union([Type.Literal('error'), Type.Literal('warning')]),
  message: Type.String(),
  file: Type.String(),
  document: Type.Optional(Type.Integer()),
  line: Type.Optional(Type.Integer()),
  column: Type.Optional(Type.Integer()),
  field: Type.Optional(Type.String()),
});
const CheckTallySchema = Type.Object({ id: Type.String(), name: Type.String(), weight: Type.Number(), ...Tally });

const IdParams = Type.Object({ id: Type.String() });
const List = Type.Optional(Type.String({ description: 'Comma-separated values' }));
const EntityFilters = { owner: List, system: List, kind: List, type: List, lifecycle: List };

/** `a,b,c` → ['a','b','c']; undefined when absent or blank. */
function list(value: string | undefined): string[] | undefined {
  const items = value?.split(',').map((v) => v.trim()).filter((v) => v !== '');
  return items && items.length > 0 ? items : undefined;
}

function entityFilter(q: { owner?: string | undefined; system?: string | undefined; kind?: string | undefined; type?: string | undefined; lifecycle?: string | undefined }) {
  return { owner: list(q.owner), system: list(q.system), kind: list(q.kind), type: list(q.type), lifecycle: list(q.lifecycle) };
}

function definitionView(scorecard: DefinedScorecard) {
  return { ...scorecard, readOnly: scorecard.origin !== 'api' };
}

/** Scorecards, their checks and data points, and their results (docs/scorecards.md). */
export async function scorecardRoutes(api: LanternApp, lantern: Lantern): Promise<void> {
  const { db } = lantern.store;

  api.get(
    '/scorecards',
    {
      schema: {
        summary: 'Every scorecard with its checks, pass rates over the entities it applies to, and the problems of its files',
        tags: ['scorecards'],
        response: { 200: Type.Object({ items: Type.Array(ScorecardWithTallySchema), problems: Type.Array(ProblemSchema) }) },
      },
    },
    async (request) => {
      const scorecards = await lantern.scorecards.list(db);
      const tallies = await scorecardTallies(db, scorecards, scopesOf(request));
      return {
        items: scorecards.map((scorecard) => {
          const { checks, ...summary } = tallies.get(scorecard.id) ?? { entities: 0, scored: 0, averageScore: null, passing: 0, passRate: null, checks: [] };
          return {
            ...definitionView(scorecard),
            ...summary,
            checks: scorecard.checks.map((check, i) => {
              const { pass, fail, unknown, passRate } = checks[i] ?? { pass: 0, fail: 0, unknown: 0, passRate: null };
              return { ...check, pass, fail, unknown, passRate };
            }),
          };
        }),
        problems: await lantern.scorecards.problems(),
      };
    },
  );

  api.get(
    '/scorecards/data-points',
    {
      schema: {
        summary: 'The data points checks can compare, with their types, inputs and operators',
        tags: ['scorecards'],
        response: {
          200: Type.Array(
            Type.Object({
              id: Type.String(),
              type: DataPointTypeSchema,
              description: Type.String(),
              input: Type.Union([Type.Object({ kind: Type.Union([Type.Literal('severity'), Type.Literal('tag')]), required: Type.Boolean(), description: Type.String() }), Type.Null()]),
              operators: Type.Array(OperatorSchema),
            }),
          ),
        },
      },
    },
    async () => DATA_POINTS.map((d) => ({ id: d.id, type: d.type, description: d.description, input: d.input ?? null, operators: [...operatorsFor(d)] })),
  );

  api.get(
    '/scorecards/checks',
    {
      schema: {
        summary: 'Every check, standalone or written out in a scorecard, with the scorecards that use it and their weights',
        tags: ['scorecards'],
        response: {
          200: Type.Array(
            Type.Object({ ...CheckFields, standalone: Type.Boolean(), scorecards: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), weight: Type.Number() })) }),
          ),
        },
      },
    },
    async () => checkUses(await lantern.scorecards.list(db), await lantern.scorecards.checks()).map(({ check, standalone, scorecards }) => ({ ...check, standalone, scorecards })),
  );

  api.get(
    '/scorecards/:id',
    { schema: { summary: "A scorecard's definition", tags: ['scorecards'], params: IdParams, response: { 200: ScorecardSchema, ...errors(404) } } },
    async (request) => definitionView(await lantern.scorecards.find(db, request.params.id)),
  );

  api.post(
    '/scorecards',
    {
      schema: {
        summary: 'Define a scorecard, or replace one defined through the API, and evaluate it over every entity',
        description:
          'The body is a scorecard as a YAML scorecard document holds it (docs/scorecards.md): {id, name, description?, filter?, checks: [{id, name, rules, weight?, strategy?, whenNoData?, passMessage?, failMessage?} or {check: ID, weight?}]}. 201 when new, 200 when it replaced one; 409 for the id of a scorecard defined in a file.',
        tags: ['scorecards'],
        body: Type.Object({}, { additionalProperties: true }),
        response: { 200: ScorecardSchema, 201: ScorecardSchema, ...errors(400, 409) },
      },
    },
    async (request, reply) => {
      const { scorecard, created } = await lantern.defineScorecard(request.body, actorOf(request));
      return reply.status(created ? 201 : 200).send(definitionView(scorecard));
    },
  );

  api.delete(
    '/scorecards/:id',
    { schema: { summary: 'Delete a scorecard defined through the API, with its results and history', tags: ['scorecards'], params: IdParams, response: { 204: Type.Null(), ...errors(404, 409) } } },
    async (request, reply) => {
      await lantern.deleteScorecard(request.params.id, actorOf(request));
      return reply.status(204).send(null);
    },
  );

  api.get(
    '/scorecards/:id/results',
    {
      schema: {
        summary: "A scorecard's entities with their scores and check statuses, filtered, sorted and paged, with the pass rate of each check",
        tags: ['scorecards'],
        params: IdParams,
        querystring: Type.Object({
          ...EntityFilters,
          check: Type.Optional(Type.String({ description: 'With status: only entities whose result on this check is status' })),
          status: Type.Optional(CheckStatusSchema),
          q: Type.Optional(Type.String({ maxLength: 200 })),
          sort: Type.Optional(Type.String({ description: `${RESULT_SORTS.join(', ')}; a leading "-" sorts descending. Default score (worst first; no score last).` })),
          limit: Type.Optional(Limit({ max: 500, default: 50 })),
          offset: Type.Optional(Offset()),
          cursor: Type.Optional(Type.String({ maxLength: 2000, description: 'In score order (the default sort) without q: the nextCursor of the page before; pages by keyset, as fast at any depth as the first (instead of offset)' })),
        }),
        response: {
          200: Type.Object({
            scorecard: Type.Object({ id: Type.String(), name: Type.String() }),
            total: Type.Integer(),
            nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'In score order, the cursor of the next page; null on the last page and in other orders' }),
            items: Type.Array(
              Type.Object({
                ...EntityColumnFields,
                score: NullableNumber,
                passed: Type.Integer(),
                failed: Type.Integer(),
                unknown: Type.Integer(),
                checks: Type.Record(Type.String(), CheckStatusSchema),
                updatedAt: Type.String(),
              }),
            ),
            summary: Type.Object({ ...Summary, checks: Type.Array(CheckTallySchema) }),
          }),
          ...errors(400, 404),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const scorecard = await lantern.scorecards.find(db, request.params.id);
      return scorecardResultsPage(db, scorecard, { ...entityFilter(q), scopes: scopesOf(request), check: q.check, status: q.status, q: q.q, sort: q.sort, limit: q.limit, offset: q.offset, cursor: q.cursor });
    },
  );

  api.get(
    '/scorecards/:id/trend',
    {
      schema: {
        summary: 'The scorecard at the end of each day: entities, average score, pass rate, and each check’s pass rate',
        tags: ['scorecards'],
        params: IdParams,
        querystring: Type.Object({ days: Type.Optional(Days()), ...EntityFilters }),
        response: {
          200: Type.Object({
            points: Type.Array(Type.Object({ date: Type.String(), ...Summary, checks: Type.Array(Type.Object({ id: Type.String(), ...Tally })) })),
          }),
          ...errors(400, 404),
        },
      },
    },
    async (request) => {
      const scorecard = await lantern.scorecards.find(db, request.params.id);
      return { points: await scorecardTrend(db, scorecard, { ...entityFilter(request.query), scopes: scopesOf(request), days: request.query.days ?? 30, now: lantern.now() }) };
    },
  );

  api.get(
    '/insights/entities/:kind/:namespace/:name/scorecards',
    {
      schema: {
        summary: 'Each scorecard that applies to the entity: its score, and each check with its status, observed values, thresholds and message',
        tags: ['scorecards'],
        params: Type.Object({ kind: Type.String(), namespace: Type.String(), name: Type.String() }),
        response: {
          200: Type.Object({
            entityRef: Type.String(),
            scorecards: Type.Array(
              Type.Object({
                id: Type.String(),
                name: Type.String(),
                description: Type.String(),
                origin: Type.String(),
                score: NullableNumber,
                passed: Type.Integer(),
                failed: Type.Integer(),
                unknown: Type.Integer(),
                updatedAt: Type.String(),
                noData: Type.Boolean({ description: 'Every check lacked data: no score for want of data (score is null)' }),
                summary: Type.String({ description: 'The result in a sentence, e.g. "4 of 6 decided checks passed."' }),
                checks: Type.Array(
                  Type.Object({
                    id: Type.String(),
                    name: Type.String(),
                    description: Type.String(),
                    weight: Type.Number(),
                    strategy: StrategySchema,
                    whenNoData: WhenNoDataSchema,
                    status: CheckStatusSchema,
                    noData: Type.Boolean({ description: 'The rules could not be decided for lack of a value; whenNoData gave the status' }),
                    message: Type.String({ description: 'The check\'s own pass or fail message, else its rules in sentences' }),
                    rules: Type.Array(
                      Type.Object({
                        dataPoint: Type.String(),
                        input: NullableString,
                        operator: OperatorSchema,
                        threshold: ValueSchema,
                        observed: Type.Union([ValueSchema, Type.Null()], { description: 'null: no value for this entity ("no data"), never zero' }),
                        status: Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('noData')]),
                        sentence: Type.String({ description: 'The rule against what was observed, e.g. "9 critical issues; this check wants none."' }),
                      }),
                    ),
                  }),
                ),
              }),
            ),
          }),
          ...errors(404),
        },
      },
    },
    async (request) => {
      const { kind, namespace, name } = request.params;
      const entity = await entityByRef(db, kind, namespace, name);
      requireReadable(request, entity.scope, () => new NotFoundError(`No entity ${kind}:${namespace}/${name} in the catalog.`));
      return { entityRef: entity.ref, scorecards: await entityScorecards(db, entity.id, await lantern.scorecards.list(db)) };
    },
  );
}
