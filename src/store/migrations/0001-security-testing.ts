import type { Kysely } from 'kysely';
import { columnTypes } from './dialect.js';

/** The security testing store: scopes, targets, variants, scans, issues and where they occur. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const t = columnTypes(db);

  await t
    .id(db.schema.createTable('orgs'))
    .addColumn('identifier', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await t
    .id(db.schema.createTable('projects'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('identifier', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('projects_org_identifier', ['org_id', 'identifier'])
    .execute();

  await t
    .id(db.schema.createTable('targets'))
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('org_id', 'integer', (c) => c.references('orgs.id'))
    .addColumn('project_id', 'integer', (c) => c.references('projects.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('baseline_variant', 'text')
    .addColumn('baseline_regex', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('targets_scope_name', ['scope', 'name_key'])
    .execute();
  // Link matching looks targets up by name across scopes to explain a mismatch.
  await db.schema.createIndex('targets_name_key').on('targets').column('name_key').execute();

  await t
    .id(db.schema.createTable('variants'))
    .addColumn('target_id', 'integer', (c) => c.notNull().references('targets.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_scan_at', 'text')
    .addUniqueConstraint('variants_target_name', ['target_id', 'name'])
    .execute();

  await t
    .id(db.schema.createTable('scans'))
    .addColumn('target_id', 'integer', (c) => c.notNull().references('targets.id'))
    .addColumn('variant_id', 'integer', (c) => c.notNull().references('variants.id'))
    .addColumn('scanner', 'text', (c) => c.notNull())
    .addColumn('scanner_version', 'text')
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('scan_type', 'text', (c) => c.notNull())
    .addColumn('report_sha256', 'text', (c) => c.notNull())
    .addColumn('report_bytes', 'integer', (c) => c.notNull())
    .addColumn('artifact', 'text')
    .addColumn('commit_sha', 'text')
    .addColumn('branch', 'text')
    .addColumn('pipeline_url', 'text')
    .addColumn('scanned_at', 'text', (c) => c.notNull())
    .addColumn('reported_at', 'text')
    .addColumn('ingested_at', 'text', (c) => c.notNull())
    .addColumn('critical', 'integer', (c) => c.notNull())
    .addColumn('high', 'integer', (c) => c.notNull())
    .addColumn('medium', 'integer', (c) => c.notNull())
    .addColumn('low', 'integer', (c) => c.notNull())
    .addColumn('info', 'integer', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('occurrences', 'integer', (c) => c.notNull())
    .addColumn('new_count', 'integer', (c) => c.notNull())
    .addColumn('common_count', 'integer', (c) => c.notNull())
    .addColumn('remediated_count', 'integer', (c) => c.notNull())
    .addColumn('compared_scan_id', 'integer', (c) => c.references('scans.id'))
    .addColumn('suppressed', 'integer', (c) => c.notNull())
    .addColumn('errors', 'text', (c) => c.notNull())
    // Re-ingesting the same report bytes for the same variant finds the existing scan.
    .addUniqueConstraint('scans_variant_report', ['variant_id', 'report_sha256'])
    .execute();
  // The current state of a variant: the latest scan of each scanner.
  await db.schema.createIndex('scans_variant_scanner').on('scans').columns(['variant_id', 'scanner', 'id']).execute();
  await db.schema.createIndex('scans_target').on('scans').columns(['target_id', 'id']).execute();

  await t
    .id(db.schema.createTable('issues'))
    .addColumn('target_id', 'integer', (c) => c.notNull().references('targets.id'))
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('vulnerability_id', 'text')
    .addColumn('rule_id', 'text')
    .addColumn('package', 'text')
    .addColumn('installed_version', 'text')
    .addColumn('fixed_version', 'text')
    .addColumn('description', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    // Last seen is not stored: it is the latest scan that reports the issue (scan_issues), so a
    // rescan never rewrites the rows of issues that did not change.
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('first_scan_id', 'integer', (c) => c.notNull())
    // The issues of a target, and the upsert key of ingest.
    .addUniqueConstraint('issues_target_fingerprint', ['target_id', 'fingerprint'])
    .execute();

  await db.schema
    .createTable('scan_issues')
    .addColumn('scan_id', 'integer', (c) => c.notNull().references('scans.id'))
    .addColumn('issue_id', 'integer', (c) => c.notNull().references('issues.id'))
    .addColumn('severity', 'integer', (c) => c.notNull())
    .addColumn('scanner_severity', 'text')
    .addColumn('score', t.real)
    .addColumn('occurrences', 'integer', (c) => c.notNull())
    .addColumn('is_new', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('scan_issues_pk', ['scan_id', 'issue_id'])
    .execute();
  await db.schema.createIndex('scan_issues_issue').on('scan_issues').columns(['issue_id', 'scan_id']).execute();

  await t
    .id(db.schema.createTable('occurrences'))
    .addColumn('scan_id', 'integer', (c) => c.notNull().references('scans.id'))
    .addColumn('issue_id', 'integer', (c) => c.notNull().references('issues.id'))
    .addColumn('file_path', 'text')
    .addColumn('start_line', 'integer')
    .addColumn('end_line', 'integer')
    .addColumn('place', 'text', (c) => c.notNull())
    .execute();
  // An issue's occurrences in the current scans.
  await db.schema.createIndex('occurrences_issue_scan').on('occurrences').columns(['issue_id', 'scan_id']).execute();
}
