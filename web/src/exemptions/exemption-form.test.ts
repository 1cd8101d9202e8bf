import { describe, expect, it } from 'vitest';
import type { IssueRow } from '../api/types.js';
import {
  approvalBody,
  approvalProblems,
  coverages,
  durationsFor,
  EMPTY_APPROVAL,
  EMPTY_FORM,
  effectText,
  type ExemptionFormFields,
  exemptionFormProblems,
  expiresWithin,
  firstEndDay,
  levelsFor,
  rejectionProblem,
  revocationProblem,
  requestBody,
  startOfDay,
} from './exemption-form.js';
import { expiringSoon } from './ExpiringExemptions.js';

const NOW = new Date(2026, 4, 10, 12, 0, 0);
const valid: ExemptionFormFields = { ...EMPTY_FORM, reason: 'accepted_risk', justification: 'Not reachable: behind the WAF.' };

describe('exemption request form', () => {
  it('accepts a complete request and names each missing or wrong field', () => {
    expect(exemptionFormProblems(valid, NOW)).toEqual({});
    expect(exemptionFormProblems(EMPTY_FORM, NOW)).toEqual({ reason: 'Choose a reason.', justification: 'Say why: the justification is required.' });
    expect(exemptionFormProblems({ ...valid, justification: '   \n ' }, NOW).justification).toBe('Say why: the justification is required.');
    expect(exemptionFormProblems({ ...valid, justification: 'x'.repeat(4001) }, NOW).justification).toBe('Keep the justification to 4000 characters (it has 4001).');
    expect(exemptionFormProblems({ ...valid, justification: 'x'.repeat(4000) }, NOW)).toEqual({});
  });

  it('takes only an http or https link', () => {
    expect(exemptionFormProblems({ ...valid, link: 'https://tickets.example.com/SEC-12' }, NOW)).toEqual({});
    expect(exemptionFormProblems({ ...valid, link: '  ' }, NOW)).toEqual({});
    for (const link of ['javascript:alert(1)', 'tickets/SEC-12', 'ftp://files.example.com/a', `https://example.com/${'a'.repeat(2000)}`]) {
      expect(exemptionFormProblems({ ...valid, link }, NOW).link, link).toBe('The link must be an http or https URL of at most 2000 characters.');
    }
  });

  it('allows no expiry only for a false positive', () => {
    expect(durationsFor('false_positive')).toContain('none');
    expect(durationsFor('accepted_risk')).not.toContain('none');
    expect(durationsFor('')).not.toContain('none');
    expect(exemptionFormProblems({ ...valid, reason: 'false_positive', duration: 'none' }, NOW)).toEqual({});
    expect(exemptionFormProblems({ ...valid, duration: 'none' }, NOW).duration).toBe('Only a false positive may have no expiry: choose 7, 30 or 90 days, or a date.');
  });

  it('needs a custom end that is a real day in the future', () => {
    expect(exemptionFormProblems({ ...valid, duration: 'custom', until: '' }, NOW).until).toBe('Choose the day the exemption ends.');
    expect(exemptionFormProblems({ ...valid, duration: 'custom', until: '2026-02-30' }, NOW).until).toBe('Choose the day the exemption ends.');
    expect(exemptionFormProblems({ ...valid, duration: 'custom', until: '2026-05-10' }, NOW).until).toBe('The end must be a day in the future.');
    expect(exemptionFormProblems({ ...valid, duration: 'custom', until: '2026-05-11' }, NOW)).toEqual({});
    expect(startOfDay('2026-05-11')?.getTime()).toBe(new Date(2026, 4, 11).getTime());
    expect(firstEndDay(NOW)).toBe('2026-05-11');
    expect(firstEndDay(new Date(2026, 11, 31, 23, 0))).toBe('2027-01-01');
  });

  it('sends the justification trimmed, the link only when given, and a duration or a custom end', () => {
    expect(requestBody({ issueId: 4, level: 'target' }, { ...valid, justification: '  Why.  ' })).toEqual({ issueId: 4, level: 'target', reason: 'accepted_risk', comment: 'Why.', duration: '30d' });
    expect(requestBody({ issueId: 4, level: 'project' }, { ...valid, link: ' https://t.example.com/1 ', duration: 'custom', until: '2026-06-01' })).toEqual({
      issueId: 4,
      level: 'project',
      reason: 'accepted_risk',
      comment: 'Not reachable: behind the WAF.',
      link: 'https://t.example.com/1',
      expiresAt: new Date(2026, 5, 1).toISOString(),
    });
  });
});

