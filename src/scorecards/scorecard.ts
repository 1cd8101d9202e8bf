import type { FieldPath } from '../catalog/entity.js';
import type { FieldIssue } from '../catalog/validate.js';
import { isObject } from '../formats/json.js';
import { type Check, CHECK_FIELDS, type CheckResult, readCheckFields } from './checks.js';
import type { EntityFacts } from './data-points.js';
import { DefinitionFields, describeValue } from './definition-fields.js';

export const API_VERSION = 'lantern.io/v1';

/** Which entities a scorecard applies to: each field given must match (values compare ignoring case). */
export interface ScorecardFilter {
  kind?: string[];
  type?: string[];
  lifecycle?: string[];
  /** Full refs (`group:default/team-a`) or bare names (`team-a`). */
  owner?: string[];
  /** The entity has at least one of these tags. */
  tags?: string[];
}

export interface WeightedCheck extends Check {
  /** > 0: the check's share of the score. */
  weight: number;
}

export interface Scorecard {
  id: string;
  name: string;
  description: string;
  filter: ScorecardFilter;
  checks: WeightedCheck[];
}

const FILTER_FIELDS = ['kind', 'type', 'lifecycle', 'owner', 'tags'] as const;

/** A ref matches a full ref, or a bare name (`team-a` matches `group:default/team-a`). */
export function refMatches(ref: string | null, wanted: readonly string[]): boolean {
  if (ref === null) return false;
  const lowered = ref.toLowerCase();
  return wanted.some((w) => {
    const want = w.toLowerCase();
    return want.includes(':') ? lowered === want : lowered.endsWith(`/${want}`);
  });
}

function oneOf(value: string | null, wanted: readonly string[] | undefined): boolean {
  if (wanted === undefined) return true;
  return value !== null && wanted.some((w) => w.toLowerCase() === value.toLowerCase());
}

export function appliesTo(filter: ScorecardFilter, facts: EntityFacts): boolean {
  return (
    oneOf(facts.kind, filter.kind) &&
    oneOf(facts.type, filter.type) &&
    oneOf(facts.lifecycle, filter.lifecycle) &&
    (filter.owner === undefined || refMatches(facts.owner, filter.owner)) &&
    (filter.tags === undefined || filter.tags.some((t) => facts.tags.includes(t.toLowerCase())))
  );
}

/**
 * The weighted share of passed checks, in percent with one decimal. Unknown checks count neither
 * way: they leave the denominator. Without a decided check there is no score (null), not 0; nor
 * when every check lacks data (a `whenNoData: pass` check alone would make that 100).
 */
export function scoreOf(checks: readonly WeightedCheck[], results: readonly (Pick<CheckResult, 'status'> & { noData?: boolean })[]): number | null {
  // Checks that all lack data say nothing of the entity, whatever their whenNoData made of them.
  if (results.length > 0 && results.every((r) => r.noData)) return null;
  let passed = 0;
  let decided = 0;
  checks.forEach((check, i) => {
    const status = results[i]?.status;
    if (status === 'pass') passed += check.weight;
    if (status === 'pass' || status === 'fail') decided += check.weight;
  });
  return decided === 0 ? null : Math.round((1000 * passed) / decided) / 10;
}

export const SCORECARD_FIELDS = ['apiVersion', 'kind', 'id', 'name', 'description', 'filter', 'checks'];
export const CHECK_DOCUMENT_FIELDS = ['apiVersion', 'kind', ...CHECK_FIELDS];
const WEIGHTED_FIELDS = [...CHECK_FIELDS, 'weight'];
const REFERENCE_FIELDS = ['check', 'weight'];
/** Ids the API's own routes under /api/scorecards/ use. */
const RESERVED_IDS = ['checks', 'data-points'];

/** What reading a definition gave: the definition when it has no error, and every problem. */
export interface DefinitionRead<T> {
  definition?: T;
  issues: FieldIssue[];
}

function header(fields: DefinitionFields, value: Record<string, unknown>, kind: 'Scorecard' | 'Check'): void {
  if (value.apiVersion !== undefined && value.apiVersion !== API_VERSION) {
    fields.error(['apiVersion'], `Invalid apiVersion ${describeValue(value.apiVersion)}: expected ${API_VERSION} (or none).`);
  }
  if (value.kind !== undefined && value.kind !== kind) fields.error(['kind'], `Invalid kind ${describeValue(value.kind)}: expected ${kind}.`);
}

