import { describe, expect, it } from 'vitest';
import { isIssueFiltered, issueSearch, issuesPath, parseIssueQuery, withIssueChange } from './issue-query.js';

const payments = { kind: 'component', namespace: 'default', name: 'payments' };

describe('Vulnerabilities tab view in the URL', () => {
  it('is every active issue, worst first, when the URL says nothing', () => {
    const query = parseIssueQuery('');
    expect(query).toEqual({ severity: [], scanner: [], kind: [], target: null, newOnly: false, exempted: false, q: '', sort: '-severity', cursor: null, issue: null });
    expect(issueSearch(query)).toBe('');
    expect(isIssueFiltered(query)).toBe(false);
  });

  it('keeps filters, order, page and the open issue, and reads them back', () => {
    const query = parseIssueQuery('?severity=high,critical,bogus&scanner=trivy&kind=vulnerability&target=3&new=true&q=lodash&sort=firstSeen&cursor=abc&issue=41');
    expect(query).toEqual({ severity: ['high', 'critical'], scanner: ['trivy'], kind: ['vulnerability'], target: 3, newOnly: true, exempted: false, q: 'lodash', sort: 'firstSeen', cursor: 'abc', issue: 41 });
    // Severities are written in their own order.
    expect(issueSearch(query)).toBe('?severity=critical,high&scanner=trivy&kind=vulnerability&target=3&new=true&q=lodash&sort=firstSeen&cursor=abc&issue=41');
    expect(parseIssueQuery(issueSearch(query))).toEqual({ ...query, severity: ['critical', 'high'] });
    expect(isIssueFiltered(query)).toBe(true);
  });

  it('drops values it cannot use', () => {
    expect(parseIssueQuery('?target=x&issue=-1&sort=score&new=yes')).toMatchObject({ target: null, issue: null, sort: '-severity', newOnly: false });
  });

  it('goes back to the first page, drawer closed, when a filter changes', () => {
    const query = parseIssueQuery('?cursor=abc&issue=41');
    expect(withIssueChange(query, { severity: ['critical'] })).toMatchObject({ cursor: null, issue: null, severity: ['critical'] });
  });

  it('asks the insights API for the page, "new only" as status=new', () => {
    expect(issuesPath(payments, parseIssueQuery(''))).toBe('/api/insights/entities/component/default/payments/issues?sort=-severity&limit=50');
    expect(issuesPath(payments, parseIssueQuery('?severity=critical&scanner=trivy,grype&target=3&new=true&q=lodash&cursor=abc&issue=41'))).toBe(
      '/api/insights/entities/component/default/payments/issues?severity=critical&scanner=trivy,grype&target=3&status=new&q=lodash&sort=-severity&limit=50&cursor=abc',
    );
    expect(issuesPath(payments, parseIssueQuery('?status=exempted&severity=high'))).toBe('/api/insights/entities/component/default/payments/issues?severity=high&status=exempted&sort=-severity&limit=50');
    expect(issueSearch(parseIssueQuery('?status=exempted&issue=4'))).toBe('?status=exempted&issue=4');
    expect(parseIssueQuery('?status=bogus').exempted).toBe(false);
    expect(issuesPath({ kind: 'component', namespace: 'ops', name: 'pay/x' }, parseIssueQuery(''), 10)).toBe('/api/insights/entities/component/ops/pay%2Fx/issues?sort=-severity&limit=10');
  });
});