describe('what a request of several issues covers', () => {
  const issue = (id: number, targetId: number, targetScope: string, vulnerabilityId: string | null, ruleId: string | null = null) => ({ id, targetId, targetScope, vulnerabilityId, ruleId });
  const issues = [issue(1, 10, 'acme.pay', 'CVE-2021-23337'), issue(2, 11, 'acme.pay', 'cve-2021-23337'), issue(3, 12, 'acme.web', 'CVE-2021-23337'), issue(4, 13, 'account', null, null)];

  it('offers the levels an issue can go to', () => {
    expect(levelsFor(issues[0] as (typeof issues)[number])).toEqual(['target', 'project', 'org', 'account']);
    expect(levelsFor(issue(5, 1, 'account', 'CVE-1'))).toEqual(['target', 'account']);
    expect(levelsFor(issues[3] as (typeof issues)[number])).toEqual(['target']);
  });

  it('asks once per id and place when wider than the issue, and for itself when an issue cannot go that wide', () => {
    expect(coverages(issues, 'target')).toEqual(issues.map((i) => ({ issueId: i.id, level: 'target' })));
    expect(coverages(issues, 'project')).toEqual([
      { issueId: 1, level: 'project' },
      { issueId: 3, level: 'project' },
      { issueId: 4, level: 'target' },
    ]);
    expect(coverages(issues, 'org')).toEqual([
      { issueId: 1, level: 'org' },
      { issueId: 4, level: 'target' },
    ]);
    expect(coverages(issues, 'account')).toEqual([
      { issueId: 1, level: 'account' },
      { issueId: 4, level: 'target' },
    ]);
  });

  it("says one request's effect in the server's words, and several as their sum", () => {
    expect(effectText([{ issues: 14, targets: 6, text: 'hides 14 issues in 6 targets of acme.pay' }])).toBe('hides 14 issues in 6 targets of acme.pay');
    expect(
      effectText([
        { issues: 1, targets: 1, text: 'hides 1 issue in 1 target of acme.pay' },
        { issues: 3, targets: 2, text: 'hides 3 issues in 2 targets of acme' },
      ]),
    ).toBe('2 requests: together they hide up to 4 issues');
  });
});

describe('decisions', () => {
  const fromIssue = { reason: 'accepted_risk' as const, level: 'target' as const, issueId: 4, sourceIssueId: null };
  const byKey = { reason: 'fix_unavailable' as const, level: 'project' as const, issueId: null, sourceIssueId: null };

  it('approves as requested unless the approver changes something', () => {
    expect(approvalBody(EMPTY_APPROVAL, fromIssue)).toEqual({});
    expect(approvalBody({ ...EMPTY_APPROVAL, comment: ' ok ' }, fromIssue)).toEqual({ comment: 'ok' });
    expect(approvalBody({ ...EMPTY_APPROVAL, level: 'org', duration: '90d' }, fromIssue)).toEqual({ level: 'org', duration: '90d' });
    expect(approvalBody({ ...EMPTY_APPROVAL, level: 'target' }, fromIssue)).toEqual({});
    expect(approvalBody({ ...EMPTY_APPROVAL, level: 'org', scope: ' acme ' }, byKey)).toEqual({ level: 'org', scope: 'acme' });
    expect(approvalBody({ ...EMPTY_APPROVAL, level: 'account' }, byKey)).toEqual({ level: 'account', scope: null });
  });

  it('checks the approval: no expiry only for a false positive, a scope for a key-based one', () => {
    expect(approvalProblems(EMPTY_APPROVAL, fromIssue, NOW)).toEqual([]);
    expect(approvalProblems({ ...EMPTY_APPROVAL, duration: 'none' }, fromIssue, NOW)).toEqual(['Only a false positive may have no expiry: choose 7, 30 or 90 days, or a date.']);
    expect(approvalProblems({ ...EMPTY_APPROVAL, duration: 'custom', until: '2026-05-01' }, fromIssue, NOW)).toEqual(['The end must be a day in the future.']);
    expect(approvalProblems({ ...EMPTY_APPROVAL, level: 'org' }, byKey, NOW)).toEqual(['Name the org it applies to.']);
    expect(approvalProblems({ ...EMPTY_APPROVAL, level: 'org' }, fromIssue, NOW)).toEqual([]);
  });

  it('needs a comment to reject', () => {
    expect(rejectionProblem('  ')).toBe('Say why the request is rejected: the requester reads it.');
    expect(rejectionProblem('Reachable from the internet.')).toBeNull();
    expect(rejectionProblem('x'.repeat(4001))).toBe('Keep the comment to 4000 characters.');
    expect(revocationProblem('')).toBe('Say why the exemption is revoked: the audit log keeps it.');
    expect(revocationProblem('The fix shipped.')).toBeNull();
  });
});

describe('exemptions that end soon', () => {
  const day = 24 * 60 * 60 * 1000;
  const at = (days: number) => new Date(NOW.getTime() + days * day).toISOString();

  it('counts an expiry within the days ahead, not one past or further', () => {
    expect(expiresWithin(at(6.9), 7, NOW)).toBe(true);
    expect(expiresWithin(at(7.1), 7, NOW)).toBe(false);
    expect(expiresWithin(at(-1), 7, NOW)).toBe(false);
    expect(expiresWithin(null, 7, NOW)).toBe(false);
  });

  it('lists each exemption once, soonest first, with the issues it covers', () => {
    const row = (id: number, exemption: IssueRow['exemption']) => ({ id, exemption }) as IssueRow;
    const items = [
      row(1, { id: 7, reason: 'accepted_risk', level: 'project', expiresAt: at(5) }),
      row(2, { id: 7, reason: 'accepted_risk', level: 'project', expiresAt: at(5) }),
      row(3, { id: 8, reason: 'other', level: 'target', expiresAt: at(2) }),
      row(4, { id: 9, reason: 'other', level: 'target', expiresAt: at(30) }),
      row(5, { id: 10, reason: 'false_positive', level: 'target', expiresAt: null }),
      row(6, null),
    ];
    expect(expiringSoon(items, 7, NOW)).toEqual([
      { id: 8, expiresAt: at(2), issues: 1 },
      { id: 7, expiresAt: at(5), issues: 2 },
    ]);
  });
});
