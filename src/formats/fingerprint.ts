import { createHash } from 'node:crypto';

/**
 * Issue identity within a target (DESIGN.md: Fingerprints). Line numbers never take part: code
 * moves, issues stay. Each function hashes its parts with the issue kind, so kinds never collide.
 */

function hash(kind: string, parts: readonly (string | number | undefined)[]): string {
  const text = JSON.stringify([kind, ...parts.map((p) => (p === undefined ? '' : String(p)))]);
  return createHash('sha256').update(text).digest('hex').slice(0, 40);
}

const CVE = /^CVE-\d{4}-\d+$/i;

/**
 * The canonical id of a vulnerability known under several ids: a CVE if any is one, else the
 * first. Returns the rest, without duplicates, as aliases.
 */
export function canonicalVulnerabilityId(ids: readonly (string | undefined | null)[]): {
  id: string | undefined;
  aliases: string[];
} {
  const unique = [...new Set(ids.filter((id): id is string => typeof id === 'string' && id.trim() !== '').map((id) => id.trim()))];
  const id = unique.find((i) => CVE.test(i))?.toUpperCase() ?? unique[0];
  return { id, aliases: unique.filter((i) => i.toUpperCase() !== id?.toUpperCase()) };
}

/** A vulnerable dependency: canonical id + package + installed version; not the scanner. */
export function vulnerabilityFingerprint(p: { vulnerabilityId: string; package?: string; installedVersion?: string }): string {
  return hash('vulnerability', [p.vulnerabilityId.toUpperCase(), p.package, p.installedVersion]);
}

/** A license finding: license + package + installed version. */
export function licenseFingerprint(p: { license: string; package?: string; installedVersion?: string }): string {
  return hash('license', [p.license, p.package, p.installedVersion]);
}

/**
 * A code finding: scanner + rule + file + the tool's stable fingerprint when it gives one, else the
 * normalised snippet or message (whitespace collapsed, so re-indenting does not make a new issue).
 */
export function codeFingerprint(p: {
  scanner: string;
  ruleId: string;
  filePath?: string;
  stableFingerprint?: string;
  snippetOrMessage?: string;
}): string {
  const identity = p.stableFingerprint ?? normaliseText(p.snippetOrMessage ?? '');
  return hash('code', [p.scanner.toLowerCase(), p.ruleId, p.filePath, identity]);
}

/** A misconfiguration: scanner + check + file + resource. */
export function misconfigurationFingerprint(p: { scanner: string; checkId: string; filePath?: string; resource?: string }): string {
  return hash('misconfiguration', [p.scanner.toLowerCase(), p.checkId, p.filePath, p.resource]);
}

/** A secret: rule + file + sha256 of the secret (formats/secret.ts), never the secret itself. */
export function secretFingerprint(p: { ruleId: string; filePath?: string; secretSha256: string }): string {
  return hash('secret', [p.ruleId, p.filePath, p.secretSha256]);
}

/** A running-instance (DAST) finding: scanner + rule + host + port + path. */
export function dastFingerprint(p: { scanner: string; ruleId: string; host?: string; port?: number; path?: string }): string {
  return hash('dast', [p.scanner.toLowerCase(), p.ruleId, p.host?.toLowerCase(), p.port, p.path]);
}

/** A finding identified by named fields (the generic format's `meta.key`). */
export function keyedFingerprint(scanner: string, values: readonly (string | number | undefined)[]): string {
  return hash('keyed', [scanner.toLowerCase(), ...values]);
}

export function normaliseText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
