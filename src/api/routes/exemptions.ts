import { Type } from 'typebox';
import { EXEMPTION_DURATIONS, EXEMPTION_LEVELS, EXEMPTION_REASONS } from '../../insights/exemptions.js';
import type { Lantern } from '../../lantern.js';
import { actorOf } from '../auth.js';
import { ListPageQuery, listPage } from '../list-pages.js';
import { errors, Id, IdParams, NullableInteger, NullableString } from '../schemas.js';
import type { LanternApp } from '../server.js';

// Spelled out so that TypeBox infers the literal unions (a mapped array would infer never).
const Status = Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected'), Type.Literal('expired'), Type.Literal('cancelled')]);
const Level = Type.Union([Type.Literal('target'), Type.Literal('project'), Type.Literal('org'), Type.Literal('account')]);
const Reason = Type.Union([
  Type.Literal('compensating_control'),
  Type.Literal('acceptable_use'),
  Type.Literal('accepted_risk'),
  Type.Literal('false_positive'),
  Type.Literal('fix_unavailable'),
  Type.Literal('other'),
]);
const ExemptionAction = Type.Union([Type.Literal('approve'), Type.Literal('reject'), Type.Literal('cancel'), Type.Literal('reopen'), Type.Literal('revoke')]);

export const ExemptionSchema = Type.Object({
  id: Type.Integer(),
  status: Status,
  level: Level,
  targetId: NullableInteger,
  scope: NullableString,
  issueId: NullableInteger,
  key: NullableString,
  reason: Reason,
  comment: Type.String({ description: "The requester's justification" }),
  link: NullableString,
  decisionComment: NullableString,
  sourceIssueId: NullableInteger,
  reopenedFrom: NullableInteger,
  requestedBy: NullableString,
  requestedById: NullableString,
  decidedBy: NullableString,
  decidedById: NullableString,
  expiresAt: NullableString,
  createdAt: Type.String(),
  decidedAt: NullableString,
});

/** A listed exemption: where it applies, what it names, and what the caller may do with it. */
const ExemptionListingSchema = Type.Object({
  ...ExemptionSchema.properties,
  appliesAt: Type.String({ description: 'account, ORG or ORG.PROJECT' }),
  targetName: NullableString,
  issueTitle: NullableString,
  actions: Type.Array(ExemptionAction, { description: 'What the caller may do with it now' }),
});

const Text = (maxLength: number, description?: string) => Type.String({ maxLength, ...(description ? { description } : {}) });
const Duration = Type.Optional(Text(16, `${Object.keys(EXEMPTION_DURATIONS).join(', ')} (none: false_positive only)`));
const ExpiresAt = Type.Optional(Text(64, 'ISO 8601: a custom end instead of duration'));
const Coverage = {
  issueId: Type.Optional(Id('The issue; with level project, org or account, its vulnerability or rule id across that scope')),
  level: Type.Optional(Text(16, EXEMPTION_LEVELS.join(', '))),
  scope: Type.Optional(Type.Union([Text(200), Type.Null()])),
  key: Type.Optional(Text(500, 'A vulnerability or rule id (without issueId)')),
};
const RequestBody = Type.Object({
  ...Coverage,
  reason: Text(64, EXEMPTION_REASONS.join(', ')),
  comment: Type.String({ minLength: 1, maxLength: 4000, description: 'The justification' }),
  link: Type.Optional(Text(2000, 'An http(s) link: a ticket, a design note')),
  duration: Duration,
  expiresAt: ExpiresAt,
});
const DecisionBody = Type.Optional(
  Type.Object({
    comment: Type.Optional(Text(4000)),
    level: Type.Optional(Text(16, 'Approve only: widen or narrow to this level')),
    scope: Type.Optional(Type.Union([Text(200), Type.Null()], { description: 'Approve only: the scope of a key-based exemption' })),
    duration: Duration,
    expiresAt: ExpiresAt,
  }),
);
const ReopenBody = Type.Optional(
  Type.Object({
    reason: Type.Optional(Text(64, EXEMPTION_REASONS.join(', '))),
    comment: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
    link: Type.Optional(Text(2000)),
    duration: Duration,
    expiresAt: ExpiresAt,
  }),
);

/**
 * Exemptions: requested (pending), then approved, rejected or cancelled by the requester; only
 * approved, unexpired ones exempt. A rejected, expired or cancelled one can be asked again.
 */
