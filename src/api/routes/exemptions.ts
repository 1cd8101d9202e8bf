import { Type } from 'typebox';
import { inFilter } from '../../access/roles.js';
import { actorOf, scopesOf } from '../auth.js';
import { ListPageQuery, listPage } from '../list-pages.js';
import { EXEMPTION_REASONS, exemptionView } from '../../insights/exemptions.js';
import type { Lantern } from '../../lantern.js';
import { listExemptions } from '../../store/exemptions.js';
import { errors, Id, IdParams, NullableInteger, NullableString } from '../schemas.js';
import type { LanternApp } from '../server.js';

export const ExemptionSchema = Type.Object({
  id: Type.Integer(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected'), Type.Literal('expired')]),
  level: Type.Union([Type.Literal('target'), Type.Literal('project'), Type.Literal('org'), Type.Literal('account')]),
  targetId: NullableInteger,
  scope: NullableString,
  issueId: NullableInteger,
  key: NullableString,
  reason: Type.Union([Type.Literal('false_positive'), Type.Literal('accepted_risk'), Type.Literal('compensating_control'), Type.Literal('other')]),
  comment: Type.String(),
  requestedBy: NullableString,
  requestedById: NullableString,
  decidedBy: NullableString,
  decidedById: NullableString,
  expiresAt: NullableString,
  createdAt: Type.String(),
  decidedAt: NullableString,
});

const Common = {
  reason: Type.String({ description: EXEMPTION_REASONS.join(', ') }),
  comment: Type.String({ minLength: 1 }),
  expiresAt: Type.Optional(Type.String({ description: 'ISO 8601; the exemption stops applying then' })),
};

/** Exemptions: requested pending, approved or rejected; only approved, unexpired ones exempt. */
export async function exemptionRoutes(api: LanternApp, lantern: Lantern): Promise<void> {
  const { store } = lantern;

  api.get(
    '/exemptions',
    {
      schema: {
        summary: 'List exemptions',
        tags: ['exemptions'],
        querystring: Type.Object({ status: Type.Optional(Type.String()), targetId: Type.Optional(Id()), ...ListPageQuery(500) }),
        response: { 200: Type.Array(ExemptionSchema) },
      },
    },
    async (request, reply) => {
      const at = lantern.now();
      const status = request.query.status;
      // `expired` is read from the expiry, not stored: ask the store for approved ones and keep the expired.
      const scopes = scopesOf(request);
      const rows = await listExemptions(store.db, { status: status === 'expired' ? 'approved' : status, targetId: request.query.targetId });
      // Exemptions are few, and which are readable or expired is decided here: page after that.
      const { limit = 500, offset = 0 } = request.query;
      const visible = rows
        .filter((r) => inFilter(scopes, r.target_scope ?? r.scope ?? 'account'))
        .map((r) => exemptionView(r, at))
        .filter((e) => status === undefined || e.status === status);
      return listPage(request, reply, visible.slice(offset, offset + limit + 1), { limit, offset });
    },
  );

  api.post(
    '/exemptions',
    {
      schema: {
        summary: 'Request an exemption: of one issue (issueId), or of a vulnerability/rule id at project, org or account level',
        tags: ['exemptions'],
        body: Type.Union([
          Type.Object({ issueId: Id(), ...Common }),
          Type.Object({ level: Type.String(), scope: Type.Optional(Type.Union([Type.String(), Type.Null()])), key: Type.String({ minLength: 1 }), ...Common }),
        ]),
        response: { 201: ExemptionSchema, ...errors(400, 404) },
      },
    },
    async (request, reply) => reply.status(201).send(await lantern.requestExemption(request.body, actorOf(request))),
  );

  for (const [action, status] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    api.post(
      `/exemptions/:id/${action}`,
      {
        schema: {
          summary: `${action === 'approve' ? 'Approve' : 'Reject'} a pending exemption; the decider is the caller, never the requester (unless allowSelfApproval)`,
          tags: ['exemptions'],
          params: IdParams,
          body: Type.Optional(Type.Object({ comment: Type.Optional(Type.String({ maxLength: 4000 })) })),
          response: { 200: ExemptionSchema, ...errors(403, 404, 409) },
        },
      },
      async (request) => lantern.decideExemption(request.params.id, status, actorOf(request), request.body?.comment),
    );
  }

  api.delete(
    '/exemptions/:id',
    { schema: { summary: 'Delete an exemption', tags: ['exemptions'], params: IdParams, response: { 204: Type.Null(), ...errors(404) } } },
    async (request, reply) => {
      await lantern.revokeExemption(request.params.id, actorOf(request));
      return reply.status(204).send(null);
    },
  );
}
