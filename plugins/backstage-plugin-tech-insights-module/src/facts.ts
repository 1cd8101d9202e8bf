import { SEVERITIES, type EntitySummary, type Severity } from '@lantern-security/backstage-plugin-common';

/**
 * Lantern's `sto.*` data points (docs/scorecards.md in Lantern) as Tech Insights facts, worked out
 * from an entity's summary exactly as Lantern works them out for its own scorecards. An entity
 * without security data gets `sto.has_security_data: false` and `sto.unmatched_links`, and no
 * count at all: "no data" is not zero, so a check such as `sto.critical == 0` cannot pass for it.
 */

export type FactType = 'integer' | 'boolean';

export const FACTS: Record<string, { type: FactType; description: string }> = {
  ...Object.fromEntries(
    SEVERITIES.map((s) => [`sto.${s}`, { type: 'integer' as const, description: `Active (not exempted) ${s} issues over the targets the entity links to. Absent without security data.` }]),
  ),
  'sto.total': { type: 'integer', description: 'Active issues of every severity. Absent without security data.' },
  'sto.fixable': { type: 'integer', description: 'Active issues with a fixed version. Absent without security data.' },
  'sto.new': { type: 'integer', description: 'Active issues new in their latest scan, compared with the previous scan. Absent without security data.' },
  'sto.exempted': { type: 'integer', description: 'Issues an approved, unexpired exemption covers (not counted as active). Absent without security data.' },
  'sto.days_since_last_scan': { type: 'integer', description: 'Whole days (rounded down) since the latest current scan. Absent without security data.' },
  'sto.oldest_open_days': { type: 'integer', description: 'Whole days since the oldest active issue was first seen; 0 when there is none. Absent without security data.' },
  'sto.has_security_data': { type: 'boolean', description: 'Whether a link of the entity shows a scanned target variant. Always present.' },
  'sto.unmatched_links': { type: 'integer', description: 'Target links of the entity that show nothing. Present without security data too; absent for an entity Lantern does not know.' },
};

export type Facts = Record<string, number | boolean>;

const DAY = 24 * 60 * 60 * 1000;

function daysSince(iso: string, now: number): number {
  return Math.max(0, Math.floor((now - Date.parse(iso)) / DAY));
}

function oldestOpen(oldest: Record<Severity, string | null>): string | null {
  let first: string | null = null;
  for (const severity of SEVERITIES) {
    const at = oldest[severity];
    if (at !== null && (first === null || at < first)) first = at;
  }
  return first;
}

/** The facts of an entity from its Lantern summary at `now` (ms since the epoch); null: Lantern does not know the entity. */
export function summaryFacts(summary: EntitySummary | null, now: number): Facts {
  if (summary === null) return { 'sto.has_security_data': false };
  const facts: Facts = { 'sto.has_security_data': summary.hasData, 'sto.unmatched_links': summary.unmatchedLinks };
  if (!summary.hasData) return facts;
  for (const severity of SEVERITIES) facts[`sto.${severity}`] = summary.counts[severity];
  facts['sto.total'] = summary.counts.total;
  facts['sto.fixable'] = summary.fixable;
  facts['sto.new'] = summary.new;
  facts['sto.exempted'] = summary.exempted;
  if (summary.lastScanAt !== null) facts['sto.days_since_last_scan'] = daysSince(summary.lastScanAt, now);
  const first = oldestOpen(summary.breakdown.oldestOpen);
  facts['sto.oldest_open_days'] = first === null ? 0 : daysSince(first, now);
  return facts;
}
