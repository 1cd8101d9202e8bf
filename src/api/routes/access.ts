import { Type } from 'typebox';
import { inFilter } from '../../access/roles.js';
import { listTokens, tokenView } from '../../access/tokens.js';
import { InputError } from '../../domain/errors.js';
import type { Lantern } from '../../lantern.js';
import { auditView, listAudit } from '../../store/audit.js';
import { actorOf, scopesOf } from '../auth.js';
import { errors, NullableString } from '../schemas.js';
import type { LanternApp } from '../server.js';

const GrantSchema = Type.Object({ role: Type.String(), scope: Type.String() });

const TokenSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: Type.String(),
  scope: Type.String(),
  createdBy: Type.String(),
  createdAt: Type.String(),
  expiresAt: NullableString,
  lastUsedAt: NullableString,
  revokedAt: NullableString,
});

const AuditSchema = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  principal: Type.String(),
  principalName: Type.String(),
  action: Type.String(),
  objectType: Type.String(),
  objectId: NullableString,
  scope: Type.String(),
  clientAddress: NullableString,
  details: Type.Record(Type.String(), Type.Unknown()),
});

const MAX_AUDIT_PAGE = 500;

/** Who am I, API tokens, and the audit log. */
export async function accessRoutes(api: LanternApp, lantern: Lantern, signInUrl: string | undefined): Promise<void> {
  api.get(
    '/auth/me',
    {
      schema: {
        summary: 'Who is calling: the principal and its grants (null when nobody is signed in and no anonymous role is set)',
        tags: ['access'],
        response: {
          200: Type.Object({
            principal: Type.Union([Type.Object({ kind: Type.String(), id: Type.String(), name: Type.String(), grants: Type.Array(GrantSchema) }), Type.Null()]),
            signIn: Type.Union([Type.Object({ url: Type.String() }), Type.Null()], { description: 'Where the web UI sends people to sign in; null when no identity provider is configured' }),
          }),
        },
      },
    },
    async (request) => {
      const p = request.principal;
      return {
        principal: p ? { kind: p.kind, id: p.id, name: p.name, grants: p.access.grants.map((g) => ({ role: g.role, scope: g.scope })) } : null,
        signIn: signInUrl ? { url: signInUrl } : null,
      };
    },
  );

  api.get(
    '/tokens',
    {
      schema: {
        summary: 'API tokens in the scopes the caller administers (never the tokens themselves)',
        tags: ['access'],
        response: { 200: Type.Array(TokenSchema) },
      },
    },
    async (request) => {
      const scopes = scopesOf(request, 'manage-access');
      return (await listTokens(lantern.store.db)).filter((t) => inFilter(scopes, t.scope)).map(tokenView);
    },
  );

  api.post(
    '/tokens',
    {
      schema: {
        summary: 'Create an API token; the answer is the only place the token is ever shown',
        tags: ['access'],
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 200 }),
          role: Type.String({ description: 'viewer, ingester, developer, security or admin' }),
          scope: Type.Optional(Type.String({ description: 'account (default), ORG or ORG.PROJECT' })),
          expires: Type.Optional(Type.String({ description: 'A duration such as 90d; none for a token that does not expire' })),
        }),
        response: { 201: Type.Intersect([TokenSchema, Type.Object({ token: Type.String() })]), ...errors(400, 403) },
      },
    },
    async (request, reply) => {
      const { token, view } = await lantern.createToken(request.body, actorOf(request));
      return reply.status(201).send({ ...view, token });
    },
  );

  api.delete(
    '/tokens/:id',
    {
      schema: {
        summary: 'Revoke an API token: it is refused from then on',
        tags: ['access'],
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) }),
        response: { 200: TokenSchema, ...errors(404, 409) },
      },
    },
    async (request) => lantern.revokeToken(request.params.id, actorOf(request)),
  );

  api.get(
    '/audit',
    {
      schema: {
        summary: 'The audit log, newest first: every state change with who, what, where, when and from which address',
        tags: ['access'],
        querystring: Type.Object({
          principal: Type.Optional(Type.String({ description: 'A principal id: user:…, token:N, anonymous, local:…' })),
          action: Type.Optional(Type.String({ description: 'e.g. scan.ingest, exemption.approve, token.create' })),
          objectType: Type.Optional(Type.String()),
          objectId: Type.Optional(Type.String()),
          since: Type.Optional(Type.String({ description: 'ISO 8601, inclusive' })),
          until: Type.Optional(Type.String({ description: 'ISO 8601, exclusive' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_AUDIT_PAGE, default: 100 })),
          cursor: Type.Optional(Type.String({ description: 'nextCursor of the previous page' })),
        }),
        response: { 200: Type.Object({ items: Type.Array(AuditSchema), nextCursor: NullableString }), ...errors(400) },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 100;
      const before = q.cursor === undefined ? undefined : Number(q.cursor);
      if (before !== undefined && (!Number.isInteger(before) || before < 1 || before > 2147483647)) {
        throw new InputError(`Invalid cursor ${JSON.stringify(q.cursor)}: pass the nextCursor of the previous page.`);
      }
      const rows = await listAudit(lantern.store.db, {
        principal: q.principal,
        action: q.action,
        objectType: q.objectType,
        objectId: q.objectId,
        since: time(q.since, 'since'),
        until: time(q.until, 'until'),
        before,
        limit: limit + 1,
        scopes: scopesOf(request, 'read-audit'),
      });
      const page = rows.slice(0, limit);
      return {
        items: page.map(auditView),
        nextCursor: rows.length > limit ? String(page[page.length - 1]?.id) : null,
      };
    },
  );
}

function time(value: string | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InputError(`Invalid ${what} ${JSON.stringify(value)}: expected an ISO 8601 time.`);
  return new Date(ms).toISOString();
}
