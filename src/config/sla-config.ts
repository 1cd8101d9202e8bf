import { parseGrantScope } from '../access/roles.js';
import { SEVERITIES, type Severity } from '../domain/severity.js';
import { type GatePolicies, parseGatePolicy } from '../insights/gate.js';
import { DEFAULT_SLA_POLICY, type SlaPolicies } from '../insights/sla.js';
import { DefinitionFields, describeValue } from '../scorecards/definition-fields.js';

const DAY_FIELDS = [...SEVERITIES, 'kevDueDateCap'];

/**
 * The `sla:` section of the configuration file: days per severity for the account (null: no SLA),
 * `kevDueDateCap`, and `scopes:` mapping an org (`acme`) or project (`acme.pay`) to its own days.
 */
export function readSlaConfig(value: unknown, fields: DefinitionFields): SlaPolicies | undefined {
  const top = fields.mapping(value, ['sla'], 'SLA policy', [...DAY_FIELDS, 'scopes']);
  if (!top) return undefined;
  const { scopes, ...account } = top;
  const own = readDays(account, ['sla'], fields);
  const policies: SlaPolicies = { account: { days: { ...DEFAULT_SLA_POLICY.days, ...own.days }, kevDueDateCap: own.kevDueDateCap ?? DEFAULT_SLA_POLICY.kevDueDateCap }, scopes: {} };
  if (scopes !== undefined && scopes !== null) {
    const byScope = fields.mapping(scopes, ['sla', 'scopes'], 'SLA scopes', Object.keys(scopes as object));
    for (const [scope, days] of Object.entries(byScope ?? {})) {
      let key: string;
      try {
        key = parseGrantScope(scope, 'SLA scope');
      } catch (error) {
        fields.error(['sla', 'scopes', scope], (error as Error).message);
        continue;
      }
      const mapping = fields.mapping(days, ['sla', 'scopes', scope], `SLA policy of ${scope}`, DAY_FIELDS);
      if (!mapping) continue;
      const read = readDays(mapping, ['sla', 'scopes', scope], fields);
      policies.scopes[key] = { ...read.days, ...(read.kevDueDateCap === undefined ? {} : { kevDueDateCap: read.kevDueDateCap }) };
    }
  }
  return policies;
}

function readDays(mapping: Record<string, unknown>, path: string[], fields: DefinitionFields): { days: Partial<Record<Severity, number | null>>; kevDueDateCap?: boolean } {
  const days: Partial<Record<Severity, number | null>> = {};
  for (const severity of SEVERITIES) {
    const value = mapping[severity];
    if (value === undefined) continue;
    if (value === null || (typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= 3650)) days[severity] = value as number | null;
    else fields.error([...path, severity], `Invalid ${severity} SLA ${describeValue(value)}: expected a whole number of days from 1 to 3650, or null for no SLA.`);
  }
  const cap = mapping.kevDueDateCap;
  if (cap !== undefined && typeof cap !== 'boolean') fields.error([...path, 'kevDueDateCap'], `Invalid kevDueDateCap ${describeValue(cap)}: expected true or false.`);
  return { days, ...(typeof cap === 'boolean' ? { kevDueDateCap: cap } : {}) };
}

/**
 * The `gate:` section: `policies:` naming rule lists (as --fail-on takes them), and `scopes:`
 * mapping an org or project to a policy name or rules, what `lantern gate` holds a target there to
 * without --fail-on. Every rule list is checked here, so a typo stops the start, not a pipeline.
 */
export function readGateConfig(value: unknown, fields: DefinitionFields): GatePolicies | undefined {
  const top = fields.mapping(value, ['gate'], 'gate policies', ['policies', 'scopes']);
  if (!top) return undefined;
  const gates: GatePolicies = { policies: {}, scopes: {} };
  const rulesOf = (text: unknown, path: string[]): string | undefined => {
    if (typeof text !== 'string') {
      fields.error(path, `Invalid gate policy ${describeValue(text)}: expected rules such as "new:critical,kev,sla-breached,epss>=0.5".`);
      return undefined;
    }
    try {
      parseGatePolicy(text);
      return text;
    } catch (error) {
      fields.error(path, (error as Error).message);
      return undefined;
    }
  };
  if (top.policies !== undefined && top.policies !== null) {
    const policies = fields.mapping(top.policies, ['gate', 'policies'], 'gate policies', Object.keys(top.policies as object));
    for (const [name, rules] of Object.entries(policies ?? {})) {
      const text = rulesOf(rules, ['gate', 'policies', name]);
      if (text !== undefined) gates.policies[name] = text;
    }
  }
  if (top.scopes !== undefined && top.scopes !== null) {
    const scopes = fields.mapping(top.scopes, ['gate', 'scopes'], 'gate scopes', Object.keys(top.scopes as object));
    for (const [scope, policy] of Object.entries(scopes ?? {})) {
      let key: string;
      try {
        key = parseGrantScope(scope, 'gate scope');
      } catch (error) {
        fields.error(['gate', 'scopes', scope], (error as Error).message);
        continue;
      }
      if (typeof policy === 'string' && Object.hasOwn(gates.policies, policy)) gates.scopes[key] = policy;
      else {
        const text = rulesOf(policy, ['gate', 'scopes', scope]);
        if (text !== undefined) gates.scopes[key] = text;
      }
    }
  }
  return gates;
}
