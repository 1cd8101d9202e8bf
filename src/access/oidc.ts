import * as client from 'openid-client';
import { InputError, UnavailableError } from '../domain/errors.js';

/** When to ask again after the identity provider did not answer. */
const PROVIDER_RETRY_SECONDS = 30;
import type { GrantRule } from './sign-in-grants.js';

/** Signing in through an OpenID Connect provider, as configured (config/config.ts, `--oidc-*` flags). */
export interface OidcSettings {
  /** The issuer URL; its `/.well-known/openid-configuration` describes the provider. */
  issuer: string;
  clientId: string;
  /** The callback URL registered at the provider; default: derived from each sign-in request. */
  redirectUrl?: string | undefined;
  /** The claim (ID token, else UserInfo) that lists the person's groups. */
  groupsClaim: string;
  /** Scopes asked for; always includes openid. */
  scopes: string[];
}

/** What the sign-in routes need: the provider, the client secret (from LANTERN_OIDC_CLIENT_SECRET) and the grant rules. */
export interface OidcSignIn extends OidcSettings {
  clientSecret?: string | undefined;
  grants: readonly GrantRule[];
}

/** What must survive the round trip through the provider, bound to the browser that started it. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  returnTo: string;
}

/** The person the provider vouched for. */
export interface ProviderIdentity {
  subject: string;
  name: string;
  email: string | null;
  groups: string[];
}

const PROVIDER_TIMEOUT_SECONDS = 10;

/**
 * The relying party: finds the provider (discovery, retried on the next sign-in while it fails,
 * so a provider that is down at start-up does not stop Lantern), builds the authorization
 * request (PKCE, state, nonce) and checks the answer (code exchange, ID token) with openid-client.
 */
export class OidcClient {
  #configuration: client.Configuration | undefined;
  #discovering: Promise<client.Configuration> | undefined;

  constructor(readonly settings: OidcSettings & { clientSecret?: string | undefined }) {}

  /** The provider's metadata, discovered once it answers. */
  configuration(): Promise<client.Configuration> {
    if (this.#configuration) return Promise.resolve(this.#configuration);
    this.#discovering ??= this.#discover().finally(() => {
      this.#discovering = undefined;
    });
    return this.#discovering;
  }

  async #discover(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret } = this.settings;
    const insecure = new URL(issuer).protocol === 'http:';
    try {
      // Basic is the method every provider must support (RFC 6749 §2.3.1); openid-client's default is post.
      const authentication = clientSecret ? client.ClientSecretBasic(clientSecret) : client.None();
      this.#configuration = await client.discovery(new URL(issuer), clientId, undefined, authentication, {
        timeout: PROVIDER_TIMEOUT_SECONDS,
        ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
      });
      return this.#configuration;
    } catch (error) {
      throw new UnavailableError(
        `Signing in is unavailable: the OpenID Connect provider ${issuer} did not answer its discovery request (${reasonOf(error)}). Lantern asks again on the next sign-in; API tokens still work.`, PROVIDER_RETRY_SECONDS);
    }
  }

  /** Where to send the browser, and what to remember until it comes back. */
  async start(redirectUri: string, returnTo: string): Promise<{ url: URL; pending: PendingSignIn }> {
    const configuration = await this.configuration();
    const pending: PendingSignIn = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier(), redirectUri, returnTo };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: this.settings.scopes.join(' '),
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url, pending };
  }

  /** Exchanges the code in the callback's query for tokens and reads who signed in; a refused answer is an InputError. */
  async finish(callbackQuery: string, pending: PendingSignIn): Promise<ProviderIdentity> {
    const configuration = await this.configuration();
    const currentUrl = new URL(pending.redirectUri);
    currentUrl.search = callbackQuery;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      if (!idToken) throw new InputError('The identity provider answered without an ID token, so Lantern cannot tell who signed in.');
      let claims: Record<string, unknown> = idToken;
      const { groupsClaim } = this.settings;
      // Some providers put profile claims (and groups) only in UserInfo, not in the ID token.
      const incomplete = idToken.email === undefined || idToken.name === undefined || idToken[groupsClaim] === undefined;
      if (incomplete && configuration.serverMetadata().userinfo_endpoint) {
        claims = { ...(await client.fetchUserInfo(configuration, tokens.access_token, idToken.sub)), ...idToken };
      }
      return identityOf(claims, idToken.sub, groupsClaim);
    } catch (error) {
      throw refusal(error, this.settings.issuer);
    }
  }
}

function identityOf(claims: Record<string, unknown>, subject: string, groupsClaim: string): ProviderIdentity {
  const text = (key: string) => (typeof claims[key] === 'string' && (claims[key] as string).trim() !== '' ? (claims[key] as string).trim() : undefined);
  const raw = claims[groupsClaim];
  const groups = (Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw]).filter((g): g is string => typeof g === 'string');
  const email = text('email') ?? null;
  return { subject, name: text('name') ?? text('preferred_username') ?? email ?? subject, email, groups: [...new Set(groups)] };
}

/** The provider or the network, not the browser, is at fault: asking again later may work. */
function isUnavailable(error: unknown): boolean {
  if (error instanceof TypeError || (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError'))) return true;
  if (error instanceof client.ResponseBodyError) return error.status >= 500;
  return error instanceof client.ClientError && (error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || error.code === 'OAUTH_RESPONSE_IS_NOT_JSON');
}

function refusal(error: unknown, issuer: string): Error {
  if (error instanceof InputError || error instanceof UnavailableError) return error;
  if (isUnavailable(error)) return new UnavailableError(`Signing in failed: the OpenID Connect provider ${issuer} did not answer (${reasonOf(error)}). Try again later.`, PROVIDER_RETRY_SECONDS);
  if (error instanceof client.AuthorizationResponseError || error instanceof client.ResponseBodyError) {
    const description = error.error_description ? ` (${error.error_description})` : '';
    return new InputError(`The identity provider refused the sign-in: ${error.error}${description}. Sign in again from the start.`);
  }
  if (error instanceof client.ClientError) return new InputError(`The sign-in answer was refused: ${reasonOf(error)}. Sign in again from the start.`);
  return error instanceof Error ? error : new Error(String(error));
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${message}${cause}`.replace(/[.\s]+$/, '');
}
