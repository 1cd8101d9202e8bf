import { describe, expect, it } from 'vitest';
import { entityHref, humanizeEntityRef, matchRoute, parseEntityRef, scorecardHref } from './routes.js';

describe('routes', () => {
  it('reads every page from its path', () => {
    expect(matchRoute('/')).toEqual({ page: 'catalog' });
    expect(matchRoute('/catalog')).toEqual({ page: 'catalog' });
    expect(matchRoute('/catalog/')).toEqual({ page: 'catalog' });
    expect(matchRoute('/catalog/component/default/payments')).toEqual({ page: 'entity', entity: { kind: 'component', namespace: 'default', name: 'payments' }, tab: 'overview' });
    expect(matchRoute('/catalog/component/default/payments/vulnerabilities')).toEqual({ page: 'entity', entity: { kind: 'component', namespace: 'default', name: 'payments' }, tab: 'vulnerabilities' });
    expect(matchRoute('/catalog/component/default/payments/scorecards')).toEqual({ page: 'entity', entity: { kind: 'component', namespace: 'default', name: 'payments' }, tab: 'scorecards' });
    expect(matchRoute('/dashboard')).toEqual({ page: 'dashboard' });
    expect(matchRoute('/scorecards')).toEqual({ page: 'scorecards' });
    expect(matchRoute('/scorecards/security-baseline')).toEqual({ page: 'scorecard', scorecardId: 'security-baseline' });
    expect(matchRoute('/targets')).toEqual({ page: 'targets' });
    expect(matchRoute('/targets/12')).toEqual({ page: 'target', targetId: 12 });
    expect(matchRoute('/audit')).toEqual({ page: 'audit' });
    expect(matchRoute('/exemptions')).toEqual({ page: 'exemptions' });
  });

  it('decodes names and answers not-found for anything else', () => {
    expect(matchRoute('/catalog/api/team%20a/pay.v2')).toEqual({ page: 'entity', entity: { kind: 'api', namespace: 'team a', name: 'pay.v2' }, tab: 'overview' });
    for (const path of ['/catalog/component/default', '/catalog/component/default/x/settings', '/catalog/a/b/c/vulnerabilities/more', '/targets/0', '/targets/x', '/targets/1/2', '/dashboard/x', '/audit/1', '/exemptions/1', '/scorecards/a/b', '/catalog/a/b/c/overview', '/nowhere', '/catalog/%E0%A4%A/b/c']) {
      expect(matchRoute(path), path).toEqual({ page: 'not-found' });
    }
  });

  it('writes entity paths that read back the same', () => {
    const entity = { kind: 'component', namespace: 'default', name: 'pay/ments v2' };
    expect(entityHref(entity)).toBe('/catalog/component/default/pay%2Fments%20v2');
    expect(entityHref(entity, 'vulnerabilities', '?severity=critical')).toBe('/catalog/component/default/pay%2Fments%20v2/vulnerabilities?severity=critical');
    expect(matchRoute(entityHref(entity, 'vulnerabilities'))).toEqual({ page: 'entity', entity, tab: 'vulnerabilities' });
    expect(matchRoute(entityHref(entity, 'scorecards'))).toEqual({ page: 'entity', entity, tab: 'scorecards' });
    expect(scorecardHref('team.web_1', '?owner=team-a')).toBe('/scorecards/team.web_1?owner=team-a');
    expect(matchRoute(scorecardHref('a b/c'))).toEqual({ page: 'scorecard', scorecardId: 'a b/c' });
  });

  it('reads entity refs in their three forms', () => {
    expect(parseEntityRef('group:default/team-a')).toEqual({ kind: 'group', namespace: 'default', name: 'team-a' });
    expect(parseEntityRef('Group:ops/team-b')).toEqual({ kind: 'group', namespace: 'ops', name: 'team-b' });
    expect(parseEntityRef('team-a', { kind: 'group' })).toEqual({ kind: 'group', namespace: 'default', name: 'team-a' });
    expect(parseEntityRef('ops/team-a', { kind: 'Group' })).toEqual({ kind: 'group', namespace: 'ops', name: 'team-a' });
    expect(parseEntityRef('team-a')).toBeUndefined();
    expect(parseEntityRef('a:b:c')).toBeUndefined();
  });

  it('shows refs as Backstage does', () => {
    expect(humanizeEntityRef('group:default/team-a', 'group')).toBe('team-a');
    expect(humanizeEntityRef('group:ops/team-a', 'group')).toBe('ops/team-a');
    expect(humanizeEntityRef('user:default/jane', 'group')).toBe('user:jane');
    expect(humanizeEntityRef('not a ref')).toBe('not a ref');
  });
});
