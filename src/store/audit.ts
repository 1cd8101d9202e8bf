import type { Kysely, Selectable } from 'kysely';
import type { ScopeFilter } from '../access/roles.js';
import type { AuditLogTable, Database } from './schema.js';
import { scopeAllowed } from './scope-filter.js';

type Db = Kysely<Database>;
export type AuditRow = Selectable<AuditLogTable>;

export interface AuditEntry {
  principal: string;
  principalName: string;
  action: string;
  objectType: string;
  objectId: string | number | null;
  scope: string;
  clientAddress: string | null;
  details?: Record<string, unknown>;
  at: string;
}

/** Writes one entry; callers pass the transaction that makes the change, so both land or neither. */
export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: entry.at,
      principal: entry.principal,
      principal_name: entry.principalName,
      action: entry.action,
      object_type: entry.objectType,
      object_id: entry.objectId === null ? null : String(entry.objectId),
      scope: entry.scope,
      client_address: entry.clientAddress,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

export interface AuditQuery {
  principal?: string | undefined;
  action?: string | undefined;
  objectType?: string | undefined;
  objectId?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  /** Entries with an id below this (the previous page's last id). */
  before?: number | undefined;
  limit: number;
  scopes: ScopeFilter;
}

/** Newest first, keyset-paged by id. */
export function listAudit(db: Db, query: AuditQuery): Promise<AuditRow[]> {
  let q = db.selectFrom('audit_log').selectAll().where((eb) => scopeAllowed(eb, 'audit_log.scope', query.scopes));
  if (query.principal !== undefined) q = q.where('principal', '=', query.principal);
  if (query.action !== undefined) q = q.where('action', '=', query.action);
  if (query.objectType !== undefined) q = q.where('object_type', '=', query.objectType);
  if (query.objectId !== undefined) q = q.where('object_id', '=', query.objectId);
  if (query.since !== undefined) q = q.where('at', '>=', query.since);
  if (query.until !== undefined) q = q.where('at', '<', query.until);
  if (query.before !== undefined) q = q.where('id', '<', query.before);
  return q.orderBy('id', 'desc').limit(query.limit).execute();
}

/** One entry as the API and the CLI show it. */
export interface AuditView {
  id: number;
  at: string;
  principal: string;
  principalName: string;
  action: string;
  objectType: string;
  objectId: string | null;
  scope: string;
  clientAddress: string | null;
  details: Record<string, unknown>;
}

export function auditView(row: AuditRow): AuditView {
  return {
    id: row.id,
    at: row.at,
    principal: row.principal,
    principalName: row.principal_name,
    action: row.action,
    objectType: row.object_type,
    objectId: row.object_id,
    scope: row.scope,
    clientAddress: row.client_address,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}
