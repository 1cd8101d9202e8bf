import { type Severity, severityRank } from '../domain/severity.js';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { type Exploitation, exploitationOf } from './exploitation.js';

/** What the priority order reads of an issue. */
export interface Prioritised extends Exploitation {
  id: number;
  severity: Severity;
  fixedVersion: string | null;
  vulnerabilityId: string | null;
  ruleId: string | null;
}

/** EPSS percentile bands, highest first: the top 5 %, 20 %, half; below half (or unscored) last. */
export const EPSS_BANDS = [0.95, 0.8, 0.5] as const;

function band(issue: Pick<Prioritised, 'epss'>): number {
  const p = issue.epss.percentile;
  if (p === null) return EPSS_BANDS.length;
  const at = EPSS_BANDS.findIndex((floor) => p >= floor);
  return at < 0 ? EPSS_BANDS.length : at;
}

const SCORE_DIGITS = 9;
const ID_DIGITS = 15;

/**
 * The parts of an issue's place in the priority order that do not depend on the scans read: `head`
 * what the feeds decide (KEV first, the earliest CISA due date first, then the EPSS band), `tail`
 * the tie-breaks after severity (fixable first, the higher EPSS score, then the identifier). Both
 * are ASCII strings of fixed-width fields compared as written; insights/priority-order.ts stores
 * them per issue so that the database orders issues by head, severity, tail, id.
 */
export function priorityParts(issue: Omit<Prioritised, 'severity' | 'id'>): { head: string; tail: string } {
  const listed = issue.kev.state === 'listed';
  const due = listed ? (issue.kev.dueDate ?? '9999-12-31') : '9999-12-31';
  const score = issue.epss.score === null ? '2' : (1 - issue.epss.score).toFixed(SCORE_DIGITS);
  return {
    head: `${listed ? 0 : 1}${due}${band(issue)}`,
    tail: `${issue.fixedVersion ? 0 : 1}${score.padEnd(SCORE_DIGITS + 2, '0')}${issue.vulnerabilityId ?? issue.ruleId ?? ''}`,
  };
}

/**
 * The priority order as one string per issue, so that sorting compares strings once instead of
 * re-deriving eight keys on every comparison (2 000 issues take ~22 000 comparisons): the head,
 * severity, the tail (priorityParts), then the id. Plain code-point order, as every part is ASCII
 * or compared as written.
 */
export function priorityKey(issue: Prioritised): string {
  const { head, tail } = priorityParts(issue);
  return `${head}${4 - severityRank(issue.severity)}${tail}\u0000${String(issue.id).padStart(ID_DIGITS, '0')}`;
}

/**
 * The priority order (docs/prioritisation.md): known-exploited first (the earliest CISA due date
 * first), then EPSS percentile bands, then severity, then fixable before not; ties by the higher
 * EPSS score, then the identifier and id, so that pages never overlap. Negative when `a` comes first.
 * Sorting many issues, compare their priorityKey()s once made instead.
 */
export function byPriority(a: Prioritised, b: Prioritised): number {
  const x = priorityKey(a);
  const y = priorityKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Why an issue sits where it does, in words: "known exploited since 2024-03-05, CISA due 2024-03-26; EPSS 0.94 (top 1 %); critical; fix available (2.17.1)". */
export function priorityReason(issue: Prioritised): string {
  const parts: string[] = [];
  const { kev, epss } = issue;
  if (kev.state === 'listed') {
    parts.push(`known exploited since ${kev.dateAdded}${kev.dueDate ? `, CISA due ${kev.dueDate}` : ''}${kev.knownRansomware ? ', used in ransomware' : ''}${kev.cve && kev.cve !== issue.vulnerabilityId ? ` (as ${kev.cve})` : ''}`);
  } else if (kev.state === 'not-listed') {
    parts.push('not in KEV');
  } else {
    parts.push('KEV unknown');
  }
  if (epss.state === 'scored' && epss.score !== null) {
    const top = epss.percentile === null ? '' : ` (top ${topPercent(epss.percentile)} %)`;
    parts.push(`EPSS ${epss.score.toFixed(2)}${top}${epss.source === 'scanner' ? ' as the scanner reported' : ''}`);
  } else {
    parts.push(epss.state === 'not-listed' ? 'no EPSS score' : 'EPSS unknown');
  }
  parts.push(issue.severity);
  parts.push(issue.fixedVersion ? `fix available (${issue.fixedVersion})` : 'no fix');
  return parts.join('; ');
}

function topPercent(percentile: number): string {
  // Rounded first: 1 - 0.96 is 0.040000000000000036 in floating point.
  const top = Math.round((1 - percentile) * 100_000) / 1000;
  if (top < 1) return '1';
  return String(Math.ceil(top));
}

/** An issue listing with its KEV and EPSS match and the reason for its place in the priority order. */
export type PrioritisedListing<T> = T & Exploitation & { priorityReason: string };

/**
 * The issues with their exploitation, in priority order (`priority`) or kept in the order given
 * (`severity`: lists are worst first already).
 */
export async function prioritise<T extends Omit<Prioritised, keyof Exploitation>>(db: Kysely<Database>, issues: readonly T[], order: 'priority' | 'severity'): Promise<PrioritisedListing<T>[]> {
  const known = await exploitationOf(db, issues);
  const out = issues.map((issue) => {
    const found = known.get(issue.id) as Exploitation;
    const listing = { ...issue, ...found };
    return { ...listing, priorityReason: priorityReason(listing) };
  });
  if (order === 'severity') return out;
  const keyed = out.map((issue) => ({ issue, key: priorityKey(issue) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.issue);
}
