import { type CompiledQuery, type KyselyPlugin } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
    const sqlite = store.sqlite;
    if (!sqlite) throw new Error('a SQLite store has its handle');
    // The statistics of an estate of 2 million scan rows in 20 000 scans, as ANALYZE wrote them.
    sqlite.exec('analyze');
    sqlite.exec("delete from sqlite_stat1 where tbl = 'scan_issues'");
    const stat = sqlite.prepare('insert into sqlite_stat1 (tbl, idx, stat) values (?, ?, ?)');
    stat.run('scan_issues', 'scan_issues_scan_severity', '2109741 107 23 1');
    stat.run('scan_issues', 'scan_issues_issue', '2109741 1 1');
    stat.run('scan_issues', 'sqlite_autoindex_scan_issues_1', '2109741 107 1');
    sqlite.exec('analyze sqlite_schema');

    const compiled: CompiledQuery[] = [];
    const capture: KyselyPlugin = {
      transformQuery: (args) => {
        compiled.push(store.db.getExecutor().compileQuery(args.node, args.queryId));
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    await worstSeverities(store.db.withPlugin(capture), [7], Array.from({ length: 300 }, (_, i) => i + 1));
    expect(compiled).toHaveLength(1);
    const query = compiled[0] as CompiledQuery;
    const plan = (sqlite.prepare(`explain query plan ${query.sql}`).all(...(query.parameters as unknown[])) as Array<{ detail: string }>).map((r) => r.detail).join('\n');
    expect(plan).toContain('scan_issues_issue');
    expect(plan).not.toContain('scan_issues_scan_severity');
  });
});
