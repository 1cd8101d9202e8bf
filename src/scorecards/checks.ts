import type { FieldPath } from '../catalog/entity.js';
import { type DataPoint, type EntityFacts, findDataPoint, inputProblem, type Value } from './data-points.js';
import { DefinitionFields, describeValue } from './definition-fields.js';
import { ruleSentence } from './sentences.js';

export const OPERATORS = ['<', '<=', '==', '!=', '>=', '>'] as const;
export type Operator = (typeof OPERATORS)[number];
export const STRATEGIES = ['allOf', 'anyOf'] as const;
export type Strategy = (typeof STRATEGIES)[number];
export const NO_DATA_MODES = ['fail', 'pass', 'unknown'] as const;
export type WhenNoData = (typeof NO_DATA_MODES)[number];
export type CheckStatus = 'pass' | 'fail' | 'unknown';
/** A rule's outcome: `noData` when its data point has no value for the entity. */
export type RuleStatus = 'pass' | 'fail' | 'noData';

/** One comparison of a data point with a threshold. */
export interface Rule {
  dataPoint: string;
  input?: string;
  operator: Operator;
  value: Value;
}

export interface Check {
  id: string;
  name: string;
  description: string;
  rules: Rule[];
  /** allOf: every rule must hold; anyOf: one is enough. */
  strategy: Strategy;
  /** What the check is when its rules cannot be decided for lack of a value. */
  whenNoData: WhenNoData;
  passMessage?: string;
  failMessage?: string;
}

/** A check's outcome for one entity, as stored. */
export interface CheckResult {
  status: CheckStatus;
  /** True when the rules could not be decided and whenNoData gave the status. */
  noData: boolean;
  /** Each rule's observed value, in rule order; null: no value. */
  observed: Array<Value | null>;
}

const ORDERED: readonly Operator[] = OPERATORS;
const EQUALITY: readonly Operator[] = ['==', '!='];

/** The operators a data point of this type can be compared with. */
export function operatorsFor(dataPoint: Pick<DataPoint, 'type'>): readonly Operator[] {
  return dataPoint.type === 'number' ? ORDERED : EQUALITY;
}

/** Texts compare ignoring case, as catalog fields do. */
export function compare(observed: Value, operator: Operator, threshold: Value): boolean {
  const a = typeof observed === 'string' ? observed.toLowerCase() : observed;
  const b = typeof threshold === 'string' ? threshold.toLowerCase() : threshold;
  switch (operator) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>=':
      return a >= b;
    case '>':
      return a > b;
  }
}

export function ruleStatus(rule: Rule, observed: Value | null): RuleStatus {
  if (observed === null) return 'noData';
  return compare(observed, rule.operator, rule.value) ? 'pass' : 'fail';
}

/**
 * Evaluates a check on one entity. Rules combine in three-valued logic, so a missing value never
 * reads as zero: allOf fails on any failing rule and passes only when every rule passes; anyOf
 * passes on any passing rule and fails only when every rule fails; anything else is undecided,
 * and whenNoData says what the check is then.
 */
export function evaluateCheck(check: Check, facts: EntityFacts, now: number): CheckResult {
  const observed: Array<Value | null> = [];
  let passes = false;
  let fails = false;
  let missing = false;
  for (const rule of check.rules) {
    const value = (findDataPoint(rule.dataPoint) as DataPoint).read(facts, rule.input, now);
    observed.push(value);
    const status = ruleStatus(rule, value);
    if (status === 'pass') passes = true;
    else if (status === 'fail') fails = true;
    else missing = true;
  }
  if (check.strategy === 'allOf' ? fails : passes) return { status: check.strategy === 'allOf' ? 'fail' : 'pass', noData: false, observed };
  if (!missing) return { status: check.strategy === 'allOf' ? 'pass' : 'fail', noData: false, observed };
  return { status: check.whenNoData, noData: true, observed };
}

/**
 * What the entity page says about a check's result: the check's own message, else sentences made
 * from its rules ("9 critical issues; this check wants none.").
 */