export async function exemptionRoutes(api: LanternApp, lantern: Lantern): Promise<void> {
  api.get(
    '/exemptions',
    {
      schema: {
        summary: 'List exemptions, filtered; decidable=true is the approval queue of the scopes where the caller may decide',
        tags: ['exemptions'],
        querystring: Type.Object({
          status: Type.Optional(Status),
          reason: Type.Optional(Reason),
          level: Type.Optional(Level),
          scope: Type.Optional(Type.String({ maxLength: 200, description: 'Where it applies: account, ORG or ORG.PROJECT, and everything below' })),
          requester: Type.Optional(Type.String({ maxLength: 300, description: "The requester's principal id or name" })),
          expiringWithinDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, description: 'Approved ones whose expiry falls within this many days' })),
          decidable: Type.Optional(Type.Boolean({ description: 'Only those the caller may approve or reject' })),
          targetId: Type.Optional(Id()),
          ...ListPageQuery(500),
        }),
        response: { 200: Type.Array(ExemptionListingSchema) },
      },
    },
    async (request, reply) => {
      const { limit = 500, offset = 0, ...query } = request.query;
      // Exemptions are few, and which are readable, expired or decidable is decided after reading: page after that.
      const visible = await lantern.listExemptions(query, actorOf(request));
      return listPage(request, reply, visible.slice(offset, offset + limit + 1), { limit, offset });
    },
  );

  api.get(
    '/exemptions/:id',
    { schema: { summary: 'One exemption, with what the caller may do with it', tags: ['exemptions'], params: IdParams, response: { 200: ExemptionListingSchema, ...errors(404) } } },
    async (request) => lantern.exemption(request.params.id, actorOf(request)),
  );

  api.post(
    '/exemptions',
    {
      schema: {
        summary: 'Request an exemption: of one issue (issueId), of its vulnerability/rule id in its project, org or the account (issueId + level), or of a key at a level and scope',
        tags: ['exemptions'],
        body: RequestBody,
        response: { 201: ExemptionSchema, ...errors(400, 403, 404) },
      },
    },
    async (request, reply) => reply.status(201).send(await lantern.requestExemption(request.body, actorOf(request))),
  );

  api.post(
    '/exemptions/preview',
    {
      schema: {
        summary: 'What a request would hide now, among the targets the caller may read ("hides 14 issues in 6 targets of acme.pay")',
        tags: ['exemptions'],
        body: Type.Object(Coverage),
        response: { 200: Type.Object({ issues: Type.Integer(), targets: Type.Integer(), scope: Type.String(), text: Type.String() }), ...errors(400, 403, 404) },
      },
    },
    async (request) => lantern.previewExemption(request.body, actorOf(request)),
  );

  for (const [action, status] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    api.post(
      `/exemptions/:id/${action}`,
      {
        schema: {
          summary:
            action === 'approve'
              ? 'Approve a pending exemption, optionally widening or narrowing its level and setting its duration; the decider is the caller, never the requester (unless allowSelfApproval)'
              : 'Reject a pending exemption with a comment; the decider is the caller, never the requester (unless allowSelfApproval)',
          tags: ['exemptions'],
          params: IdParams,
          body: DecisionBody,
          response: { 200: ExemptionSchema, ...errors(400, 403, 404, 409) },
        },
      },
      async (request) => lantern.decideExemption(request.params.id, status, actorOf(request), request.body ?? {}),
    );
  }

  api.post(
    '/exemptions/:id/cancel',
    {
      schema: {
        summary: 'Cancel a pending request: only its requester may',
        tags: ['exemptions'],
        params: IdParams,
        body: Type.Optional(Type.Object({ comment: Type.Optional(Text(4000)) })),
        response: { 200: ExemptionSchema, ...errors(400, 403, 404, 409) },
      },
    },
    async (request) => lantern.cancelExemption(request.params.id, actorOf(request), request.body?.comment),
  );

  api.post(
    '/exemptions/:id/reopen',
    {
      schema: {
        summary: 'Ask again what a rejected, expired or cancelled exemption covered, as a new pending request by the caller',
        tags: ['exemptions'],
        params: IdParams,
        body: ReopenBody,
        response: { 201: ExemptionSchema, ...errors(400, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(await lantern.reopenExemption(request.params.id, request.body ?? {}, actorOf(request))),
  );

  api.post(
    '/exemptions/:id/revoke',
    {
      schema: {
        summary: 'Revoke an exemption, saying why: it is deleted, the issues it covered count again, and the audit log keeps the comment',
        tags: ['exemptions'],
        params: IdParams,
        body: Type.Object({ comment: Text(4000, 'Why it is revoked (required)') }),
        response: { 204: Type.Null(), ...errors(400, 403, 404) },
      },
    },
    async (request, reply) => {
      await lantern.revokeExemption(request.params.id, actorOf(request), request.body.comment);
      return reply.status(204).send(null);
    },
  );

  api.delete(
    '/exemptions/:id',
    { schema: { summary: 'Delete an exemption (revoke it without a comment)', tags: ['exemptions'], params: IdParams, response: { 204: Type.Null(), ...errors(404) } } },
    async (request, reply) => {
      await lantern.revokeExemption(request.params.id, actorOf(request));
      return reply.status(204).send(null);
    },
  );
}
