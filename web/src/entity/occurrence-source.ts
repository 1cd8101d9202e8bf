import type { Occurrence } from '../api/types.js';
import { safeHref } from '../security/identifiers.js';

/**
 * Where an occurrence's path opens, and why: the file and lines in the repository when the server
 * linked them — a repository's or configuration's scan, or a path the scanner puts in the source
 * tree (`baseId`, a SARIF `%SRCROOT%`), whatever the target — else nothing (a file inside an image).
 */
export function occurrenceSource(occurrence: Pick<Occurrence, 'sourceUrl' | 'baseId'>): { href: string; title: string } | null {
  const href = safeHref(occurrence.sourceUrl);
  if (!href || !/^https?:/.test(href)) return null;
  const why = occurrence.baseId ? ` (the scanner puts this path under ${occurrence.baseId}, the root of the source tree)` : '';
  return { href, title: `Open these lines in the repository${why}` };
}
