import { describe, expect, it } from 'vitest';
import type { Finding } from '../domain/finding.js';
import { countIssues, groupFindings } from './group.js';

const finding = (over: Partial<Finding>): Finding => ({
  kind: 'vulnerability', fingerprint: 'f1', severity: 'medium', title: 'T', occurrence: {}, ...over,
});

describe('groupFindings', () => {
  it('makes one issue per fingerprint with every occurrence, at the worst severity', () => {
    const drafts = groupFindings([
      finding({ occurrence: { dependencyPath: ['app', 'a', 'lodash'] }, scannerSeverity: 'medium', references: ['u1'] }),
      finding({ severity: 'high', scannerSeverity: 'high', score: 7.5, occurrence: { dependencyPath: ['app', 'b', 'lodash'] }, references: ['u1', 'u2'], fixedVersion: '4.17.21' }),
      finding({ fingerprint: 'f2', severity: 'low' }),
    ]);
    expect(drafts).toHaveLength(2);
    const [first, second] = drafts;
    expect(first?.occurrences).toHaveLength(2);
    expect(first?.finding).toMatchObject({ severity: 'high', scannerSeverity: 'high', score: 7.5, fixedVersion: '4.17.21', references: ['u1', 'u2'] });
    expect(second?.finding.severity).toBe('low');
  });

  it('keeps the first finding fields when a later one is less severe', () => {
    const [draft] = groupFindings([finding({ severity: 'critical', scannerSeverity: 'CRITICAL' }), finding({ severity: 'low', scannerSeverity: 'LOW' })]);
    expect(draft?.finding).toMatchObject({ severity: 'critical', scannerSeverity: 'CRITICAL' });
  });

  it('counts issues, not occurrences', () => {
    const counts = countIssues(groupFindings([finding({}), finding({}), finding({ fingerprint: 'f2', severity: 'info' })]));
    expect(counts).toEqual({ critical: 0, high: 0, medium: 1, low: 0, info: 1, total: 2 });
  });
});
