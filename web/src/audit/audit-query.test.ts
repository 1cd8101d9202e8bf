import { describe, expect, it } from 'vitest';
import { auditPath, auditSearch, detailLines, parseAuditQuery } from './audit-query.js';

describe('the Audit page’s view', () => {
  it('reads filters from the URL and writes them back the same', () => {
    const query = parseAuditQuery('?principal=token:3&action=scan.ingest&objectType=scan&since=2025-05-01&until=2025-05-31');
    expect(query).toEqual({ principal: 'token:3', action: 'scan.ingest', objectType: 'scan', since: '2025-05-01', until: '2025-05-31' });
    expect(auditSearch(query)).toBe('?principal=token%3A3&action=scan.ingest&objectType=scan&since=2025-05-01&until=2025-05-31');
    expect(parseAuditQuery(auditSearch(query))).toEqual(query);
    expect(auditSearch(parseAuditQuery(''))).toBe('');
  });

  it('drops dates that are no day', () => {
    for (const bad of ['2025-02-30', '2025-13-01', '1 May 2025', '2025-5-1', '']) expect(parseAuditQuery(`?since=${bad}`).since, bad).toBe('');
    expect(parseAuditQuery('?until=2024-02-29').until).toBe('2024-02-29');
  });

  it('asks the API for whole days in the browser’s time zone, the last day included', () => {
    const query = { principal: 'user:jane', action: '', objectType: '', since: '2025-05-01', until: '2025-05-31' };
    const params = new URL(auditPath(query, '120'), 'http://x').searchParams;
    expect(params.get('principal')).toBe('user:jane');
    expect(params.has('action')).toBe(false);
    expect(params.get('since')).toBe(new Date(2025, 4, 1).toISOString());
    expect(params.get('until')).toBe(new Date(2025, 5, 1).toISOString());
    expect(params.get('limit')).toBe('50');
    expect(params.get('cursor')).toBe('120');
    expect(auditPath(parseAuditQuery(''))).toBe('/api/audit?limit=50');
  });

  it('writes details as text lines', () => {
    expect(detailLines({ target: 'acme/web', targetId: 4, baseline: true, expiresAt: null, tags: ['a', 'b'], html: '<b>x</b>' })).toEqual([
      ['target', 'acme/web'],
      ['targetId', '4'],
      ['baseline', 'true'],
      ['expiresAt', 'null'],
      ['tags', '["a","b"]'],
      ['html', '<b>x</b>'],
    ]);
  });
});
