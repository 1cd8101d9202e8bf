import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachStore, openTestStore } from '../../test/support/stores.js';
import type { Store } from './database.js';
import { ALIASES_CVE, ALIASES_PREFIX, aliasDetailsIn } from './issues.js';

// aliasDetailsIn() stands for the store's own LIKE (aliasDetailsOf) on details an ingest holds in
// memory: the two must agree on each store, case and wildcard-looking characters included.
describeEachStore('alias details read in memory', (kind) => {
  let store: Store;
  beforeEach(async () => {
    store = await openTestStore(kind);
  });
  afterEach(async () => store.close());

  it('agrees with the store LIKE on every sample', async () => {
    const samples = [
      '{"aliases":["CVE-2024-1"]}',
      '{"aliases":["cve-2024-1"]}',
      '{"ALIASES":["CVE-2024-1"]}',
      '{"aliases":["GHSA-xxxx"]}',
      '{"aliases":[]}',
      '{"cwes":["CWE-79"],"aliases":["CVE-2024-1"]}',
      '{}',
      '',
      '{"aliases":["Cve-2024-1"]}',
      '{"aliases":["GHSA"],"notes":["see CVE-2020-1"]}',
      '{"aliases":["x_%"],"notes":["CVE_"]}',
      ' {"aliases":["CVE-1"]}',
      '{"aliases":["CVÉ-1","CVE-1"]}',
    ];
    const postgres = kind === 'postgres';
    for (const details of samples) {
      const { rows } = await sql<{ v: string | null }>`select case when ${details} like ${ALIASES_PREFIX} and ${details} like ${ALIASES_CVE} then ${details} end as v`.execute(store.db);
      expect([details, aliasDetailsIn(details, postgres)]).toEqual([details, rows[0]?.v ?? null]);
    }
    // The samples tell the stores apart: PostgreSQL's LIKE keeps case, SQLite's does not.
    expect(aliasDetailsIn('{"aliases":["cve-2024-1"]}', postgres)).toBe(postgres ? null : '{"aliases":["cve-2024-1"]}');
  });
});
