import type { Finding, Occurrence } from '../domain/finding.js';
import { emptyCounts, severityRank, type SeverityCounts } from '../domain/severity.js';

/**
 * One issue as one report sees it: the findings that share a fingerprint. Descriptive fields come
 * from the first finding, filled in from later ones where it has none; severity, label and score
 * come from the worst occurrence (an issue's severity is the highest any occurrence reports).
 */
export interface IssueDraft {
  finding: Finding;
  occurrences: Occurrence[];
}

const FILLABLE = [
  'description', 'remediation', 'vulnerabilityId', 'ruleId', 'package', 'installedVersion', 'fixedVersion', 'ecosystem', 'license',
] as const;

export function groupFindings(findings: Iterable<Finding>): IssueDraft[] {
  const byFingerprint = new Map<string, IssueDraft>();
  for (const finding of findings) {
    const draft = byFingerprint.get(finding.fingerprint);
    if (!draft) {
      byFingerprint.set(finding.fingerprint, { finding: { ...finding }, occurrences: [finding.occurrence] });
      continue;
    }
    draft.occurrences.push(finding.occurrence);
    const merged = draft.finding;
    if (severityRank(finding.severity) > severityRank(merged.severity)) {
      merged.severity = finding.severity;
      merged.scannerSeverity = finding.scannerSeverity;
      merged.score = finding.score;
    }
    for (const key of FILLABLE) if (merged[key] === undefined && finding[key] !== undefined) merged[key] = finding[key];
    merged.aliases = union(merged.aliases, finding.aliases);
    merged.cwes = union(merged.cwes, finding.cwes);
    merged.references = union(merged.references, finding.references);
    merged.tags = union(merged.tags, finding.tags);
    merged.notes = union(merged.notes, finding.notes);
  }
  return [...byFingerprint.values()];
}

function union(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (!b || b.length === 0) return a;
  if (!a || a.length === 0) return b;
  return [...new Set([...a, ...b])];
}

/** Issues per severity (each issue counted once, at its worst severity). */
export function countIssues(drafts: readonly IssueDraft[]): SeverityCounts {
  const counts = emptyCounts();
  for (const { finding } of drafts) {
    counts[finding.severity]++;
    counts.total++;
  }
  return counts;
}
