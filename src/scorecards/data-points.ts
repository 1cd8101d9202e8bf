import type { Kysely } from 'kysely';
import { TEST_TARGET_ANNOTATION } from '../catalog/annotation-names.js';
import { isSeverity, SEVERITIES, type Severity, severityRank } from '../domain/severity.js';
import { isObject } from '../formats/json.js';
import { entityRiskFacts, type RiskFacts } from '../insights/sla-clock.js';
import type { SlaPolicies } from '../insights/sla.js';
import type { SeverityBreakdown } from '../insights/summary.js';
import { batches } from '../store/batches.js';
import type { RefreshedEntities, RefreshedEntity } from '../insights/summaries.js';
import type { FacetSource } from '../store/trend-facets.js';
import type { Database } from '../store/schema.js';
import type { EntityRange } from '../store/scorecards.js';

type Db = Kysely<Database>;

/** A data point's value; null is "no value" (no security data, a field not declared), never zero. */
export type Value = number | boolean | string;
export type DataPointType = 'number' | 'boolean' | 'string';

/** What a data point's `input` is: a severity threshold (optional) or a tag (required). */
export interface DataPointInput {
  kind: 'severity' | 'tag';
  required: boolean;
  description: string;
}

export interface DataPoint {
  /** Stable: checks name it. */
  id: string;
  type: DataPointType;
  description: string;
  input?: DataPointInput;
  /** The value for one entity at `now` (ms since the epoch), or null when it cannot be observed. */
  read(facts: EntityFacts, input: string | undefined, now: number): Value | null;
  /**
   * For a data point that counts whole days since a moment: that moment, when `read` counts from
   * it (undefined when it gives no value, or 0). A stored result keeps the moment, which stays the
   * same from day to day where the count does not, and counts the days when it is read.
   */
  since?(facts: EntityFacts, input: string | undefined): string | undefined;
}

/** What an entity's security summary says, when the entity has security data. */
export interface SecurityFacts {
  counts: Record<Severity, number> & { total: number };
  fixable: number;
  new: number;
  exempted: number;
  lastScanAt: string | null;
  breakdown: SeverityBreakdown;
}

/** Everything the data points read about one entity, read for every entity in bulk. */
export interface EntityFacts extends FacetSource {
  id: number;
  ref: string;
  /** Lower-cased. */
  tags: string[];
  hasStoAnnotation: boolean;
  hasSourceLocation: boolean;
  /** Null when no link of the entity shows a scanned variant: "no data", not zero issues. */
  security: SecurityFacts | null;
  /** Null only when the entity has no stored summary yet. */
  unmatchedLinks: number | null;
  /** KEV, EPSS and SLA facts: read only when a scorecard uses a data point that needs them (RISK_DATA_POINTS); null without security data. */
  risk?: RiskFacts | null;
}

const DAY = 24 * 60 * 60 * 1000;

/** Whole days from `iso` to `now`, rounded down. */
export function daysSince(iso: string, now: number): number {
  return Math.max(0, Math.floor((now - Date.parse(iso)) / DAY));
}

/** The severities at or above the input (all five without one). */
function atOrAbove(input: string | undefined): Severity[] {
  if (input === undefined) return [...SEVERITIES];
  const floor = severityRank(input as Severity);
  return SEVERITIES.filter((s) => severityRank(s) >= floor);
}

const SEVERITY_THRESHOLD: DataPointInput = {
  kind: 'severity',
  required: false,
  description: 'A severity: count only issues at or above it (critical, high, medium, low, info). Default: every severity.',
};

const security = (read: (s: SecurityFacts, input: string | undefined, now: number) => Value | null): DataPoint['read'] => (facts, input, now) =>
  facts.security === null ? null : read(facts.security, input, now);

const risk = (read: (r: RiskFacts, input: string | undefined) => Value | null): DataPoint['read'] => (facts, input) =>
  facts.security === null || facts.risk == null ? null : read(facts.risk, input);

/** When the oldest active issue at or above the input severity was first seen; undefined without one. */
function oldestOpen(s: SecurityFacts, input: string | undefined): string | undefined {
  let oldest: string | undefined;
  for (const severity of atOrAbove(input)) {
    const first = s.breakdown.oldestOpen[severity];
    if (first !== null && (oldest === undefined || first < oldest)) oldest = first;
  }
  return oldest;
}

