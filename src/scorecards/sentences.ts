import { isSeverity } from '../domain/severity.js';
import type { Operator, Rule } from './checks.js';
import type { Value } from './data-points.js';

/**
 * A check's rules in sentences, for the people who read scorecards: "9 critical issues; this check
 * wants none." instead of `sto.critical is 9, expected == 0`. Every data point of data-points.ts
 * has its words here; a data point without them reads as its id and value.
 */

/** What a numeric data point counts: its unit in the singular and the plural, and how an input narrows it. */
interface Quantity {
  one: string;
  many: string;
}

function severityScope(input: string | undefined): string {
  return input !== undefined && isSeverity(input) ? ` at ${input} or above` : '';
}

function quantity(dataPoint: string, input: string | undefined): Quantity | undefined {
  const severity = /^sto\.(critical|high|medium|low|info)$/.exec(dataPoint)?.[1];
  if (severity) return { one: `${severity} issue`, many: `${severity} issues` };
  const scope = severityScope(input);
  switch (dataPoint) {
    case 'sto.total':
      return { one: `open issue${scope}`, many: `open issues${scope}` };
    case 'sto.fixable':
      return { one: `fixable issue${scope}`, many: `fixable issues${scope}` };
    case 'sto.new':
      return { one: 'new issue', many: 'new issues' };
    case 'sto.exempted':
      return { one: 'exempted issue', many: 'exempted issues' };
    case 'sto.days_since_last_scan':
      return { one: 'day since the last scan', many: 'days since the last scan' };
    case 'sto.oldest_open_days':
      return { one: `day since the oldest open issue${scope} was found`, many: `days since the oldest open issue${scope} was found` };
    case 'sto.unmatched_links':
      return { one: 'target link that matches nothing', many: 'target links that match nothing' };
    default:
      return undefined;
  }
}

/** What a boolean data point says when true and when false. */
function facet(dataPoint: string, input: string | undefined): [string, string] | undefined {
  switch (dataPoint) {
    case 'sto.has_security_data':
      return ['security data', 'no security data'];
    case 'catalog.has_owner':
      return ['an owner', 'no owner'];
    case 'catalog.has_sto_annotation':
      return ['the sto-test-target annotation', 'no sto-test-target annotation'];
    case 'catalog.has_source_location':
      return ['a repository Lantern can read', 'no repository Lantern can read'];
    case 'catalog.has_tag':
      return [`the tag “${input ?? ''}”`, `no tag “${input ?? ''}”`];
    default:
      return undefined;
  }
}

/** What a text data point is called. */
function field(dataPoint: string): string | undefined {
  return dataPoint === 'catalog.lifecycle' ? 'lifecycle' : dataPoint === 'catalog.type' ? 'type' : undefined;
}

function count(n: number, q: Quantity): string {
  return `${n === 0 ? 'no' : n.toLocaleString('en-US')} ${n === 1 ? q.one : q.many}`;
}

/** What the threshold asks for, in words: "none", "fewer than 7", "at least 1". */
function wanted(operator: Operator, threshold: number, q: Quantity): string {
  const n = threshold.toLocaleString('en-US');
  switch (operator) {
    case '==':
      return threshold === 0 ? 'none' : `exactly ${n}`;
    case '!=':
      return threshold === 0 ? 'at least one' : `any number but ${n}`;
    case '<':
      return threshold <= 1 ? 'none' : `fewer than ${n}`;
    case '<=':
      return threshold === 0 ? 'none' : `at most ${n}`;
    case '>':
      return `more than ${n}`;
    case '>=':
      return threshold === 1 ? `at least one ${q.one}` : `at least ${n}`;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The data point's name in a "no data" sentence: "critical issues", "lifecycle". */
export function subjectOf(rule: Pick<Rule, 'dataPoint' | 'input'>): string {
  const q = quantity(rule.dataPoint, rule.input);
  if (q) return q.many;
  const f = facet(rule.dataPoint, rule.input);
  if (f) return `whether it has ${f[0]}`;
  return field(rule.dataPoint) ?? `${rule.dataPoint}${rule.input === undefined ? '' : `(${rule.input})`}`;
}

/**
 * One rule against what was observed, as a sentence: "9 critical issues; this check wants none.",
 * "No owner; this check wants an owner.", "No value for critical issues: the entity has no
 * security data." A rule that holds reads "No critical issues, as this check wants."
 */
export function ruleSentence(rule: Pick<Rule, 'dataPoint' | 'input' | 'operator' | 'value'>, observed: Value | null, holds: boolean): string {
  if (observed === null) {
    const why = rule.dataPoint.startsWith('sto.') ? 'the entity has no security data' : 'the entity does not declare it';
    return `No value for ${subjectOf(rule)}: ${why}.`;
  }
  const q = quantity(rule.dataPoint, rule.input);
  if (q && typeof observed === 'number' && typeof rule.value === 'number') {
    return holds ? `${capitalise(count(observed, q))}, as this check wants.` : `${capitalise(count(observed, q))}; this check wants ${wanted(rule.operator, rule.value, q)}.`;
  }
  const f = facet(rule.dataPoint, rule.input);
  if (f && typeof observed === 'boolean' && typeof rule.value === 'boolean') {
    const has = observed ? f[0] : f[1];
    const wants = rule.value === (rule.operator === '==') ? f[0] : f[1];
    return holds ? `${capitalise(has)}, as this check wants.` : `${capitalise(has)}; this check wants ${wants}.`;
  }
  const name = field(rule.dataPoint);
  if (name && typeof observed === 'string' && typeof rule.value === 'string') {
    const is = `${capitalise(name)} “${observed}”`;
    if (holds) return `${is}, as this check wants.`;
    return rule.operator === '==' ? `${is}; this check wants “${rule.value}”.` : `${is}; this check wants any ${name} but “${rule.value}”.`;
  }
  const subject = `${rule.dataPoint}${rule.input === undefined ? '' : `(${rule.input})`}`;
  return `${subject} is ${JSON.stringify(observed)}; this check wants ${rule.operator} ${JSON.stringify(rule.value)}.`;
}
