import { describe, expect, it } from 'vitest';
import { dataPointText, OPERATOR_TEXT, ruleText, strategyText, valueText } from './rule-text.js';

describe('a rule against its threshold', () => {
  it('says what was observed and what was expected', () => {
    expect(ruleText({ dataPoint: 'sto.critical', input: null, operator: '<', threshold: 1, observed: 3 })).toBe('sto.critical = 3, expected < 1');
    expect(ruleText({ dataPoint: 'sto.fixable', input: 'high', operator: '==', threshold: 0, observed: 2 })).toBe('sto.fixable(high) = 2, expected = 0');
    expect(ruleText({ dataPoint: 'sto.has_security_data', input: null, operator: '==', threshold: true, observed: false })).toBe('sto.has_security_data = false, expected = true');
    expect(ruleText({ dataPoint: 'catalog.lifecycle', input: null, operator: '!=', threshold: 'other', observed: 'production' })).toBe('catalog.lifecycle = “production”, expected ≠ “other”');
    expect(ruleText({ dataPoint: 'sto.total', input: null, operator: '>=', threshold: 1500, observed: 12000 })).toBe('sto.total = 12,000, expected ≥ 1,500');
  });

  it('reads a missing value as no data, never as 0 or false', () => {
    const text = ruleText({ dataPoint: 'sto.critical', input: null, operator: '==', threshold: 0, observed: null });
    expect(text).toBe('sto.critical: no data, expected = 0');
    expect(text).not.toContain('= 0,');
    expect(ruleText({ dataPoint: 'sto.days_since_last_scan', input: null, operator: '<', threshold: 7, observed: 0 })).toBe('sto.days_since_last_scan = 0, expected < 7');
  });

  it('writes every operator in prose and every value by its type', () => {
    expect(Object.values(OPERATOR_TEXT)).toEqual(['<', '≤', '=', '≠', '≥', '>']);
    expect(valueText(0)).toBe('0');
    expect(valueText(2.5)).toBe('2.5');
    expect(valueText(false)).toBe('false');
    expect(valueText('pci')).toBe('“pci”');
    expect(dataPointText('catalog.has_tag', 'pci')).toBe('catalog.has_tag(pci)');
    expect(dataPointText('sto.total', '')).toBe('sto.total');
  });

  it('says how several rules combine, and nothing for one', () => {
    expect(strategyText('allOf', 1)).toBeNull();
    expect(strategyText('anyOf', 1)).toBeNull();
    expect(strategyText('allOf', 2)).toBe('Passes when all 2 are met:');
    expect(strategyText('anyOf', 3)).toBe('Passes when any of the 3 is met:');
  });
});