/** Fixes over the period at or above the input severity, added up. */
function fixesAtOrAbove(r: RiskFacts, input: string | undefined): RiskFacts['fixes'][Severity] {
  const sum = { fixed: 0, fixedWithinSla: 0, fixedLate: 0, daysToFix: 0 };
  for (const severity of atOrAbove(input)) {
    const f = r.fixes[severity];
    sum.fixed += f.fixed;
    sum.fixedWithinSla += f.fixedWithinSla;
    sum.fixedLate += f.fixedLate;
    sum.daysToFix += f.daysToFix;
  }
  return sum;
}

/** The data points that read RiskFacts (insights/sla-clock.ts): computed from the issues, so read only when used. */
export const RISK_DATA_POINTS: ReadonlySet<string> = new Set(['sto.kev', 'sto.epss_max', 'sto.sla_breached', 'sto.sla_compliance', 'sto.mttr_days']);

const countOf = (severity: Severity): DataPoint => ({
  id: `sto.${severity}`,
  type: 'number',
  description: `Active (not exempted) ${severity} issues over the targets the entity links to. No value without security data.`,
  read: security((s) => s.counts[severity]),
});

/** Every data point, by id. */
export const DATA_POINTS: readonly DataPoint[] = [
  ...SEVERITIES.map(countOf),
  {
    id: 'sto.total',
    type: 'number',
    description: 'Active issues, of every severity or of those at or above the input.',
    input: SEVERITY_THRESHOLD,
    read: security((s, input) => (input === undefined ? s.counts.total : atOrAbove(input).reduce((n, severity) => n + s.counts[severity], 0))),
  },
  {
    id: 'sto.fixable',
    type: 'number',
    description: 'Active issues with a fixed version, of every severity or of those at or above the input.',
    input: SEVERITY_THRESHOLD,
    read: security((s, input) => (input === undefined ? s.fixable : atOrAbove(input).reduce((n, severity) => n + s.breakdown.fixable[severity], 0))),
  },
  {
    id: 'sto.new',
    type: 'number',
    description: 'Active issues new in their latest scan, compared with the previous scan.',
    read: security((s) => s.new),
  },
  {
    id: 'sto.exempted',
    type: 'number',
    description: 'Issues an approved, unexpired exemption covers (not counted as active).',
    read: security((s) => s.exempted),
  },
  {
    id: 'sto.days_since_last_scan',
    type: 'number',
    description: 'Whole days since the latest current scan of the linked targets (rounded down: "scanned in the last 7 days" is < 7).',
    read: security((s, _input, now) => (s.lastScanAt === null ? null : daysSince(s.lastScanAt, now))),
    since: (facts) => facts.security?.lastScanAt ?? undefined,
  },
  {
    id: 'sto.oldest_open_days',
    type: 'number',
    description: 'Whole days since the oldest active issue (at or above the input severity) was first seen; 0 when there is none.',
    input: { ...SEVERITY_THRESHOLD, description: 'A severity: only issues at or above it. Default: every severity.' },
    read: security((s, input, now) => {
      const oldest = oldestOpen(s, input);
      return oldest === undefined ? 0 : daysSince(oldest, now);
    }),
    since: (facts, input) => (facts.security === null ? undefined : oldestOpen(facts.security, input)),
  },
  {
    id: 'sto.kev',
    type: 'number',
    description: "Active issues in CISA's Known Exploited Vulnerabilities catalog (by CVE id or alias). No value when no active issue could be matched with KEV (no KEV feed loaded, or no CVE ids): unknown is not \"not exploited\". 0 with no active issues.",
    read: risk((r) => r.kev),
  },
  {
    id: 'sto.epss_max',
    type: 'number',
    description: 'The highest EPSS score (0 to 1) of an active issue. No value when no active issue could be matched with EPSS (no feed loaded and no score from the scanner, or no CVE ids). 0 with no active issues.',
    read: risk((r) => r.epssMax),
  },
  {
    id: 'sto.sla_breached',
    type: 'number',
    description: 'Active issues past their SLA due date (the config file\'s sla: days per severity), of every severity or of those at or above the input.',
    input: SEVERITY_THRESHOLD,
    read: risk((r, input) => atOrAbove(input).reduce((n, severity) => n + r.slaBreached[severity], 0)),
  },
  {
    id: 'sto.sla_compliance',
    type: 'number',
    description: 'Of the issues fixed in the last 90 days (at or above the input severity) that had an SLA, the percentage fixed by their due date. No value when none was fixed: not 0 %.',
    input: SEVERITY_THRESHOLD,
    read: risk((r, input) => {
      const f = fixesAtOrAbove(r, input);
      const decided = f.fixedWithinSla + f.fixedLate;
      return decided === 0 ? null : Math.round((f.fixedWithinSla / decided) * 1000) / 10;
    }),
  },
  {
    id: 'sto.mttr_days',
    type: 'number',
    description: 'Mean time to remediate: mean days from an issue\'s SLA clock start (first seen, or re-opened) to its fix, over the issues fixed in the last 90 days at or above the input severity; false positives left out. No value when none was fixed.',
    input: SEVERITY_THRESHOLD,
    read: risk((r, input) => {
      const f = fixesAtOrAbove(r, input);
      return f.fixed === 0 ? null : Math.round((f.daysToFix / f.fixed) * 10) / 10;
    }),
  },
  {
    id: 'sto.has_security_data',
    type: 'boolean',
    description: 'Whether a link of the entity shows a scanned target variant. Always has a value.',
    read: (facts) => facts.security !== null,
  },
  {
    id: 'sto.unmatched_links',
    type: 'number',
    description: 'Target links of the entity that show nothing (no such target, never scanned …). Has a value without security data too.',
    read: (facts) => facts.unmatchedLinks,
  },
  {
    id: 'catalog.has_owner',
    type: 'boolean',
    description: 'Whether the entity declares spec.owner.',
    read: (facts) => facts.owner !== null,
  },
  {
    id: 'catalog.has_sto_annotation',
    type: 'boolean',
    description: `Whether the entity declares the ${TEST_TARGET_ANNOTATION} annotation.`,
    read: (facts) => facts.hasStoAnnotation,
  },
  {
    id: 'catalog.has_source_location',
    type: 'boolean',
    description: 'Whether the entity declares a repository Lantern can read (spec.sourceCode.url or a url: backstage.io/source-location).',
    read: (facts) => facts.hasSourceLocation,
  },
  {
    id: 'catalog.lifecycle',
    type: 'string',
    description: 'spec.lifecycle (compared ignoring case). No value when the entity declares none.',
    read: (facts) => facts.lifecycle,
  },
  {
    id: 'catalog.type',
    type: 'string',
    description: 'spec.type (compared ignoring case). No value when the entity declares none.',
    read: (facts) => facts.type,
  },
  {
    id: 'catalog.has_tag',
    type: 'boolean',
    description: 'Whether metadata.tags holds the input tag (compared ignoring case).',
    input: { kind: 'tag', required: true, description: 'The tag, e.g. pci.' },
    read: (facts, input) => input !== undefined && facts.tags.includes(input.toLowerCase()),
  },
];

