import { type Counts, SEVERITIES } from '../api/types.js';

/** Rollup rows, worst first: most critical, then high, … then the most entities. */
export function worstFirst<T extends { counts: Counts; entities: number }>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => {
    for (const s of SEVERITIES) if (a.counts[s] !== b.counts[s]) return b.counts[s] - a.counts[s];
    return b.entities - a.entities;
  });
}
