import { describe, expect, it } from 'vitest';
import { isIssueFiltered, issueSearch, issuesPath, parseIssueQuery, withIssueChange } from './issue-query.js';

const payments = { kind: 'component', namespace: 'default', name: 'payments' };

describe('Vulnerabilities tab view in the URL', () => {
  it('is every active issue, in priority order, when the URL says nothing', () => {
    const query = parseIssueQuery('');
    expect(query).toEqual({ severity: [], scanner: [], kind: [], target: null, newOnly: false, exempted: false, kev: null, epssMin: null, sla: null, q: '', sort: 'priority', cursor: null, issue: null });
    expect(issueSearch(query)).toBe('');
    expect(isIssueFiltered(query)).toBe(false);
  });

  it('keeps filters, order, page and the open issue, and reads them back', () => {
    const query = parseIssueQuery('?severity=high,critical,bogus&scanner=trivy&kind=vulnerability&target=3&new=true&q=lodash&sort=firstSeen&cursor=abc&issue=41');
    expect(query).toEqual({ severity: ['high', 'critical'], scanner: ['trivy'], kind: ['vulnerability'], target: 3, newOnly: true, exempted: false, kev: null, epssMin: null, sla: null, q: 'lodash', sort: 'firstSeen', cursor: 'abc', issue: 41 });
    // Severities are written in their own order.
    expect(issueSearch(query)).toBe('?severity=critical,high&scanner=trivy&kind=vulnerability&target=3&new=true&q=lodash&sort=firstSeen&cursor=abc&issue=41');
    expect(parseIssueQuery(issueSearch(query))).toEqual({ ...query, severity: ['critical', 'high'] });
    expect(isIssueFiltered(query)).toBe(true);
  });

  it('drops values it cannot use', () => {
    expect(parseIssueQuery('?target=x&issue=-1&sort=score&new=yes')).toMatchObject({ target: null, issue: null, sort: 'priority', newOnly: false });
    expect(parseIssueQuery('?kev=yes&epss=1.5&sla=late')).toMatchObject({ kev: null, epssMin: null, sla: null });
    expect(parseIssueQuery('?epss=-0.1').epssMin).toBeNull();
    expect(parseIssueQuery('?epss=abc').epssMin).toBeNull();
  });

  it('keeps the known-exploited, EPSS and SLA filters, and a column order over the default', () => {
    const query = parseIssueQuery('?kev=listed&epss=0.5&sla=breached&sort=-severity');
    expect(query).toMatchObject({ kev: 'listed', epssMin: 0.5, sla: 'breached', sort: '-severity' });
    expect(isIssueFiltered(query)).toBe(true);
    expect(issueSearch(query)).toBe('?kev=listed&epss=0.5&sla=breached&sort=-severity');
    expect(parseIssueQuery(issueSearch(query))).toEqual(query);
    expect(parseIssueQuery('?kev=never-enriched&epss=1&sla=due-soon')).toMatchObject({ kev: 'never-enriched', epssMin: 1, sla: 'due-soon' });
    // The default order is left out of the URL.
    expect(issueSearch(parseIssueQuery('?sort=priority'))).toBe('');
    expect(isIssueFiltered(parseIssueQuery('?sort=-severity'))).toBe(false);
  });

  it('goes back to the first page, drawer closed, when a filter changes', () => {
    const query = parseIssueQuery('?cursor=abc&issue=41');
    expect(withIssueChange(query, { severity: ['critical'] })).toMatchObject({ cursor: null, issue: null, severity: ['critical'] });
  });

  it('asks the insights API for the page, "new only" as status=new', () => {
    expect(issuesPath(payments, parseIssueQuery(''))).toBe('/api/insights/entities/component/default/payments/issues?sort=priority&limit=50');
    expect(issuesPath(payments, parseIssueQuery('?severity=critical&scanner=trivy,grype&target=3&new=true&q=lodash&cursor=abc&issue=41'))).toBe(
      '/api/insights/entities/component/default/payments/issues?severity=critical&scanner=trivy,grype&target=3&status=new&q=lodash&sort=priority&limit=50&cursor=abc',
    );
    expect(issuesPath(payments, parseIssueQuery('?kev=listed&epss=0.1&sla=breached&sort=-severity'))).toBe('/api/insights/entities/component/default/payments/issues?kev=listed&epssMin=0.1&sla=breached&sort=-severity&limit=50');
    expect(issuesPath({ kind: 'component', namespace: 'ops', name: 'pay/x' }, parseIssueQuery(''), 10)).toBe('/api/insights/entities/component/ops/pay%2Fx/issues?sort=priority&limit=10');
    expect(issuesPath(payments, parseIssueQuery('?status=exempted&severity=high'))).toBe('/api/insights/entities/component/default/payments/issues?severity=high&status=exempted&sort=priority&limit=50');
    expect(issueSearch(parseIssueQuery('?status=exempted&issue=4'))).toBe('?status=exempted&issue=4');
    expect(parseIssueQuery('?status=bogus').exempted).toBe(false);
  });
});
