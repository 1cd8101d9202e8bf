import { describe, expect, it } from 'vitest';
import { firstRequests } from './first-requests.js';

describe('first requests of a page', () => {
  it('are the ones the page itself makes, for the view in the URL', () => {
    expect(firstRequests('/catalog', '?kind=Component&page=2')).toEqual(['/api/insights/overview?kind=Component&sort=-critical&limit=50&offset=50']);
    expect(firstRequests('/', '')).toEqual(['/api/insights/overview?kind=Component,API,Resource,System&sort=-critical&limit=50']);
    expect(firstRequests('/catalog/component/default/payments', '')).toEqual([
      '/api/catalog/entities/by-name/component/default/payments',
      '/api/insights/entities/component/default/payments/summary',
    ]);
    // The open issue is the drawer's request, not the list's.
    expect(firstRequests('/catalog/component/default/payments/vulnerabilities', '?severity=critical&issue=41')).toEqual([
      '/api/catalog/entities/by-name/component/default/payments',
      '/api/insights/entities/component/default/payments/summary',
      '/api/insights/entities/component/default/payments/issues?severity=critical&sort=priority&limit=50',
    ]);
    expect(firstRequests('/catalog/component/default/payments/scorecards', '')).toEqual([
      '/api/catalog/entities/by-name/component/default/payments',
      '/api/insights/entities/component/default/payments/summary',
      '/api/insights/entities/component/default/payments/scorecards',
    ]);
    expect(firstRequests('/dashboard', '')).toEqual([]);
    expect(firstRequests('/nowhere', '')).toEqual([]);
  });
});
