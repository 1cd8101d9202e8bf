import { describe, expect, it } from 'vitest';
import { catalogSearch, DEFAULT_KINDS, isFiltered, overviewPath, parseCatalogQuery, withCatalogChange } from './catalog-query.js';

describe('catalog view in the URL', () => {
  it('is the plain catalog when the URL says nothing', () => {
    const query = parseCatalogQuery('');
    expect(query).toEqual({ kind: DEFAULT_KINDS, type: [], owner: [], lifecycle: [], tag: [], hasData: null, q: '', sort: '-critical', page: 1, pageSize: 50, scorecard: '' });
    expect(catalogSearch(query)).toBe('');
    expect(isFiltered(query)).toBe(false);
  });

  it('shows the kinds that can have security data unless asked for all kinds or others', () => {
    expect(DEFAULT_KINDS).toEqual(['Component', 'API', 'Resource', 'System']);
    const all = parseCatalogQuery('?kind=all');
    expect(all.kind).toEqual([]);
    expect(catalogSearch(all)).toBe('?kind=all');
    expect(isFiltered(all)).toBe(true);
    expect(overviewPath(all)).toBe('/api/insights/overview?sort=-critical&limit=50');
    expect(catalogSearch(withCatalogChange(all, { kind: ['system', 'component', 'resource', 'api'] }))).toBe('');
  });

  it('reads back every filter it writes', () => {
    const search = '?kind=component,api&type=service&owner=group:default/team-a&lifecycle=production&tag=pci,java&hasData=true&q=pay&sort=name&page=3&size=100&scorecard=pci';
    const query = parseCatalogQuery(search);
    expect(query).toEqual({
      kind: ['component', 'api'],
      type: ['service'],
      owner: ['group:default/team-a'],
      lifecycle: ['production'],
      tag: ['pci', 'java'],
      hasData: true,
      q: 'pay',
      sort: 'name',
      page: 3,
      pageSize: 100,
      scorecard: 'pci',
    });
    expect(catalogSearch(query)).toBe('?kind=component,api&type=service&owner=group%3Adefault%2Fteam-a&lifecycle=production&tag=pci,java&hasData=true&q=pay&sort=name&page=3&size=100&scorecard=pci');
    expect(parseCatalogQuery(catalogSearch(query))).toEqual(query);
    expect(isFiltered(query)).toBe(true);
  });

  it('falls back to defaults on values it does not know', () => {
    const query = parseCatalogQuery('?hasData=maybe&sort=-colour&page=0&size=7');
    expect(query.hasData).toBeNull();
    expect(query.sort).toBe('-critical');
    expect(query.page).toBe(1);
    expect(query.pageSize).toBe(50);
    expect(parseCatalogQuery('?hasData=false').hasData).toBe(false);
  });

  it('sorts by the Security baseline score, worst or best first, or by another scorecard’s', () => {
    expect(parseCatalogQuery('?sort=score').sort).toBe('score');
    expect(overviewPath(parseCatalogQuery('?kind=all&sort=-score'))).toBe('/api/insights/overview?sort=-score&limit=50');
    expect(overviewPath(parseCatalogQuery('?kind=all&sort=score&scorecard=production-readiness'))).toBe('/api/insights/overview?sort=score&limit=50&scorecard=production-readiness');
    // Another scorecard is not a filter: clearing the filters keeps it.
    expect(isFiltered(parseCatalogQuery('?scorecard=pci'))).toBe(false);
  });

  it('starts a changed view on its first page', () => {
    const query = parseCatalogQuery('?page=4&kind=component');
    expect(withCatalogChange(query, { tag: ['pci'] })).toMatchObject({ page: 1, kind: ['component'], tag: ['pci'] });
  });

  it('asks the overview API for the page shown', () => {
    expect(overviewPath(parseCatalogQuery(''))).toBe('/api/insights/overview?kind=Component,API,Resource,System&sort=-critical&limit=50');
    expect(overviewPath(parseCatalogQuery('?kind=component&hasData=false&q=pay&sort=-high&page=3&size=25'))).toBe('/api/insights/overview?kind=component&hasData=false&q=pay&sort=-high&limit=25&offset=50');
  });
});
