import type { Operator, RuleResult, RuleValue } from '../api/types.js';
import { formatCount } from '../ui/format.js';

/**
 * How a check's result reads on the entity page: each rule's observed value against its threshold
 * (`sto.critical = 3, expected = 0`), "no data" where the entity has no value, never a 0.
 */

/** Operators as they read in prose; `==` and `!=` are how YAML writes them, not how people do. */
export const OPERATOR_TEXT: Record<Operator, string> = { '<': '<', '<=': '≤', '==': '=', '!=': '≠', '>=': '≥', '>': '>' };

/** A data point with its input, as the API's messages write it: `sto.fixable(high)`. */
export function dataPointText(dataPoint: string, input: string | null | undefined): string {
  return input === null || input === undefined || input === '' ? dataPoint : `${dataPoint}(${input})`;
}

/** A value as a rule compares it: numbers and booleans as they are, texts quoted. */
export function valueText(value: RuleValue): string {
  if (typeof value === 'number') return formatCount(value);
  if (typeof value === 'boolean') return String(value);
  return `“${value}”`;
}

/** `sto.critical = 3, expected = 0`, or `sto.critical: no data, expected = 0` when the entity has no value. */
export function ruleText(rule: Pick<RuleResult, 'dataPoint' | 'input' | 'operator' | 'threshold' | 'observed'>): string {
  const subject = dataPointText(rule.dataPoint, rule.input);
  const observed = rule.observed === null ? `${subject}: no data` : `${subject} = ${valueText(rule.observed)}`;
  return `${observed}, expected ${OPERATOR_TEXT[rule.operator]} ${valueText(rule.threshold)}`;
}

/** What a check of several rules asks for; nothing to say for one rule. */
export function strategyText(strategy: 'allOf' | 'anyOf', rules: number): string | null {
  if (rules < 2) return null;
  return strategy === 'allOf' ? `Passes when all ${rules} are met:` : `Passes when any of the ${rules} is met:`;
}

