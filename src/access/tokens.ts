import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { InputError } from '../domain/errors.js';
import type { Database } from '../store/schema.js';
import { type ApiTokenRow, insertToken, listTokens, revokeToken, tokenById, tokenByKey, touchToken } from '../store/tokens.js';
import { Access, type Grant, type Principal, parseGrantScope, parseRole } from './roles.js';

/**
 * API tokens: `lnt_<key>_<secret>`. The prefix lets secret scanners find a leaked one; the key
 * finds the row; the secret is 256 random bits. Only the sha256 of the whole token is stored, and
 * it is compared in constant time.
 */
export const TOKEN_PREFIX = 'lnt_';
const TOKEN_SHAPE = /^lnt_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomKey(): string {
  const bytes = randomBytes(12);
  return [...bytes].map((b) => KEY_ALPHABET[b % KEY_ALPHABET.length]).join('');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface NewToken {
  name: string;
  role: string;
  scope?: string | undefined;
  /** A duration such as 90d, 12h, 30m; none for a token that never expires. */
  expires?: string | undefined;
}

export interface TokenView {
  id: number;
  name: string;
  role: string;
  scope: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function tokenView(row: ApiTokenRow): TokenView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    scope: row.scope,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

const DURATION_UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, y: 365 * 86_400_000 };

/** `90d`, `12h`, `2w`, `1y` → milliseconds. */
export function parseDuration(text: string, what = '--expires'): number {
  const match = /^(\d{1,6})\s*([mhdwy])$/i.exec(text.trim());
  if (!match) throw new InputError(`Invalid ${what} ${JSON.stringify(text)}: expected a duration such as 30m, 12h, 90d, 2w or 1y.`);
  const ms = Number(match[1]) * (DURATION_UNITS[(match[2] as string).toLowerCase()] as number);
  if (ms <= 0) throw new InputError(`Invalid ${what} ${JSON.stringify(text)}: the duration must be longer than zero.`);
  return ms;
}

/** Checks a request for a token; the caller checks that the creator may grant it. */
export function tokenGrant(request: NewToken): Grant {
  return { role: parseRole(request.role), scope: parseGrantScope(request.scope ?? 'account') };
}

/** Creates a token and returns it in clear, the only time it is ever shown. */
export async function createToken(db: Kysely<Database>, request: NewToken, createdBy: string, now: string): Promise<{ token: string; row: ApiTokenRow }> {
  const name = request.name.trim();
  if (name === '' || name.length > 200) throw new InputError(`Invalid token name ${JSON.stringify(request.name)}: expected 1 to 200 characters.`);
  const grant = tokenGrant(request);
  const expiresAt = request.expires === undefined ? null : new Date(Date.parse(now) + parseDuration(request.expires)).toISOString();
  const key = randomKey();
  const token = `${TOKEN_PREFIX}${key}_${randomBytes(32).toString('base64url')}`;
  const row = await insertToken(db, { key, hash: hashToken(token), name, role: grant.role, scope: grant.scope, created_by: createdBy, created_at: now, expires_at: expiresAt });
  return { token, row };
}

export { listTokens, revokeToken, tokenById };

export function looksLikeToken(text: string): boolean {
  return TOKEN_SHAPE.test(text);
}

interface Cached {
  row: ApiTokenRow;
  readAt: number;
}

/**
 * Finds the principal of a bearer token. Rows are cached for a few seconds so a request pays no
 * query; a revocation through this process drops the entry at once, one through another replica
 * takes effect within the cache's lifetime. last_used_at is written at most once a minute.
 */
export class TokenVerifier {
  readonly #cache = new Map<string, Cached>();
  readonly #touched = new Map<number, number>();

  constructor(
    private readonly db: () => Kysely<Database>,
    private readonly clock: () => number = Date.now,
    private readonly ttlMs = 5_000,
  ) {}

  /** The token's principal, or undefined when it is unknown, revoked, expired or malformed. */
  async verify(token: string): Promise<Principal | undefined> {
    const match = TOKEN_SHAPE.exec(token);
    if (!match) return undefined;
    const key = match[1] as string;
    const now = this.clock();
    let cached = this.#cache.get(key);
    if (!cached || now - cached.readAt > this.ttlMs) {
      const row = await tokenByKey(this.db(), key);
      if (!row) {
        this.#cache.delete(key);
        return undefined;
      }
      cached = { row, readAt: now };
      this.#cache.set(key, cached);
      if (this.#cache.size > 10_000) this.#cache.delete(this.#cache.keys().next().value as string);
    }
    const { row } = cached;
    const expected = Buffer.from(row.hash, 'hex');
    const actual = createHash('sha256').update(token).digest();
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    if (row.revoked_at !== null) return undefined;
    if (row.expires_at !== null && Date.parse(row.expires_at) <= now) return undefined;
    const last = this.#touched.get(row.id) ?? 0;
    if (now - last > 60_000) {
      this.#touched.set(row.id, now);
      // Bookkeeping, not part of the request: a failure here must not fail the call.
      touchToken(this.db(), row.id, new Date(now).toISOString()).catch(() => undefined);
    }
    return { kind: 'token', id: `token:${row.id}`, name: row.name, access: new Access([{ role: row.role as Grant['role'], scope: row.scope }]) };
  }

  /** Forgets a token at once (after a revocation through this process). */
  forget(id: number): void {
    for (const [key, cached] of this.#cache) if (cached.row.id === id) this.#cache.delete(key);
  }
}