const BY_ID = new Map(DATA_POINTS.map((d) => [d.id, d]));

export function findDataPoint(id: string): DataPoint | undefined {
  return BY_ID.get(id);
}

/** Why an input is wrong for a data point, or undefined when it is right. */
export function inputProblem(dataPoint: DataPoint, input: unknown): string | undefined {
  const { input: expected } = dataPoint;
  if (input === undefined) return expected?.required ? `The data point ${dataPoint.id} needs an input: ${expected.description}` : undefined;
  if (!expected) return `The data point ${dataPoint.id} takes no input, but the rule gives ${JSON.stringify(input)}.`;
  if (expected.kind === 'severity' && !isSeverity(input)) {
    return `Invalid input ${JSON.stringify(input)} for ${dataPoint.id}: expected a severity (${SEVERITIES.join(', ')}).`;
  }
  if (expected.kind === 'tag' && (typeof input !== 'string' || input.trim() === '')) {
    return `Invalid input ${JSON.stringify(input)} for ${dataPoint.id}: expected a tag, such as "pci".`;
  }
  return undefined;
}

// The annotation as searchRows (catalog/served-entity.ts) indexes it: a string, or a list whose
// entries' fields become `…target.name` rows.
const ANNOTATION_KEY = `metadata.annotations.${TEST_TARGET_ANNOTATION}`;
const ANNOTATION_KEYS = [ANNOTATION_KEY, `${ANNOTATION_KEY}.name`, `${ANNOTATION_KEY}.scope`, `${ANNOTATION_KEY}.variant`];

/**
 * Reads every data point's inputs for these entities (ids or a range of them; every entity without
 * `entityIds`) from the catalog and the stored summaries, in three queries per batch of entities
 * (one for the entities `known` holds: those a refresh just read and summarised):
 * no entity's state is computed here. The entities and their summaries are read apart and matched here, which SQLite
 * does in half the time of joining them.
 */
