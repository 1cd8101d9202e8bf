import { type Kysely, sql } from 'kysely';
import type { ScopeFilter } from '../access/roles.js';
import { SEVERITIES, type Severity, severityFromRank } from '../domain/severity.js';
import type { Database } from '../store/schema.js';
import { scopeAllowed } from '../store/scope-filter.js';
import { falsePositive, type FixedClock, fixVerdicts, type RemediationTally, storedVerdict, tallyFixes } from './sla-clock.js';
import type { SlaPolicies } from './sla.js';

type Db = Kysely<Database>;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The periods the dashboard offers, in days. */
export const SLA_COMPLIANCE_PERIODS = [30, 90, 180] as const;

/** GET /api/insights/sla-compliance: fixes across the catalog over a period, per owner, system and domain, and MTTR per severity. */
export interface SlaCompliance {
  period: { from: string; to: string; days: number };
  /** Every fix once, however many entities show its target. */
  overall: RemediationTally;
  /** The mean time to remediate (and the rest of the tally) per severity. */
  bySeverity: Record<Severity, RemediationTally>;
  /** Worst compliance first; those without a fix with an SLA ("no data") last. */
  byOwner: Array<RemediationTally & { owner: string }>;
  bySystem: Array<RemediationTally & { system: string }>;
  byDomain: Array<RemediationTally & { domain: string }>;
}

/**
 * The fixes whose fix time falls in the last `days` days, in the variants that entities the caller
 * may read show (targets the caller may read), with the verdicts kept when each was judged: read
 * through the index on the fix time, never the open issues. A fix counts once per owner, system,
 * domain and overall, however many of its entities show it; false positives are not fixes.
 */
export async function slaCompliance(db: Db, policies: SlaPolicies, scopes: ScopeFilter, now: string, days: number): Promise<SlaCompliance> {
  const from = new Date(Date.parse(now) - days * DAY_MS).toISOString();
  const rows = await db
    .selectFrom('sla_clocks as c')
    .innerJoin('entity_links as l', 'l.variant_id', 'c.variant_id')
    .innerJoin('entities as e', 'e.id', 'l.entity_id')
    .innerJoin('issues as i', 'i.id', 'c.issue_id')
    .innerJoin('targets as t', 't.id', 'i.target_id')
    .select([
      'c.id',
      'c.issue_id',
      'c.severity',
      'c.clock_from',
      'c.fixed_at',
      'c.due_date',
      'c.fixed_within_sla',
      'c.days_to_fix',
      'c.paused_days',
      'c.judged_at',
      'i.target_id',
      'i.vulnerability_id',
      'i.rule_id',
      't.scope as target_scope',
      'e.owner_ref',
      'e.system_ref',
      'e.domain_ref',
    ])
    .where('c.fixed_at', '>=', from)
    .where('c.fixed_at', '<=', now)
    .where((eb) => scopeAllowed(eb, 'e.scope', scopes))
    .where((eb) => scopeAllowed(eb, 't.scope', scopes))
    .execute();

  const fixes = new Map<number, FixedClock>();
  for (const r of rows) {
    if (fixes.has(r.id)) continue;
    fixes.set(r.id, {
      id: r.id,
      issueId: r.issue_id,
      targetId: r.target_id,
      targetScope: r.target_scope,
      vulnerabilityId: r.vulnerability_id,
      ruleId: r.rule_id,
      severity: r.severity,
      clockFrom: r.clock_from,
      fixedAt: r.fixed_at as string,
      stored: storedVerdict(r),
    });
  }
  const verdicts = await fixVerdicts(db, [...fixes.values()], policies);
  // False-positive exemptions are few: every one that can name a fix is read.
  const falsePositives = fixes.size === 0 ? [] : await db.selectFrom('exemptions').selectAll().where('status', '=', 'approved').where('reason', '=', 'false_positive').execute();
  const judged = new Map(
    [...fixes.values()].map((f) => {
      const verdict = verdicts.get(f.id) as NonNullable<ReturnType<typeof verdicts.get>>;
      const fp = falsePositives.length > 0 && falsePositive({ id: f.issueId, targetId: f.targetId, targetScope: f.targetScope, vulnerabilityId: f.vulnerabilityId, ruleId: f.ruleId }, falsePositives);
      return [f.id, { severity: severityFromRank(f.severity ?? 0), falsePositive: fp, fixedWithinSla: verdict.fixedWithinSla, daysToFix: verdict.daysToFix }] as const;
    }),
  );

  const systems = await db
    .selectFrom('entities')
    .select(['ref_key', 'domain_ref'])
    .where(sql`lower(kind)`, '=', 'system')
    .where((eb) => scopeAllowed(eb, 'entities.scope', scopes))
    .execute();
  const domainOfSystem = new Map(systems.map((s) => [s.ref_key, s.domain_ref]));
  const byOwner = new Map<string, Set<number>>();
  const bySystem = new Map<string, Set<number>>();
  const byDomain = new Map<string, Set<number>>();
  const add = (groups: Map<string, Set<number>>, name: string | null, id: number) => {
    if (!name) return;
    const ids = groups.get(name);
    if (ids) ids.add(id);
    else groups.set(name, new Set([id]));
  };
  for (const r of rows) {
    add(byOwner, r.owner_ref, r.id);
    add(bySystem, r.system_ref, r.id);
    // A domain holds the members of its systems, and whatever names it directly (as the overview counts).
    add(byDomain, (r.system_ref ? domainOfSystem.get(r.system_ref.toLowerCase()) : undefined) ?? r.domain_ref, r.id);
  }
  const all = [...judged.values()];
  const ranked = <K extends string>(groups: Map<string, Set<number>>, name: K) =>
    [...groups.entries()]
      .map(([value, ids]) => ({ [name]: value, ...tallyFixes([...ids].map((id) => judged.get(id) as (typeof all)[number])) }) as RemediationTally & Record<K, string>)
      .sort((a, b) => (a.slaCompliance ?? Number.POSITIVE_INFINITY) - (b.slaCompliance ?? Number.POSITIVE_INFINITY) || b.fixed - a.fixed || a[name].localeCompare(b[name]));
  return {
    period: { from, to: now, days },
    overall: tallyFixes(all),
    bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, tallyFixes(all.filter((f) => f.severity === s))])) as Record<Severity, RemediationTally>,
    byOwner: ranked(byOwner, 'owner'),
    bySystem: ranked(bySystem, 'system'),
    byDomain: ranked(byDomain, 'domain'),
  };
}
