import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { OidcClient, type OidcSignIn, type PendingSignIn } from '../../access/oidc.js';
import { createSession, endSession, SESSION_COOKIE, sessionPrincipal } from '../../access/sessions.js';
import { grantsFor } from '../../access/sign-in-grants.js';
import { InputError } from '../../domain/errors.js';
import type { Lantern } from '../../lantern.js';
import { errors } from '../schemas.js';
import type { LanternApp } from '../server.js';

/** Holds the state, nonce and PKCE verifier of a sign-in between the redirect to the provider and the callback. */
export const SIGN_IN_COOKIE = 'lantern_sign_in';
/** How long a person may take at the provider. */
export const SIGN_IN_TTL_SECONDS = 10 * 60;
export const CALLBACK_PATH = '/api/auth/callback';

export interface SignInOptions {
  oidc: OidcSignIn;
  /** Send cookies with `Secure` even when the request does not look like https (TLS ends at a proxy Lantern does not trust). */
  secureCookies?: boolean | undefined;
}

/**
 * Signing in through OpenID Connect: the authorization code flow with PKCE, state and nonce.
 * The provider's answer becomes a Lantern session whose grants come from the configured rules.
 */
export async function signInRoutes(api: LanternApp, lantern: Lantern, options: SignInOptions): Promise<void> {
  const provider = new OidcClient(options.oidc);
  const seal = stateSeal(options.oidc.clientSecret);
  // Found now when it answers, so the first person does not wait; if it does not, the first sign-in asks again.
  provider.configuration().catch((error: unknown) => api.log.warn({ err: error }, 'OpenID Connect discovery failed; sign-in answers 503 until the provider answers'));

  const secure = (request: FastifyRequest) => options.secureCookies === true || request.protocol === 'https';
  const now = () => Date.parse(lantern.now());

  api.get(
    '/auth/login',
    {
      schema: {
        summary: 'Start signing in: redirects to the OpenID Connect provider, which sends the browser back to /api/auth/callback',
        tags: ['access'],
        querystring: Type.Object({ returnTo: Type.Optional(Type.String({ maxLength: 2000, description: 'A path on this site to go back to once signed in (default /)' })) }),
        response: errors(400, 503),
      },
    },
    async (request, reply) => {
      const returnTo = returnPath(request.query.returnTo);
      const redirectUri = options.oidc.redirectUrl ?? `${request.protocol}://${request.host}${CALLBACK_PATH}`;
      const { url, pending } = await provider.start(redirectUri, returnTo);
      void reply.setCookie(SIGN_IN_COOKIE, seal.close(pending, now()), {
        path: '/api/auth',
        httpOnly: true,
        sameSite: 'lax',
        secure: secure(request),
        maxAge: SIGN_IN_TTL_SECONDS,
      });
      return reply.header('cache-control', 'no-store').redirect(url.href, 302);
    },
  );

  api.get(
    '/auth/callback',
    {
      schema: {
        summary: "The provider's answer: checks it, starts a session (cookie lantern_session) and redirects to where the sign-in began",
        tags: ['access'],
        querystring: Type.Object(
          { code: Type.Optional(Type.String()), state: Type.Optional(Type.String()), error: Type.Optional(Type.String()) },
          { additionalProperties: true },
        ),
        response: errors(400, 503),
      },
    },
    async (request, reply) => {
      const sealed = request.cookies[SIGN_IN_COOKIE];
      void reply.clearCookie(SIGN_IN_COOKIE, { path: '/api/auth' });
      const pending = sealed === undefined ? undefined : seal.open(sealed, now());
      if (!pending) {
        throw new InputError(`The sign-in cannot be completed: this browser holds no sign-in started in the last ${SIGN_IN_TTL_SECONDS / 60} minutes (or its cookie was altered). Sign in again from the start.`);
      }
      const identity = await provider.finish(request.url.split('?')[1] ?? '', pending);
      const person = { ...identity, grants: grantsFor(options.oidc.grants, identity) };
      const actor = { principal: sessionPrincipal(person), clientAddress: request.ip };
      const previous = request.cookies[SESSION_COOKIE];
      const session = await lantern.store.transaction(async (trx) => {
        // A new session id on every sign-in: a session id planted before it is worthless after.
        if (previous) await endSession(trx, previous);
        const created = await createSession(trx, person, now());
        await lantern.recordSignIn(trx, actor, { email: person.email, groups: person.groups, grants: person.grants });
        return created;
      });
      setSessionCookie(reply, session.id, new Date(session.expiresAt), secure(request));
      return reply.header('cache-control', 'no-store').redirect(pending.returnTo, 302);
    },
  );

  api.post(
    '/auth/logout',
    {
      schema: {
        summary: 'Sign out: ends the session and clears its cookie (the provider session, if any, is left alone)',
        tags: ['access'],
        response: { 204: Type.Null(), ...errors(403) },
      },
    },
    async (request, reply) => {
      const id = request.cookies[SESSION_COOKIE];
      if (id) await endSession(lantern.store.db, id);
      void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: secure(request) });
      return reply.status(204).send(null);
    },
  );
}

function setSessionCookie(reply: FastifyReply, id: string, expires: Date, secure: boolean): void {
  void reply.setCookie(SESSION_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'lax', secure, expires });
}

/**
 * Only a path on this site: `/…` but not `//host` or `/\host` (which browsers read as another
 * host), so that the sign-in cannot be used to send people elsewhere.
 */
export function returnPath(returnTo: string | undefined): string {
  if (returnTo === undefined || returnTo === '') return '/';
  const base = 'http://lantern.invalid';
  const safe = returnTo.startsWith('/') && !/^\/[/\\]/.test(returnTo) && !/[\u0000-\u001f\\]/.test(returnTo) && URL.canParse(returnTo, base) && new URL(returnTo, base).origin === base;
  if (!safe) throw new InputError(`Invalid returnTo ${JSON.stringify(returnTo.slice(0, 200))}: expected a path on this site starting with a single "/", such as /entities.`);
  return returnTo;
}

/**
 * The sign-in cookie is signed, so that nobody can plant a state and verifier of their own. The key
 * comes from the client secret, so every Lantern instance behind a load balancer shares it; a
 * public client (no secret) gets a key of its own process.
 */
export function stateSeal(clientSecret: string | undefined): { close(pending: PendingSignIn, now: number): string; open(value: string, now: number): PendingSignIn | undefined } {
  const key = clientSecret ? Buffer.from(hkdfSync('sha256', clientSecret, 'lantern', 'sign-in state cookie', 32)) : randomBytes(32);
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest();
  return {
    close(pending, now) {
      const payload = Buffer.from(JSON.stringify({ ...pending, expires: now + SIGN_IN_TTL_SECONDS * 1000 })).toString('base64url');
      return `${payload}.${mac(payload).toString('base64url')}`;
    },
    open(value, now) {
      const [payload, signature, extra] = value.split('.');
      if (!payload || !signature || extra !== undefined) return undefined;
      const expected = mac(payload);
      const given = Buffer.from(signature, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      const { expires, ...pending } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as PendingSignIn & { expires: number };
      return expires > now ? pending : undefined;
    },
  };
}
