import { describe, expect, it } from 'vitest';
import { complianceText, mttrText } from './sla-text.js';

const tally = (slaCompliance: number | null, mttrDays: number | null) => ({ fixed: 0, fixedWithinSla: 0, fixedLate: 0, slaCompliance, mttrDays });

describe('SLA compliance text', () => {
  it('says "—" for no fixes, never 0 % or 100 %', () => {
    expect(complianceText(tally(null, null))).toBe('—');
    expect(mttrText(tally(null, null))).toBe('—');
    expect(complianceText(tally(0, 3))).toBe('0 %');
    expect(complianceText(tally(100, 3))).toBe('100 %');
    expect(complianceText(tally(66.7, 3))).toBe('66.7 %');
    expect(mttrText(tally(50, 16.8))).toBe('16.8 d');
    expect(mttrText(tally(50, 4))).toBe('4.0 d');
  });
});
