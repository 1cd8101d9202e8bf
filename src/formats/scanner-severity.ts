import { severityFromLabel, severityFromScore, type Severity } from '../domain/severity.js';

/**
 * DESIGN.md's order for formats that label their findings: the scanner's own label when it is one
 * we know, else the score, else `fallback` (info, or high for secrets and medium for IaC checks
 * that carry no severity at all).
 */
export function severityFromScanner(label: string | undefined, score: number | undefined, fallback: Severity = 'info'): Severity {
  const fromLabel = label === undefined ? undefined : severityFromLabel(label);
  if (fromLabel) return fromLabel;
  const fromScore = score === undefined ? undefined : severityFromScore(score);
  return fromScore ?? fallback;
}
