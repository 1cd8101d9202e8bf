import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OidcSignIn } from '../../access/oidc.js';
import { parseScope } from '../../domain/scope.js';
import { trivyReport } from '../../../test/support/reports.js';
import { rowCounts } from '../../../test/support/row-counts.js';
import { signInAtProvider, startTestOidcProvider, type TestOidcProvider } from '../../../test/support/oidc-provider.js';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../../test/support/stores.js';
import { returnPath, SIGN_IN_COOKIE, stateSeal } from './sign-in.js';

const CALLBACK = 'http://127.0.0.1:7007/api/auth/callback';
const lodash = { id: 'CVE-2021-23337', pkg: 'lodash', version: '4.17.20', severity: 'HIGH', fixed: '4.17.21' } as const;

/** The value of one Set-Cookie header of an injected response. */
function cookieOf(headers: Record<string, unknown>, name: string): { value: string; line: string } | undefined {
  const raw = headers['set-cookie'];
  const lines = Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
  const line = lines.find((l) => l.startsWith(`${name}=`));
  return line ? { value: line.slice(name.length + 1).split(';')[0] ?? '', line } : undefined;
}

describeEachStore('Signing in with OpenID Connect', (kind: StoreKind) => {
  let provider: TestOidcProvider;
  let server: TestServer;
  beforeAll(async () => {
    provider = await startTestOidcProvider({
      accounts: [
        { id: 'u-ada', name: 'Ada Lovelace', email: 'Ada@acme.io', groups: ['team-payments', 'staff'] },
        { id: 'u-bob', name: 'Bob', email: 'bob@acme.io', groups: ['contractors'] },
      ],
    });
  });
  afterAll(async () => {
    await provider.close();
  });
  afterEach(async () => {
    provider.unavailable = false;
    await server.close();
  });

  const oidc = (): OidcSignIn => ({
    issuer: provider.issuer,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    redirectUrl: CALLBACK,
    groupsClaim: 'groups',
    scopes: ['openid', 'profile', 'email'],
    grants: [
      { group: 'team-payments', role: 'developer', scope: 'acme.payments' },
      { user: 'ada@acme.io', role: 'viewer', scope: 'acme.web' },
    ],
  });
  const start = async () => {
    server = await startTestServer(kind, {}, { auth: { oidc: oidc() } });
  };

  /** GET /api/auth/login, then the provider: the callback URL and the state cookie. */
  const login = async (account: string, returnTo = '/entities?kind=component') => {
    const response = await server.app.inject({ method: 'GET', url: `/api/auth/login?returnTo=${encodeURIComponent(returnTo)}` });
    expect(response.statusCode).toBe(302);
    const state = cookieOf(response.headers, SIGN_IN_COOKIE);
    expect(state?.line).toMatch(/HttpOnly/);
    expect(state?.line).toMatch(/SameSite=Lax/);
    const authorization = new URL(String(response.headers.location));
    expect(authorization.origin).toBe(provider.issuer);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('nonce')).toBeTruthy();
    expect(authorization.searchParams.get('redirect_uri')).toBe(CALLBACK);
    const callback = await signInAtProvider(authorization.href, account);
    expect(callback.origin + callback.pathname).toBe(CALLBACK);
    return { callback, stateCookie: state?.value ?? '' };
  };
  const callback = (url: URL, stateCookie: string) =>
    server.app.inject({ method: 'GET', url: `/api/auth/callback${url.search}`, cookies: { [SIGN_IN_COOKIE]: stateCookie } });

  it('signs a person in end to end: session cookie, grants from their groups and email, scoped reads and refused writes', async () => {
    await start();
    const payments = await server.lantern.ingest({ report: Buffer.from(trivyReport([lodash])), source: 'test', target: 'acme/payments', targetType: 'repository', variant: 'main', scope: parseScope('acme.payments') });
    const ledger = await server.lantern.ingest({ report: Buffer.from(trivyReport([lodash])), source: 'test', target: 'acme/ledger', targetType: 'repository', variant: 'main', scope: parseScope('acme.ledger') });

    const me = await server.app.inject({ method: 'GET', url: '/api/auth/me' });
    expect(me.json()).toEqual({ principal: null, signIn: { url: '/api/auth/login' } });

    const { callback: url, stateCookie } = await login('u-ada');
    const done = await callback(url, stateCookie);
    expect(done.statusCode).toBe(302);
    expect(done.headers.location).toBe('/entities?kind=component');
    const session = cookieOf(done.headers, 'lantern_session');
    expect(session?.line).toMatch(/; Path=\/(;|$)/);
    expect(session?.line).toMatch(/HttpOnly/);
    expect(session?.line).toMatch(/SameSite=Lax/);
    expect(session?.line).not.toMatch(/Secure/);
    const cookies = { lantern_session: session?.value ?? '' };

    expect((await server.app.inject({ method: 'GET', url: '/api/auth/me', cookies })).json()).toEqual({
      principal: {
        kind: 'user',
        id: 'user:u-ada',
        name: 'Ada Lovelace',
        grants: [
          { role: 'developer', scope: 'acme.payments' },
          { role: 'viewer', scope: 'acme.web' },
        ],
      },
      signIn: { url: '/api/auth/login' },
    });
    expect((await server.app.inject({ method: 'GET', url: `/api/scans/${payments.scanId}`, cookies })).statusCode).toBe(200);
    expect((await server.app.inject({ method: 'GET', url: `/api/scans/${ledger.scanId}`, cookies })).statusCode).toBe(404);
    const targetId = (await server.app.inject({ method: 'GET', url: '/api/targets', cookies })).json()[0].id as number;
    const baseline = await server.app.inject({ method: 'PUT', url: `/api/targets/${targetId}/baseline`, cookies, payload: { variant: 'main' } });
    expect(baseline.statusCode).toBe(403);
    expect(baseline.json().error.message).toMatch(/security/);

    const audit = await server.lantern.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'session.sign-in').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ principal: 'user:u-ada', principal_name: 'Ada Lovelace' });
    expect(JSON.parse(audit[0]?.details ?? '{}')).toEqual({
      email: 'Ada@acme.io',
      groups: ['team-payments', 'staff'],
      grants: [
        { role: 'developer', scope: 'acme.payments' },
        { role: 'viewer', scope: 'acme.web' },
      ],
    });
  });

  it('signs in a person whose groups map to no grant, who then gets 403 on every read', async () => {
    await start();
    const { callback: url, stateCookie } = await login('u-bob');
    const done = await callback(url, stateCookie);
    expect(done.statusCode).toBe(302);
    const cookies = { lantern_session: cookieOf(done.headers, 'lantern_session')?.value ?? '' };
    expect((await server.app.inject({ method: 'GET', url: '/api/auth/me', cookies })).json().principal).toMatchObject({ id: 'user:u-bob', grants: [] });
    const overview = await server.app.inject({ method: 'GET', url: '/api/targets', cookies });
    expect(overview.statusCode).toBe(403);
    expect(overview.json().error.message).toMatch(/^Bob may not call GET \/api\/targets: this needs the viewer role/);
  });

  it('refuses a mismatched state, a replayed code and a callback without the sign-in cookie with 400, creating no session', async () => {
    await start();
    const first = await login('u-ada');
    const second = await login('u-ada');
    const before = await rowCounts(server.lantern.store);

    // The code of one sign-in with the cookie of another: the state does not match.
    const crossed = await callback(first.callback, second.stateCookie);
    expect(crossed.statusCode).toBe(400);
    expect(crossed.json().error.message).toMatch(/^The sign-in answer was refused: .*state/);
    expect(cookieOf(crossed.headers, 'lantern_session')).toBeUndefined();

    const none = await server.app.inject({ method: 'GET', url: `/api/auth/callback${first.callback.search}` });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.message).toMatch(/^The sign-in cannot be completed: this browser holds no sign-in started/);

    const forged = stateSeal('another secret').close({ state: first.callback.searchParams.get('state') ?? '', nonce: 'n', codeVerifier: 'v'.repeat(43), redirectUri: CALLBACK, returnTo: '/' }, Date.now());
    expect((await callback(first.callback, forged)).statusCode).toBe(400);
    expect(await rowCounts(server.lantern.store)).toEqual(before);

    expect((await callback(second.callback, second.stateCookie)).statusCode).toBe(302);
    const replay = await callback(second.callback, second.stateCookie);
    expect(replay.statusCode).toBe(400);
    expect(replay.json().error.message).toMatch(/^The identity provider refused the sign-in: invalid_grant/);
    expect(cookieOf(replay.headers, 'lantern_session')).toBeUndefined();
    const sessions = await server.lantern.store.db.selectFrom('sessions').selectAll().execute();
    expect(sessions).toHaveLength(1);
  });

  it('ends the session on logout: the cookie then gives 401', async () => {
    await start();
    const { callback: url, stateCookie } = await login('u-ada');
    const cookies = { lantern_session: cookieOf((await callback(url, stateCookie)).headers, 'lantern_session')?.value ?? '' };
    expect((await server.app.inject({ method: 'GET', url: '/api/targets', cookies })).statusCode).toBe(200);

    const formPost = await server.app.inject({ method: 'POST', url: '/api/auth/logout', cookies, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    expect(formPost.statusCode).toBe(403);
    const logout = await server.app.inject({ method: 'POST', url: '/api/auth/logout', cookies, headers: { 'content-type': 'application/json' } });
    expect(logout.statusCode).toBe(204);
    expect(cookieOf(logout.headers, 'lantern_session')?.line).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect((await server.app.inject({ method: 'GET', url: '/api/targets', cookies })).statusCode).toBe(401);
    expect(await server.lantern.store.db.selectFrom('sessions').selectAll().execute()).toEqual([]);
  });

  it('answers 503 while the provider does not answer discovery, and signs in once it does', async () => {
    provider.unavailable = true;
    await start();
    const down = await server.app.inject({ method: 'GET', url: '/api/auth/login' });
    expect(down.statusCode).toBe(503);
    expect(down.headers['retry-after']).toBe('30');
    expect(down.json().error).toEqual({ name: 'UnavailableError', message: expect.stringMatching(new RegExp(`^Signing in is unavailable: the OpenID Connect provider ${provider.issuer} did not answer its discovery request`)) });

    provider.unavailable = false;
    const { callback: url, stateCookie } = await login('u-ada', '/');
    expect((await callback(url, stateCookie)).headers.location).toBe('/');
  });

  it('derives the callback URL from the request when none is configured, and marks cookies Secure over https', async () => {
    server = await startTestServer(kind, {}, { auth: { oidc: { ...oidc(), redirectUrl: undefined }, secureCookies: true } });
    const response = await server.app.inject({ method: 'GET', url: '/api/auth/login', headers: { host: 'localhost:7123' } });
    expect(new URL(String(response.headers.location)).searchParams.get('redirect_uri')).toBe('http://localhost:7123/api/auth/callback');
    expect(cookieOf(response.headers, SIGN_IN_COOKIE)?.line).toMatch(/Secure/);
  });

  it('refuses a returnTo that leaves the site', async () => {
    await start();
    for (const returnTo of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'entities', '/\tx']) {
      const response = await server.app.inject({ method: 'GET', url: `/api/auth/login?returnTo=${encodeURIComponent(returnTo)}` });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toMatch(/^Invalid returnTo .*: expected a path on this site starting with a single "\/"/);
    }
  });
});

describe('returnPath', () => {
  it('keeps paths on this site with their query and fragment', () => {
    expect([returnPath(undefined), returnPath('/'), returnPath('/entities/component/default/payments?tab=issues#top')]).toEqual(['/', '/', '/entities/component/default/payments?tab=issues#top']);
  });
});
