import type { RemediationTally } from '../api/types.js';

/** A share fixed within SLA; "—" when nothing with an SLA was fixed: no data, never 0 % or 100 %. */
export function complianceText(tally: RemediationTally): string {
  return tally.slaCompliance === null ? '—' : `${tally.slaCompliance.toFixed(tally.slaCompliance % 1 === 0 ? 0 : 1)} %`;
}

/** The mean days to remediate; "—" when nothing was fixed. */
export function mttrText(tally: RemediationTally): string {
  return tally.mttrDays === null ? '—' : `${tally.mttrDays.toFixed(1)} d`;
}
