import { createHash } from 'node:crypto';
import type { Finding } from '../domain/finding.js';

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

/**
 * The finding with `secret` replaced by its masked form in every text it holds: title, description,
 * lists, the occurrence and its details. Every parser that reads a secret's value passes its
 * findings through this, so a field it copies from the report cannot carry the secret in clear.
 */
export function redactFinding(finding: Finding, secret: string): Finding {
  return redactValue(finding, secret) as Finding;
}

function redactValue(value: unknown, secret: string): unknown {
  if (typeof value === 'string') return redactSecret(value, secret);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secret));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[redactSecret(key, secret)] = redactValue(v, secret);
    return out;
  }
  return value;
}

/** Replaces every appearance of `secret` in `text` with its masked form. */
export function redactSecret(text: string, secret: string): string {
  if (secret === '') return text;
  return text.split(secret).join(maskSecret(secret));
}
