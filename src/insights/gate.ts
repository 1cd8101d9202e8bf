import type { Kysely } from 'kysely';
import { InputError } from '../domain/errors.js';
import { isSeverity, SEVERITIES, type Severity } from '../domain/severity.js';
import { approvedExemptionsFor } from '../store/exemptions.js';
import { issuesOfScans } from '../store/issues.js';
import { currentScanIds } from '../store/scans.js';
import { chooseVariant } from '../store/variant-choice.js';
import type { Database, TargetRow, VariantRow } from '../store/schema.js';
import { coveringExemption } from './exemptions.js';
import { prioritise, type PrioritisedListing } from './priority.js';
import { openSlaClocks } from './sla-clock.js';
import { policyFor, type SlaPolicies, type SlaStatus, slaStatus, slaText } from './sla.js';
import type { IssueListing } from '../store/issues.js';

/** One rule of a gate policy: `new:SEVERITY`, `kev`, `sla-breached`, `epss>=X`. */
export type GateRule = { kind: 'new'; severity: Severity } | { kind: 'kev' } | { kind: 'sla-breached' } | { kind: 'epss'; min: number };

const RULE_FORMS = `new:SEVERITY (${SEVERITIES.join(', ')}), kev, sla-breached, epss>=X (X from 0 to 1)`;

/** `--fail-on new:critical,new:high,kev,sla-breached,epss>=0.5` to rules; throws a sentence naming a bad one. */
export function parseGatePolicy(text: string): GateRule[] {
  const rules = text.split(',').map((r) => r.trim()).filter((r) => r !== '');
  if (rules.length === 0) throw new InputError(`Invalid --fail-on ${JSON.stringify(text)}: expected a comma-separated list of ${RULE_FORMS}.`);
  return rules.map((rule) => {
    const lower = rule.toLowerCase();
    if (lower === 'kev') return { kind: 'kev' };
    if (lower === 'sla-breached') return { kind: 'sla-breached' };
    const severity = /^new:(.+)$/.exec(lower)?.[1];
    if (severity !== undefined && isSeverity(severity)) return { kind: 'new', severity };
    const epss = /^epss>=(\d+(?:\.\d+)?|\.\d+)$/.exec(lower)?.[1];
    if (epss !== undefined && Number(epss) <= 1) return { kind: 'epss', min: Number(epss) };
    throw new InputError(`Invalid --fail-on rule ${JSON.stringify(rule)}: expected ${RULE_FORMS}.`);
  });
}

/** What `--fail-on` means when not given. */
export const DEFAULT_GATE_RULES = 'new:critical,new:high,kev';

/** Gate policies of the config file (`gate:`): named rule lists, and the policy of an org (`O`) or project (`O.P`). */
export interface GatePolicies {
  /** Name → rules, as --fail-on takes them. */
  policies: Record<string, string>;
  /** `O` or `O.P` → a policy name or rules: what a target there is held to without --fail-on. */
  scopes: Record<string, string>;
}

export const NO_GATE_POLICIES: GatePolicies = { policies: {}, scopes: {} };

/**
 * The rules a gate applies: `--fail-on` as a named policy or as rules; without it, the policy of
 * the target's project, else its org, else DEFAULT_GATE_RULES. Says where the rules came from.
 */
export function gateRulesFor(gates: GatePolicies, scope: string, failOn: string | undefined): { rules: GateRule[]; policy: string } {
  const named = (text: string) => (Object.hasOwn(gates.policies, text) ? { rules: parseGatePolicy(gates.policies[text] as string), policy: text } : { rules: parseGatePolicy(text), policy: text });
  if (failOn !== undefined) return named(failOn.trim());
  const parts = scope === 'account' ? [] : scope.split('.');
  for (const key of [parts.join('.'), parts[0]].filter((k): k is string => k !== undefined && k !== '')) {
    const own = gates.scopes[key];
    if (own !== undefined) return named(own);
  }
  return { rules: parseGatePolicy(DEFAULT_GATE_RULES), policy: DEFAULT_GATE_RULES };
}

export function ruleName(rule: GateRule): string {
  return rule.kind === 'new' ? `new:${rule.severity}` : rule.kind === 'epss' ? `epss>=${rule.min}` : rule.kind;
}

export type GateIssue = PrioritisedListing<IssueListing> & { sla: SlaStatus; exempted: boolean; isNew: boolean };

export interface GateResult {
  /** The named policy or the rules the gate applied. */
  policy: string;
  target: string;
  scope: string;
  variant: string;
  baseline: string | null;
  passed: boolean;
  rules: Array<{ rule: string; violations: number }>;
  /** Active issues that break a rule, in priority order, with the rules they break. */
  violations: Array<{ issue: GateIssue; rules: string[] }>;
  /** Issues that would break a rule but an approved exemption covers. */
  exempted: number;
}

/**
 * Evaluates a variant's current issues against the rules: `new:` rules only count issues its
 * baseline does not have (or, for the baseline itself, issues new in their scan); the others count
 * every active issue. Issues an approved exemption covers never fail the gate.
 */
