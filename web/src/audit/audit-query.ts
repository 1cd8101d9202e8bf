import { queryString } from '../api/client.js';
import { writeSearch } from '../routing/search-params.js';

/** The Audit page's view, as its URL keeps it: `?principal=token:3&action=scan.ingest&since=2025-05-01`. */
export interface AuditQuery {
  principal: string;
  action: string;
  objectType: string;
  /** Days (YYYY-MM-DD) in the browser's time zone, both included; '' for no bound. */
  since: string;
  until: string;
}

export const AUDIT_PAGE_SIZE = 50;

/** What the server records (src/lantern.ts); a value in the URL outside these lists is still offered. */
export const AUDIT_ACTIONS = [
  'scan.ingest',
  'target.baseline',
  'exemption.request',
  'exemption.approve',
  'exemption.reject',
  'exemption.cancel',
  'exemption.reopen',
  'exemption.revoke',
  'scorecard.create',
  'scorecard.update',
  'scorecard.delete',
  'catalog.register',
  'catalog.refresh',
  'catalog.unregister',
  'token.create',
  'token.revoke',
  'session.sign-in',
] as const;
export const AUDIT_OBJECT_TYPES = ['scan', 'target', 'exemption', 'scorecard', 'location', 'token', 'session'] as const;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function readDay(text: string | null): string {
  if (text === null) return '';
  const match = DAY.exec(text);
  if (!match) return '';
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, day);
  // 2025-02-30 is no day: Date would roll it over into March.
  return date.getFullYear() === year && date.getMonth() === month - 1 && date.getDate() === day ? text : '';
}

export function parseAuditQuery(search: string): AuditQuery {
  const params = new URLSearchParams(search);
  const text = (key: string) => (params.get(key) ?? '').trim();
  return { principal: text('principal'), action: text('action'), objectType: text('objectType'), since: readDay(params.get('since')), until: readDay(params.get('until')) };
}

export function auditSearch(query: AuditQuery): string {
  return writeSearch([
    ['principal', query.principal],
    ['action', query.action],
    ['objectType', query.objectType],
    ['since', query.since],
    ['until', query.until],
  ]);
}

/** The start of a day in the browser's time zone, as the instant the API compares with. */
function startOfDay(day: string, plusDays = 0): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(year, month - 1, date + plusDays).toISOString();
}

/** GET /api/audit for the view, from `cursor` (the previous page's nextCursor) on. `until` is exclusive there, so the day after. */
export function auditPath(query: AuditQuery, cursor: string | null = null): string {
  return `/api/audit${queryString({
    principal: query.principal,
    action: query.action,
    objectType: query.objectType,
    since: query.since ? startOfDay(query.since) : undefined,
    until: query.until ? startOfDay(query.until, 1) : undefined,
    limit: AUDIT_PAGE_SIZE,
    cursor,
  })}`;
}

/** An entry's details as `key: value` lines of text: strings as they are, anything else as JSON. */
export function detailLines(details: Record<string, unknown>): Array<[string, string]> {
  return Object.entries(details).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value) ?? String(value)]);
}
