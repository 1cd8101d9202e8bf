import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

/**
 * The read-only real-world fixtures in ../shared/fixtures (next to the checkout). A fresh clone of
 * Lantern has no ../shared: suites that need it are then skipped with a message that says so.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_FIXTURES = process.env.LANTERN_SHARED_FIXTURES ?? join(root, '..', 'shared', 'fixtures');
export const sharedAvailable = existsSync(SHARED_FIXTURES);

let warned = false;

/** `describe` over ../shared fixtures; skipped, with a visible reason, when they are absent. */
export function describeShared(name: string, body: () => void): void {
  if (sharedAvailable) {
    describe(name, body);
    return;
  }
  if (!warned) {
    warned = true;
    console.warn(`[lantern] ${SHARED_FIXTURES} not found: suites over the shared real-world fixtures are skipped.`);
  }
  // The body is not run: it may read the fixtures' folders while declaring its tests.
  describe.skip(`${name} (skipped: ../shared/fixtures not found)`, () => {
    it(`needs ${SHARED_FIXTURES}`, () => undefined);
  });
}

export function sharedPath(...parts: string[]): string {
  return join(SHARED_FIXTURES, ...parts);
}

export function readShared(...parts: string[]): Buffer {
  return readFileSync(sharedPath(...parts));
}
