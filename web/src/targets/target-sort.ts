import type { Target } from '../api/types.js';

/** The columns the Targets list sorts by, and how; the order is kept in the URL (`sort=-issues`). */
const SORTS: Record<string, (a: Target, b: Target) => number> = {
  name: (a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }),
  type: (a, b) => a.type.localeCompare(b.type),
  scope: (a, b) => a.scope.localeCompare(b.scope),
  // Worst first when descending: criticals, then highs …; targets never scanned come last either way.
  issues: (a, b) => severityKey(a) - severityKey(b),
  entities: (a, b) => a.entities.length - b.entities.length,
  scans: (a, b) => a.scans - b.scans,
  lastScanAt: (a, b) => (a.lastScanAt ?? '').localeCompare(b.lastScanAt ?? ''),
};
export const SORT_KEYS = Object.keys(SORTS);

function severityKey(t: Target): number {
  const c = t.counts;
  return c ? ((((c.critical * 1e3 + c.high) * 1e3 + c.medium) * 1e3 + c.low) * 1e3 + c.info) : -1;
}

/** The targets in the order of `sort` (a key, `-` first for descending); unscanned targets last when sorting by issues. */
export function sortTargets(targets: readonly Target[], sort: string): Target[] {
  const key = sort.replace(/^-/, '');
  const compare = SORTS[key];
  if (!compare) return [...targets];
  const direction = sort.startsWith('-') ? -1 : 1;
  return [...targets].sort((a, b) => {
    if (key === 'issues' && (a.counts === null) !== (b.counts === null)) return a.counts === null ? 1 : -1;
    return direction * compare(a, b) || a.name.localeCompare(b.name);
  });
}
