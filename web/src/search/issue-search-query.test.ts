import { describe, expect, it } from 'vitest';
import { issueSearchHref, issueSearchPath, parseIssueSearchQuery } from './issue-search-query.js';

describe('"Where is…" in the URL', () => {
  it('reads back what it writes, and asks the API only for text long enough', () => {
    const query = parseIssueSearchQuery('?q=%20log4j%20&severity=critical,urgent,high');
    expect(query).toEqual({ q: 'log4j', severity: ['critical', 'high'] });
    expect(issueSearchHref(query)).toBe('/issues?q=log4j&severity=critical,high');
    expect(issueSearchPath(query)).toBe('/api/insights/issues?q=log4j&severity=critical,high');
    expect(issueSearchPath(parseIssueSearchQuery('?q=ab'))).toBeNull();
  });
});
