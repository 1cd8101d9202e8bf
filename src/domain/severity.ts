/** The five severity levels of DESIGN.md, most severe first. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type SeverityCounts = Record<Severity, number> & { total: number };

const RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

/** 4 for critical down to 0 for info; stored in the database so that MAX() picks the worst. */
export function severityRank(severity: Severity): number {
  return RANK[severity];
}

export function severityFromRank(rank: number): Severity {
  const found = SEVERITIES.find((s) => RANK[s] === rank);
  if (!found) throw new RangeError(`No severity has rank ${rank}; expected 0 (info) to 4 (critical).`);
  return found;
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * DESIGN.md's score bands: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low, 0 info.
 * Scores are CVSS-style (0-10); anything outside that range or not a number has no severity.
 */
export function severityFromScore(score: number): Severity | undefined {
  if (!Number.isFinite(score) || score < 0 || score > 10) return undefined;
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'info';
}

/**
 * The common scanner labels of DESIGN.md's table, compared case-insensitively. Labels that mean
 * something else in one tool (Semgrep's ERROR/WARNING/INFO, SARIF levels) are mapped by that
 * format's parser. Returns undefined for a label this table does not know.
 */
export function severityFromLabel(label: string | null | undefined): Severity | undefined {
  if (label === null || label === undefined) return 'info';
  switch (label.trim().toLowerCase()) {
    case 'critical':
      return 'critical';
    case 'high':
      return 'high';
    case 'medium':
    case 'moderate':
      return 'medium';
    case 'low':
      return 'low';
    case '':
    case 'info':
    case 'informational':
    case 'unknown':
    case 'negligible':
    case 'none':
      return 'info';
    default:
      return undefined;
  }
}

export function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 };
}