export function checkMessage(check: Check, result: CheckResult): string {
  const sentences = (keep: (status: RuleStatus) => boolean) => [
    ...new Set(
      check.rules.flatMap((rule, i) => {
        const observed = result.observed[i] ?? null;
        const status = ruleStatus(rule, observed);
        return keep(status) ? [ruleSentence(rule, observed, status === 'pass')] : [];
      }),
    ),
  ].join(' ');
  if (result.noData) {
    const missing = sentences((status) => status === 'noData');
    if (result.status === 'unknown') return `${missing} The check is unknown.`;
    return `${missing} The check counts as ${result.status === 'pass' ? 'passed' : 'failed'} (whenNoData: ${check.whenNoData}).`;
  }
  if (result.status === 'pass') return check.passMessage ?? sentences((status) => status === 'pass');
  return check.failMessage ?? sentences((status) => status === 'fail');
}

export const CHECK_FIELDS = ['id', 'name', 'description', 'rules', 'strategy', 'whenNoData', 'passMessage', 'failMessage'] as const;
const RULE_FIELDS = ['dataPoint', 'input', 'operator', 'value'];

/** Reads a check's fields from `value` (already known to be a mapping); undefined when one is wrong. */
export function readCheckFields(fields: DefinitionFields, value: Record<string, unknown>, path: FieldPath): Check | undefined {
  const before = fields.issues.length;
  const id = fields.id(value.id, [...path, 'id'], 'check');
  const name = fields.text(value.name, [...path, 'name'], 'check name');
  const description = fields.text(value.description, [...path, 'description'], 'check description', '');
  const strategy = fields.choice(value.strategy, [...path, 'strategy'], 'strategy', STRATEGIES, 'allOf');
  const whenNoData = fields.choice(value.whenNoData, [...path, 'whenNoData'], 'whenNoData', NO_DATA_MODES, 'unknown');
  const passMessage = value.passMessage === undefined ? undefined : fields.text(value.passMessage, [...path, 'passMessage'], 'passMessage');
  const failMessage = value.failMessage === undefined ? undefined : fields.text(value.failMessage, [...path, 'failMessage'], 'failMessage');
  const rules: Rule[] = [];
  if (!Array.isArray(value.rules) || value.rules.length === 0) {
    fields.error([...path, 'rules'], `The check ${JSON.stringify(id ?? '')} has ${value.rules === undefined || (Array.isArray(value.rules) && value.rules.length === 0) ? 'no rules' : `rules ${describeValue(value.rules)}`}: expected a list of at least one rule {dataPoint, operator, value}.`);
  } else {
    value.rules.forEach((item: unknown, i: number) => {
      const rule = readRule(fields, item, [...path, 'rules', i]);
      if (rule) rules.push(rule);
    });
  }
  if (fields.issues.length > before || id === undefined || name === undefined || description === undefined || strategy === undefined || whenNoData === undefined) return undefined;
  return {
    id,
    name,
    description,
    rules,
    strategy,
    whenNoData,
    ...(passMessage !== undefined ? { passMessage } : {}),
    ...(failMessage !== undefined ? { failMessage } : {}),
  };
}

function readRule(fields: DefinitionFields, item: unknown, path: FieldPath): Rule | undefined {
  const value = fields.mapping(item, path, 'rule', RULE_FIELDS);
  if (!value) return undefined;
  const id = value.dataPoint;
  const dataPoint = typeof id === 'string' ? findDataPoint(id) : undefined;
  if (!dataPoint) {
    return fields.error([...path, 'dataPoint'], `Unknown data point ${describeValue(id)}: expected one of those GET /api/scorecards/data-points lists, such as sto.critical or catalog.has_owner.`);
  }
  const badInput = inputProblem(dataPoint, value.input);
  if (badInput) return fields.error([...path, 'input'], badInput);
  const operators = operatorsFor(dataPoint);
  if (!(operators as readonly unknown[]).includes(value.operator)) {
    return fields.error([...path, 'operator'], `Invalid operator ${describeValue(value.operator)} for ${dataPoint.id}, a ${dataPoint.type}: expected ${operators.join(' ')}.`);
  }
  if (typeof value.value !== dataPoint.type || (typeof value.value === 'number' && !Number.isFinite(value.value))) {
    return fields.error([...path, 'value'], `Invalid value ${describeValue(value.value)} for ${dataPoint.id}: expected a ${dataPoint.type}.`);
  }
  return {
    dataPoint: dataPoint.id,
    ...(value.input !== undefined ? { input: String(value.input).trim() } : {}),
    operator: value.operator as Operator,
    value: value.value as Value,
  };
}
