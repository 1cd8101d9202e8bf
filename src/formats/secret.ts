import { createHash } from 'node:crypto';

/**
 * Secrets found by scanners are never stored, logged or shown in clear (DESIGN.md: Secrets). A
 * parser that reads a secret keeps only these two derived values and redacts it everywhere else.
 */

const MASK = '****';

/**
 * The first 4 characters followed by `****`. Secrets of 8 characters or fewer are masked whole:
 * showing 4 of them would reveal half the secret.
 */
export function maskSecret(secret: string): string {
  return secret.length > 8 ? `${secret.slice(0, 4)}${MASK}` : MASK;
}

export function secretSha256(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Replaces every appearance of `secret` in `text` with its masked form. */
export function redactSecret(text: string, secret: string): string {
  if (secret === '') return text;
  return text.split(secret).join(maskSecret(secret));
}
