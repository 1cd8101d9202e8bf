import type { SeededRandom } from './random.js';

/**
 * The history of one target: its baseline is scanned BASELINE_SCANS times over four weeks; the
 * other variant forks from the baseline as it was at scan FORK and is scanned OTHER_SCANS times
 * in the last days. Findings appear and are fixed along the way, so that scans have new, common
 * and remediated issues, and the other variant differs from the baseline both ways.
 */
export const BASELINE_SCANS = 6;
export const OTHER_SCANS = 2;
export const FORK = 4;

/** Days before the demo runs each scan happens (a few hours more, see scanTime). */
const BASELINE_DAYS_AGO = [27, 22, 16, 11, 6, 1] as const;
const OTHER_DAYS_AGO = [4, 0] as const;

export interface ScanPoint {
  variant: 'baseline' | 'other';
  /** 0 for the variant's first scan. */
  index: number;
}

/** Every scan of a target, oldest first within each variant. */
export const SCAN_POINTS: readonly ScanPoint[] = [
  ...Array.from({ length: BASELINE_SCANS }, (_, index) => ({ variant: 'baseline' as const, index })),
  ...Array.from({ length: OTHER_SCANS }, (_, index) => ({ variant: 'other' as const, index })),
];

/** When a scan ran: its day, an hour or more before `now` on that day, so that no scan is in the future. */
export function scanTime(now: Date, point: ScanPoint, random: SeededRandom): Date {
  const days = (point.variant === 'baseline' ? BASELINE_DAYS_AGO : OTHER_DAYS_AGO)[point.index] ?? 0;
  const minutes = days * 24 * 60 + random.int(60, 9 * 60);
  return new Date(now.getTime() - minutes * 60_000);
}

interface Lifetime {
  /** The baseline scans [from, until) see it. */
  from: number;
  until: number;
  /** The other variant's scans from this one on no longer see it: fixed on that branch. */
  fixedOnOther?: number;
  /** Only the other variant's scans from this one on see it: introduced on that branch. */
  onlyOnOtherFrom?: number;
}

/**
 * Gives each item a lifetime. One item (of four or more) exists only on the other variant. Then,
 * as far as the items go, each baseline scan after the first gets a witness: an item that appears
 * there and stays, or that was there from the first scan and is fixed there; one item at least
 * stays throughout, so that no baseline scan finds nothing. A witness makes its
 * scan's findings differ from every other scan of the baseline, so no two scans of a variant are
 * the same report (which Lantern would take as one re-uploaded), and scans have new and remediated
 * issues. The other items mostly stay throughout. The other variant inherits what the baseline had
 * at FORK, fixes some of it, and its second scan differs from its first.
 */
export function timeline<T>(items: readonly T[], random: SeededRandom): (point: ScanPoint) => T[] {
  const lifetimes: Lifetime[] = items.map(() => ({ from: 0, until: BASELINE_SCANS }));
  const order = random.shuffle(items.map((_, i) => lifetimes[i] as Lifetime));
  let next = 0;
  if (items.length >= 4) (order[next++] as Lifetime).onlyOnOtherFrom = random.int(0, OTHER_SCANS - 1);
  for (const scan of random.shuffle(Array.from({ length: BASELINE_SCANS - 1 }, (_, i) => i + 1))) {
    // One item at least stays from the first baseline scan to the last.
    if (next >= items.length - 1) break;
    const witness = order[next++] as Lifetime;
    if (random.chance(0.5)) witness.from = scan;
    else witness.until = scan;
  }
  for (const life of order.slice(next + 1)) {
    if (random.chance(0.2)) life.from = random.int(1, BASELINE_SCANS - 1);
  }
  for (const life of lifetimes) {
    if (inherited(life) && random.chance(0.3)) life.fixedOnOther = random.int(0, OTHER_SCANS - 1);
  }
  const secondDiffers = lifetimes.some((l) => l.fixedOnOther === OTHER_SCANS - 1 || l.onlyOnOtherFrom === OTHER_SCANS - 1);
  if (!secondDiffers) {
    const kept = lifetimes.find((l) => inherited(l) && l.fixedOnOther === undefined);
    const branchOnly = lifetimes.find((l) => l.onlyOnOtherFrom !== undefined);
    if (kept) kept.fixedOnOther = OTHER_SCANS - 1;
    else if (branchOnly) branchOnly.onlyOnOtherFrom = OTHER_SCANS - 1;
  }
  return (point) => items.filter((_, i) => present(lifetimes[i] as Lifetime, point));
}

/** Present on the baseline when the other variant forked from it. */
function inherited(life: Lifetime): boolean {
  return life.onlyOnOtherFrom === undefined && life.from <= FORK && FORK < life.until;
}

function present(life: Lifetime, point: ScanPoint): boolean {
  if (life.onlyOnOtherFrom !== undefined) return point.variant === 'other' && point.index >= life.onlyOnOtherFrom;
  if (point.variant === 'baseline') return life.from <= point.index && point.index < life.until;
  return inherited(life) && !(life.fixedOnOther !== undefined && point.index >= life.fixedOnOther);
}