export async function evaluateGate(
  db: Kysely<Database>,
  target: TargetRow,
  variant: VariantRow,
  baseline: VariantRow | undefined,
  rules: readonly GateRule[],
  options: { now: string; sla: SlaPolicies; policy?: string },
): Promise<GateResult> {
  const current = await issuesOfScans(db, await currentScanIds(db, [variant.id]));
  const compared = baseline && baseline.id !== variant.id ? new Set((await issuesOfScans(db, await currentScanIds(db, [baseline.id]))).map((i) => i.id)) : undefined;
  const exemptions = await approvedExemptionsFor(db, [target.id]);
  const policy = policyFor(options.sla, target.scope);
  const clocks = await openSlaClocks(db, current.map((issue) => ({ issue, target: { variantId: variant.id, scope: target.scope } })), options.now);
  const issues: GateIssue[] = (await prioritise(db, current, 'priority')).map((issue) => {
    const exempted = coveringExemption({ id: issue.id, targetId: target.id, targetScope: target.scope, vulnerabilityId: issue.vulnerabilityId, ruleId: issue.ruleId }, exemptions, options.now) !== undefined;
    return { ...issue, exempted, isNew: compared ? !compared.has(issue.id) : issue.new, sla: slaStatus(issue, policy, options.now, exempted, clocks.get(`${variant.id}:${issue.id}`)) };
  });
  const breaks = (issue: GateIssue, rule: GateRule): boolean => {
    if (rule.kind === 'new') return issue.isNew && issue.severity === rule.severity;
    if (rule.kind === 'kev') return issue.kev.state === 'listed';
    if (rule.kind === 'sla-breached') return issue.sla.state === 'breached';
    return issue.epss.score !== null && issue.epss.score >= rule.min;
  };
  const violations: GateResult['violations'] = [];
  let exempted = 0;
  for (const issue of issues) {
    const broken = rules.filter((rule) => breaks(issue, rule)).map(ruleName);
    if (broken.length === 0) continue;
    if (issue.exempted) exempted++;
    else violations.push({ issue, rules: broken });
  }
  return {
    policy: options.policy ?? rules.map(ruleName).join(','),
    target: target.name,
    scope: target.scope,
    variant: variant.name,
    baseline: baseline?.name ?? null,
    passed: violations.length === 0,
    rules: rules.map((rule) => ({ rule: ruleName(rule), violations: violations.filter((v) => v.rules.includes(ruleName(rule))).length })),
    violations,
    exempted,
  };
}

/**
 * The gate of one variant of a target: its baseline as the target's baseline rule chooses it, the
 * rules from --fail-on or the config file's policy for the target's scope (gateRulesFor).
 */
export async function gateVariant(
  db: Kysely<Database>,
  target: TargetRow,
  variantName: string,
  failOn: string | undefined,
  options: { now: string; sla: SlaPolicies; gates: GatePolicies },
): Promise<GateResult> {
  const { rules, policy } = gateRulesFor(options.gates, target.scope, failOn);
  const { variant } = await chooseVariant(db, target, variantName);
  if (!variant) throw new InputError(`Target ${JSON.stringify(target.name)} has no variant ${JSON.stringify(variantName)}: ingest a scan of it before the gate.`);
  const { variant: baseline } = await chooseVariant(db, target);
  return evaluateGate(db, target, variant, baseline, rules, { now: options.now, sla: options.sla, policy });
}

/** A Markdown summary fit for a pull-request comment; scanner text is escaped, never rendered. */
export function gateMarkdown(result: GateResult): string {
  const lines = [
    `### Lantern gate: ${result.passed ? 'passed' : 'failed'} — ${cell(result.target)} @ ${cell(result.variant)}${result.baseline && result.baseline !== result.variant ? ` (against ${cell(result.baseline)})` : ''}`,
    '',
    `Policy: ${cell(result.policy)}`,
    '',
    '| rule | violations |',
    '|---|---|',
    ...result.rules.map((r) => `| \`${r.rule}\` | ${r.violations} |`),
    '',
  ];
  if (result.exempted > 0) lines.push(`${result.exempted} issue(s) breaking a rule are covered by an approved exemption.`, '');
  if (result.violations.length > 0) {
    lines.push('| issue | package | severity | rules | why first | SLA |', '|---|---|---|---|---|---|');
    for (const { issue, rules } of result.violations.slice(0, 50)) {
      lines.push(`| ${cell(issue.vulnerabilityId ?? issue.ruleId ?? issue.title)} | ${cell(issue.package ?? '')} | ${issue.severity} | ${rules.map((r) => `\`${r}\``).join(' ')} | ${cell(issue.priorityReason)} | ${cell(slaText(issue.sla))} |`);
    }
    if (result.violations.length > 50) lines.push('', `…and ${result.violations.length - 50} more.`);
    lines.push('');
  }
  return lines.join('\n');
}

/** Text in a Markdown table cell: no markup, no line breaks, no pipes. */
function cell(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[\\`*_{}[\]()<>#+!|~]/g, (c) => `\\${c}`).slice(0, 200);
}
