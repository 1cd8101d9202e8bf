import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Actor } from '../access/actor.js';
import type { OidcSignIn } from '../access/oidc.js';
import { authorize, forbidden } from '../access/actor.js';
import { Access, type Action, type Grant, leastRoleFor, type Principal, type ScopeFilter } from '../access/roles.js';
import { resolveSession, SESSION_COOKIE } from '../access/sessions.js';
import { ForbiddenError, type NotFoundError, UnauthenticatedError } from '../domain/errors.js';
import type { Lantern } from '../lantern.js';
import { permissionOf, type RoutePermission } from './permissions.js';
import type { LanternApp } from './server.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling: a token, a signed-in person, the anonymous role, or null for nobody. */
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    permission?: RoutePermission;
  }
}

export interface AuthOptions {
  /** What unauthenticated requests may do; without it they get 401 on every non-public route. */
  anonymous?: Grant | undefined;
  /** Send session cookies with `Secure` (when served over https). */
  secureCookies?: boolean | undefined;
  /** Where the web UI sends people to sign in (the OpenID Connect login route), when one is configured. */
  signInUrl?: string | undefined;
  /** Signing in through an OpenID Connect provider (routes/sign-in.ts); the sign-in URL is then /api/auth/login. */
  oidc?: OidcSignIn | undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** What a cross-site form or `no-cors` fetch can send without a preflight (the Fetch standard's CORS-safelisted types). */
const SIMPLE_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

function isApiUrl(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}

/**
 * Identity on every API request: who calls (bearer token, session cookie, or the anonymous role),
 * whether the route's permission (api/permissions.ts) lets them, and whether a browser request
 * that changes state could have been forged by another site.
 */
export async function registerAuth(app: LanternApp, lantern: Lantern, options: AuthOptions): Promise<void> {
  const anonymous: Principal | null = options.anonymous
    ? { kind: 'anonymous', id: 'anonymous', name: 'anonymous', access: new Access([options.anonymous]) }
    : null;

  await app.register(cookie);
  app.decorateRequest('principal', null);

  // Every API route declares who may call it, or the server does not start.
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!isApiUrl(route.url)) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const permission = permissionOf(method, route.url);
      if (!permission) throw new Error(`The route ${method} ${route.url} declares no permission: add it to src/api/permissions.ts.`);
      route.config = { ...(route.config as object), permission } as typeof route.config;
      if (route.schema && permission.action !== 'public') {
        const role = leastRoleFor(permission.action);
        const where = permission.where === 'account' ? 'at account scope' : permission.where === 'filtered' ? 'at some scope (the answer holds only what the caller may read)' : "at the object's scope";
        route.schema = {
          ...route.schema,
          security: [{ bearerToken: [] }, { sessionCookie: [] }],
          description: [route.schema.description, `Requires the \`${role}\` role (or one above it) ${where}.`].filter(Boolean).join('\n\n'),
          'x-lantern-permission': { action: permission.action, role, where: permission.where },
        } as typeof route.schema;
      }
    }
  });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isApiUrl(request.url)) return;
    const authorization = request.headers.authorization;
    const bearer = authorization?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    if (authorization !== undefined && bearer === undefined) {
      throw new UnauthenticatedError('The Authorization header is not understood: send "Authorization: Bearer <token>" with a Lantern API token.');
    }
    if (!SAFE_METHODS.has(request.method) && bearer === undefined) refuseCrossSite(request);

    if (bearer !== undefined) {
      const principal = await lantern.tokens.verify(bearer);
      if (!principal) throw new UnauthenticatedError('The API token is not valid: it is unknown, revoked or expired.');
      request.principal = principal;
    } else {
      const session = request.cookies[SESSION_COOKIE];
      const person = session ? await resolveSession(lantern.store.db, session, Date.parse(lantern.now())) : undefined;
      if (session && !person) void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      request.principal = person ?? anonymous;
    }

    const permission = request.routeOptions.config.permission;
    if (!permission || permission.action === 'public') return;
    const principal = request.principal;
    if (!principal) {
      throw new UnauthenticatedError('Authentication is required: send an API token as "Authorization: Bearer <token>", or sign in to the web UI.');
    }
    if (permission.where === 'account') {
      if (!principal.access.can(permission.action, 'account')) throw forbidden(principal, permission.action, 'account');
    } else if (!principal.access.canSomewhere(permission.action)) {
      throw new ForbiddenError(
        `${principal.name} may not call ${request.method} ${request.routeOptions.url}: this needs the ${leastRoleFor(permission.action)} role (or above) at some scope.`,
      );
    }
  });
}

/**
 * A browser sends a site's cookies with a cross-site form post or `no-cors` fetch, but cannot give
 * either a JSON (or any other non-simple) content type without a CORS preflight, which Lantern
 * never grants.
 */
function refuseCrossSite(request: FastifyRequest): void {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === '' || SIMPLE_CONTENT_TYPES.has(type)) {
    throw new ForbiddenError(
      `A ${request.method} request must carry a JSON (or other non-form) content type or an API token: "${type || 'no content type'}" is what a cross-site form sends, so it is refused.`,
    );
  }
}

/** The principal of a request that passed the permission check. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthenticatedError('Authentication is required.');
  return request.principal;
}

/** Who makes the change, for the audit log. */
export function actorOf(request: FastifyRequest): Actor {
  return { principal: principalOf(request), clientAddress: request.ip };
}

/** What the caller may read (or do, for another action), as a filter for list queries. */
export function scopesOf(request: FastifyRequest, action: Action = 'read'): ScopeFilter {
  return principalOf(request).access.filter(action);
}

/** Refuses a read of an object outside the caller's scopes as if it did not exist. */
export function requireReadable(request: FastifyRequest, scope: string, notFound: () => NotFoundError): void {
  authorize(principalOf(request), 'read', scope, notFound);
}
