import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

/** A person the test provider can sign in. */
export interface TestAccount {
  /** The `sub` claim; also what the sign-in page's button sends. */
  id: string;
  name?: string;
  email?: string;
  groups?: string[];
}

export interface TestOidcProvider {
  /** The issuer URL (http on a loopback port), for `oidc.issuer`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** While true, every request (discovery included) answers 503, as a provider that is down. */
  unavailable: boolean;
  close(): Promise<void>;
}

const CLIENT_ID = 'lantern';

/**
 * A real OpenID provider (panva's oidc-provider) on a loopback port, with one confidential client
 * for Lantern. It accepts any loopback redirect URI ending in /api/auth/callback, so a Lantern
 * server may listen on any port. Its sign-in page (/interaction/:uid) is a list of buttons, one per
 * account ("Sign in as NAME", form field `account`): posting it signs that account in and grants
 * the scopes asked, without a consent page. `groups` is returned with the `profile` scope, as a
 * Keycloak groups mapper does.
 */
export async function startTestOidcProvider({ accounts }: { accounts: readonly TestAccount[] }): Promise<TestOidcProvider> {
  const clientSecret = randomBytes(24).toString('base64url');
  let provider: Provider | undefined;
  const state = { unavailable: false };

  const server = createServer((req, res) => {
    if (state.unavailable || !provider) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('The test identity provider is down.');
      return;
    }
    if (req.url?.startsWith('/interaction/')) {
      interaction(provider, accounts, req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      });
      return;
    }
    void provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: clientSecret,
        redirect_uris: ['http://127.0.0.1/api/auth/callback'],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), use: 'sig', kid: 'test' }] as never },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    claims: { openid: ['sub'], profile: ['name', 'groups'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: false } },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    interactions: { url: (_ctx: KoaContextWithOIDC, i: { uid: string }) => `/interaction/${i.uid}` },
    findAccount: async (_ctx: KoaContextWithOIDC, id: string) => {
      const account = accounts.find((a) => a.id === id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: async () => ({ sub: id, name: account.name, email: account.email, email_verified: account.email !== undefined, groups: account.groups ?? [] }),
      };
    },
  });
  const allowed = provider.Client.prototype.redirectUriAllowed;
  provider.Client.prototype.redirectUriAllowed = function (uri: string) {
    return allowed.call(this, uri) || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/api\/auth\/callback$/.test(uri);
  };

  return {
    issuer,
    clientId: CLIENT_ID,
    clientSecret,
    get unavailable() {
      return state.unavailable;
    },
    set unavailable(value: boolean) {
      state.unavailable = value;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function interaction(provider: Provider, accounts: readonly TestAccount[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    const buttons = accounts.map((a) => `<button name="account" value="${escape(a.id)}">Sign in as ${escape(a.name ?? a.id)}</button>`).join('\n');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>Test identity provider</title><form method="post" action="/interaction/${details.uid}">\n${buttons}\n</form>`);
    return;
  }
  let body = '';
  for await (const chunk of req) body += String(chunk);
  const accountId = new URLSearchParams(body).get('account') ?? '';
  if (!accounts.some((a) => a.id === accountId)) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end(`No test account ${accountId}.`);
    return;
  }
  const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Cookies by name, as a browser would send them to one site (paths ignored: good enough for one provider). */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0\s*$/i.test(a));
      if (expired || pair.slice(eq + 1) === '') this.#cookies.delete(name);
      else this.#cookies.set(name, pair.slice(eq + 1));
    }
  }

  get header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * Plays the browser at the provider: follows the authorization URL Lantern redirected to, signs
 * `accountId` in on the sign-in page, and returns the URL the provider sends the browser back to
 * (Lantern's callback with code, state and iss).
 */
export async function signInAtProvider(authorizationUrl: string, accountId: string): Promise<URL> {
  const jar = new CookieJar();
  let url = new URL(authorizationUrl);
  let init: RequestInit = {};
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header } });
    jar.take(response);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url);
      await response.body?.cancel();
      if (next.origin !== url.origin) return next;
      url = next;
      init = {};
      continue;
    }
    const text = await response.text();
    if (response.status !== 200 || !url.pathname.startsWith('/interaction/')) throw new Error(`The test provider answered ${response.status} at ${url.pathname}: ${text.slice(0, 300)}`);
    init = { method: 'POST', body: new URLSearchParams({ account: accountId }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  throw new Error('The test provider redirected more than 10 times.');
}