/** A standalone check (`kind: Check`), which scorecards reference by id. */
export function readCheck(value: unknown): DefinitionRead<Check> {
  const fields = new DefinitionFields();
  const mapping = fields.mapping(value, [], 'check', CHECK_DOCUMENT_FIELDS);
  if (!mapping) return { issues: fields.issues };
  header(fields, mapping, 'Check');
  const check = readCheckFields(fields, mapping, []);
  return fields.issues.length === 0 && check ? { definition: check, issues: [] } : { issues: fields.issues };
}

/**
 * A scorecard from a YAML document or a request body. Each item of `checks` is a check written
 * out with an optional weight (default 1), or `{check: ID, weight}` naming one of `checks`.
 */
export function readScorecard(value: unknown, standalone: ReadonlyMap<string, Check> = new Map()): DefinitionRead<Scorecard> {
  const fields = new DefinitionFields();
  const mapping = fields.mapping(value, [], 'scorecard', SCORECARD_FIELDS);
  if (!mapping) return { issues: fields.issues };
  header(fields, mapping, 'Scorecard');
  let id = fields.id(mapping.id, ['id'], 'scorecard');
  if (id !== undefined && RESERVED_IDS.includes(id)) {
    id = fields.error(['id'], `The scorecard id ${JSON.stringify(id)} is reserved: GET /api/scorecards/${id} lists ${id === 'checks' ? 'every check' : 'the data points'}. Choose another id.`);
  }
  const name = fields.text(mapping.name, ['name'], 'scorecard name');
  const description = fields.text(mapping.description, ['description'], 'scorecard description', '');
  const filter = readFilter(fields, mapping.filter);
  const checks: WeightedCheck[] = [];
  if (!Array.isArray(mapping.checks) || mapping.checks.length === 0) {
    fields.error(['checks'], `The scorecard has ${mapping.checks === undefined || (Array.isArray(mapping.checks) && mapping.checks.length === 0) ? 'no checks' : `checks ${describeValue(mapping.checks)}`}: expected a list of at least one check.`);
  } else {
    mapping.checks.forEach((item: unknown, i: number) => {
      const check = readWeightedCheck(fields, item, ['checks', i], standalone);
      if (!check) return;
      const first = checks.findIndex((c) => c.id === check.id);
      if (first >= 0) fields.error(['checks', i], `The check id ${JSON.stringify(check.id)} is used twice in the scorecard (items ${first + 1} and ${i + 1}): check ids must be unique within a scorecard.`);
      else checks.push(check);
    });
  }
  if (fields.issues.length > 0 || id === undefined || name === undefined || description === undefined) return { issues: fields.issues };
  return { definition: { id, name, description, filter, checks }, issues: [] };
}

function readWeightedCheck(fields: DefinitionFields, item: unknown, path: FieldPath, standalone: ReadonlyMap<string, Check>): WeightedCheck | undefined {
  const reference = isObject(item) && 'check' in item;
  const value = fields.mapping(item, path, reference ? 'check reference' : 'check', reference ? REFERENCE_FIELDS : WEIGHTED_FIELDS);
  if (!value) return undefined;
  let weight = 1;
  if (value.weight !== undefined) {
    if (typeof value.weight !== 'number' || !Number.isFinite(value.weight) || value.weight <= 0) {
      return fields.error([...path, 'weight'], `Invalid weight ${describeValue(value.weight)}: expected a number greater than 0.`);
    }
    weight = value.weight;
  }
  if (reference) {
    const found = typeof value.check === 'string' ? standalone.get(value.check) : undefined;
    if (!found) {
      const known = [...standalone.keys()];
      return fields.error([...path, 'check'], `No check ${describeValue(value.check)} is defined: expected the id of a check document (kind: Check)${known.length > 0 ? `, one of ${known.join(', ')}` : '; none is loaded'}.`);
    }
    return { ...found, weight };
  }
  const check = readCheckFields(fields, value, path);
  return check && { ...check, weight };
}

function readFilter(fields: DefinitionFields, value: unknown): ScorecardFilter {
  if (value === undefined || value === null) return {};
  const mapping = fields.mapping(value, ['filter'], 'filter', FILTER_FIELDS);
  const filter: ScorecardFilter = {};
  if (!mapping) return filter;
  for (const key of FILTER_FIELDS) {
    const values = fields.texts(mapping[key], ['filter', key], `filter ${key}`);
    if (values !== undefined && values.length > 0) filter[key] = values;
  }
  return filter;
}