export async function readEntityFacts(
  db: Db,
  entityIds?: readonly number[] | EntityRange,
  options: { risk?: { policies: SlaPolicies; now: string }; known?: RefreshedEntities | undefined } = {},
): Promise<EntityFacts[]> {
  const parts = entityIds === undefined ? [undefined] : Array.isArray(entityIds) ? batches(new Set(entityIds)) : [entityIds as EntityRange];
  const facts: EntityFacts[] = [];
  const { known } = options;
  for (const batch of parts) {
    // Entities whose refresh just read and summarised them, in this transaction: only the
    // annotation is read (insights/summaries.ts refreshSummaries).
    const given = Array.isArray(batch) && known && batch.every((id) => known.has(id)) ? [...new Set(batch)].sort((a, b) => a - b).map((id) => known.get(id) as RefreshedEntity) : undefined;
    let entities = db.selectFrom('entities').select(['id', 'ref', 'scope', 'kind', 'type', 'lifecycle', 'owner_ref', 'system_ref', 'tags', 'repository_url']);
    let summaries = db
      .selectFrom('entity_summaries')
      .select(['entity_id', 'has_data', 'critical', 'high', 'medium', 'low', 'info', 'total', 'fixable', 'new_count', 'exempted', 'last_scan_at', 'unmatched_links', 'breakdown']);
    let annotated = db.selectFrom('entity_search').select('entity_id').distinct().where('key', 'in', ANNOTATION_KEYS);
    if (Array.isArray(batch)) {
      entities = entities.where('id', 'in', batch);
      summaries = summaries.where('entity_id', 'in', batch);
      annotated = annotated.where('entity_id', 'in', batch);
    } else if (batch) {
      entities = entities.where('id', '>=', batch.from).where('id', '<=', batch.to);
      summaries = summaries.where('entity_id', '>=', batch.from).where('entity_id', '<=', batch.to);
      annotated = annotated.where('entity_id', '>=', batch.from).where('entity_id', '<=', batch.to);
    }
    const summaryOf = new Map((given ? given.map((g) => g.summary) : await summaries.execute()).map((s) => [s.entity_id, s]));
    const withAnnotation = new Set((await annotated.execute()).map((r) => r.entity_id));
    for (const e of given ? given.map((g) => g.entity) : await entities.orderBy('id').execute()) {
      const s = summaryOf.get(e.id);
      facts.push({
        id: e.id,
        ref: e.ref,
        scope: e.scope,
        kind: e.kind,
        type: e.type,
        lifecycle: e.lifecycle,
        owner: e.owner_ref,
        system: e.system_ref,
        tags: readTags(e.tags),
        hasStoAnnotation: withAnnotation.has(e.id),
        hasSourceLocation: e.repository_url !== null,
        security:
          s?.has_data === 1
            ? {
                counts: { critical: s.critical, high: s.high, medium: s.medium, low: s.low, info: s.info, total: s.total },
                fixable: s.fixable,
                new: s.new_count,
                exempted: s.exempted,
                lastScanAt: s.last_scan_at,
                breakdown: readBreakdown(s.breakdown),
              }
            : null,
        unmatchedLinks: s?.unmatched_links ?? null,
      });
    }
  }
  if (options.risk) {
    const withData = facts.filter((f) => f.security !== null).map((f) => f.id);
    const rows: Array<Parameters<typeof entityRiskFacts>[1][number]> = [];
    const unread: number[] = [];
    for (const id of withData) {
      const held = known?.get(id);
      if (held) rows.push(held.entity);
      else unread.push(id);
    }
    for (const batch of batches(unread)) rows.push(...(await db.selectFrom('entities').selectAll().where('id', 'in', batch).execute()));
    const risks = await entityRiskFacts(db, rows, options.risk.policies, options.risk.now);
    for (const f of facts) f.risk = f.security === null ? null : (risks.get(f.id) ?? null);
  }
  return facts;
}

function readTags(json: string): string[] {
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? parsed.filter((t): t is string => typeof t === 'string').map((t) => t.toLowerCase()) : [];
}

function readBreakdown(json: string): SeverityBreakdown {
  const parsed: unknown = JSON.parse(json);
  const fixable = isObject(parsed) && isObject(parsed.fixable) ? parsed.fixable : {};
  const oldestOpen = isObject(parsed) && isObject(parsed.oldestOpen) ? parsed.oldestOpen : {};
  const breakdown: SeverityBreakdown = {
    fixable: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
    oldestOpen: { critical: null, high: null, medium: null, low: null, info: null },
  };
  for (const severity of SEVERITIES) {
    const count = fixable[severity];
    const first = oldestOpen[severity];
    if (typeof count === 'number') breakdown.fixable[severity] = count;
    if (typeof first === 'string') breakdown.oldestOpen[severity] = first;
  }
  return breakdown;
}
