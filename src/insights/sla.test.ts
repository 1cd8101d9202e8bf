import { describe, expect, it } from 'vitest';
import type { KevMatch } from './exploitation.js';
import { DEFAULT_SLA_POLICIES, DEFAULT_SLA_POLICY, pausedDaysOf, policyFor, slaFix, slaStatus, slaText } from './sla.js';

const NOT_LISTED: KevMatch = { state: 'not-listed', cve: null, dateAdded: null, dueDate: null, knownRansomware: null };
const LISTED: KevMatch = { state: 'listed', cve: 'CVE-2024-0001', dateAdded: '2024-03-05', dueDate: '2024-03-26', knownRansomware: false };

describe('SLA', () => {
  it('counts 7/30/90/180 days from first seen, none for info, on a fixed clock', () => {
    const at = (severity: 'critical' | 'high' | 'medium' | 'low' | 'info', now: string) => slaStatus({ severity, firstSeenAt: '2024-03-01T10:00:00.000Z', kev: NOT_LISTED }, DEFAULT_SLA_POLICY, now, false);
    expect(at('critical', '2024-03-02T00:00:00Z')).toEqual({ state: 'due-soon', dueDate: '2024-03-08', daysLeft: 6, cappedByKev: false, clockStartedAt: '2024-03-01T10:00:00.000Z', reopened: false, pausedDays: 0 });
    expect(at('high', '2024-03-02T00:00:00Z')).toEqual({ state: 'within', dueDate: '2024-03-31', daysLeft: 29, cappedByKev: false, clockStartedAt: '2024-03-01T10:00:00.000Z', reopened: false, pausedDays: 0 });
    expect(at('critical', '2024-03-11T23:00:00Z')).toEqual({ state: 'breached', dueDate: '2024-03-08', daysLeft: -3, cappedByKev: false, clockStartedAt: '2024-03-01T10:00:00.000Z', reopened: false, pausedDays: 0 });
    expect(slaText(at('critical', '2024-03-11T23:00:00Z'))).toBe('SLA breached by 3 days (due 2024-03-08)');
    expect(at('medium', '2024-03-01T00:00:00Z').dueDate).toBe('2024-05-30');
    expect(at('low', '2024-03-01T00:00:00Z').dueDate).toBe('2024-08-28');
    expect(at('info', '2024-12-01T00:00:00Z')).toEqual({ state: 'none', dueDate: null, daysLeft: null, cappedByKev: false, clockStartedAt: '2024-03-01T10:00:00.000Z', reopened: false, pausedDays: 0 });
  });

  it('pauses for an exempted issue, and caps by the KEV due date when the policy says so', () => {
    const issue = { severity: 'high' as const, firstSeenAt: '2024-03-01T00:00:00Z', kev: LISTED };
    expect(slaStatus(issue, DEFAULT_SLA_POLICY, '2024-05-01T00:00:00Z', true).state).toBe('paused');
    expect(slaStatus(issue, DEFAULT_SLA_POLICY, '2024-03-20T00:00:00Z', false)).toMatchObject({ dueDate: '2024-03-31', cappedByKev: false, clockStartedAt: '2024-03-01T00:00:00Z' });
    expect(slaStatus(issue, { ...DEFAULT_SLA_POLICY, kevDueDateCap: true }, '2024-03-20T00:00:00Z', false)).toMatchObject({ state: 'due-soon', dueDate: '2024-03-26', daysLeft: 6, cappedByKev: true });
  });

  it('takes a project over its org over the account', () => {
    const policies = { account: DEFAULT_SLA_POLICY, scopes: { acme: { critical: 3, kevDueDateCap: true }, 'acme.pay': { high: 14 } } };
    expect(policyFor(policies, 'acme.pay')).toEqual({ days: { critical: 3, high: 14, medium: 90, low: 180, info: null }, kevDueDateCap: true });
    expect(policyFor(policies, 'acme.edge').days.high).toBe(30);
    expect(policyFor(policies, 'account')).toBe(DEFAULT_SLA_POLICY);
    expect(policyFor(DEFAULT_SLA_POLICIES, 'other.proj')).toBe(DEFAULT_SLA_POLICY);
  });

  it('adds paused days to the due date and counts overlapping exemptions once', () => {
    const spans = [
      { start: '2024-03-05T00:00:00Z', end: '2024-03-10T00:00:00Z' },
      { start: '2024-03-08T00:00:00Z', end: '2024-03-12T00:00:00Z' },
      { start: '2024-03-20T00:00:00Z', end: null },
    ];
    expect(pausedDaysOf(spans, '2024-03-01T00:00:00Z', '2024-03-25T00:00:00Z')).toBe(12);
    expect(pausedDaysOf(spans, '2024-03-11T00:00:00Z', '2024-03-15T00:00:00Z')).toBe(1);
    expect(pausedDaysOf([], '2024-03-01T00:00:00Z', '2024-03-25T00:00:00Z')).toBe(0);
    const clock = { clockFrom: '2024-03-01T00:00:00.000Z', reopened: true, pausedDays: 5 };
    expect(slaStatus({ severity: 'critical', firstSeenAt: '2024-01-01T00:00:00Z', kev: NOT_LISTED }, DEFAULT_SLA_POLICY, '2024-03-10T00:00:00Z', false, clock)).toMatchObject({ dueDate: '2024-03-13', daysLeft: 3, reopened: true, pausedDays: 5 });
  });

  it('judges a fix against the due date of its severity, none without an SLA', () => {
    const fix = (severity: 'critical' | 'info', fixedAt: string) => slaFix({ severity, kev: NOT_LISTED }, { clockFrom: '2024-03-01T12:00:00.000Z', fixedAt, pausedDays: 0 }, DEFAULT_SLA_POLICY);
    expect(fix('critical', '2024-03-08T23:00:00.000Z')).toMatchObject({ dueDate: '2024-03-08', fixedWithinSla: true, daysToFix: 7.5 });
    expect(fix('critical', '2024-03-09T00:00:00.000Z')).toMatchObject({ fixedWithinSla: false });
    expect(fix('info', '2024-09-01T00:00:00.000Z')).toMatchObject({ dueDate: null, fixedWithinSla: null });
  });
});
