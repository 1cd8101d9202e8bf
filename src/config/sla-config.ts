import { parseGrantScope } from '../access/roles.js';
import { SEVERITIES, type Severity } from '../domain/severity.js';
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
