import type { CompiledQuery } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capturingQueries, sqlitePlan, useTableStatistics } from '../../test/support/sqlite-plans.js';
import { openTestStore } from '../../test/support/stores.js';
import type { Store } from './database.js';
import { worstSeverities } from './issues.js';

/*
 * The worst severities of a page's issues are read through the (issue_id, scan_id) index, whatever
 * the planner's statistics say of the scans: SQLite's give each scan the average scan's rows, and
 * with them it read the (scan_id, severity) index of a 100 000-issue scan whole for a page of 50.
 * (PostgreSQL chose the same for a thousand issues or more; the SQL is the same on both stores.)
 */
describe('worst severities of a page [sqlite]', () => {
  let store: Store;

  beforeEach(async () => {
    store = await openTestStore('sqlite');
  });
  afterEach(async () => {
    await store.close();
  });

  it('read the issues by their index on SQLite even where statistics make every scan look small', async () => {
    // The statistics of an estate of 2 million scan rows in 20 000 scans, as ANALYZE wrote them.
    useTableStatistics(store, 'scan_issues', {
      scan_issues_scan_severity: '2109741 107 23 1',
      scan_issues_issue: '2109741 1 1',
      sqlite_autoindex_scan_issues_1: '2109741 107 1',
    });
    const { db, compiled } = capturingQueries(store);
    await worstSeverities(db, [7], Array.from({ length: 300 }, (_, i) => i + 1));
    expect(compiled).toHaveLength(1);
    const plan = sqlitePlan(store, compiled[0] as CompiledQuery);
    expect(plan).toContain('scan_issues_issue');
    expect(plan).not.toContain('scan_issues_scan_severity');
  });
});
