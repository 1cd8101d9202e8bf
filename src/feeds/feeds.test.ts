import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { feedStatuses } from '../store/feeds.js';
import type { Store } from '../store/database.js';
import { epssFile, feedDir, kevFile } from '../../test/support/feed-files.js';
import { describeEachStore, openTestStore } from '../../test/support/stores.js';
import { importFeed } from './import.js';

const at = () => '2024-04-02T08:00:00.000Z';

describeEachStore('exploitation feeds', (kind) => {
  let store: Store;
  let dir: string;
  beforeEach(async () => {
    store = await openTestStore(kind);
    dir = feedDir();
  });
  afterEach(async () => store.close());

  const epssRows = () => store.db.selectFrom('epss_scores').selectAll().orderBy('cve').execute();

  it('imports a KEV catalog and records its date and row count', async () => {
    const file = kevFile(dir, [
      { cveID: 'CVE-2024-0001', dateAdded: '2024-03-05', dueDate: '2024-03-26', knownRansomwareCampaignUse: 'Known' },
      { cveID: 'cve-2021-44228', dateAdded: '2021-12-10', dueDate: '2021-12-24' },
    ]);
    const result = await importFeed(store, 'kev', file, { now: at });
    expect(result).toEqual({ name: 'kev', source: file, date: '2024-04-01', version: '2024.04.01', rows: 2 });
    const rows = await store.db.selectFrom('kev_entries').select(['cve', 'date_added', 'due_date', 'ransomware']).orderBy('cve').execute();
    expect(rows).toEqual([
      { cve: 'CVE-2021-44228', date_added: '2021-12-10', due_date: '2021-12-24', ransomware: null },
      { cve: 'CVE-2024-0001', date_added: '2024-03-05', due_date: '2024-03-26', ransomware: 'Known' },
    ]);
    const [kev, epss] = await feedStatuses(store.db);
    expect(kev).toMatchObject({ name: 'kev', loaded: true, feedDate: '2024-04-01', rows: 2, importedAt: at(), error: null });
    expect(epss).toMatchObject({ name: 'epss', loaded: false, rows: 0, importedAt: null });
  });

  it('imports EPSS gzipped or plain; a re-import replaces the scores', async () => {
    await importFeed(store, 'epss', epssFile(dir, [['CVE-2024-0001', 0.5, 0.9], ['CVE-2024-0002', 0.01, 0.2]], { gzip: true }), { now: at });
    expect(await epssRows()).toEqual([
      { cve: 'CVE-2024-0001', epss: 0.5, percentile: 0.9 },
      { cve: 'CVE-2024-0002', epss: 0.01, percentile: 0.2 },
    ]);
    const again = await importFeed(store, 'epss', epssFile(dir, [['CVE-2024-0001', 0.75, 0.97]], { scoreDate: '2024-04-02' }), { now: at });
    expect(again).toMatchObject({ date: '2024-04-02', version: 'v2023.03.01', rows: 1 });
    expect(await epssRows()).toEqual([{ cve: 'CVE-2024-0001', epss: 0.75, percentile: 0.97 }]);
  });

  it('keeps the first line of a CVE listed twice, and counts it once', async () => {
    // Lower-case on the second line: the same CVE once upper-cased. Far apart: in different insert batches.
    const scores: Array<[string, number, number]> = [['CVE-2024-0009', 0.4, 0.8], ...Array.from({ length: 6000 }, (_, i): [string, number, number] => [`CVE-2023-${String(10000 + i)}`, 0.1, 0.1]), ['cve-2024-0009', 0.9, 0.99]];
    const imported = await importFeed(store, 'epss', epssFile(dir, scores), { now: at });
    expect(imported.rows).toBe(6001);
    expect((await epssRows()).find((r) => r.cve === 'CVE-2024-0009')).toEqual({ cve: 'CVE-2024-0009', epss: 0.4, percentile: 0.8 });
  });

  it('refuses a malformed line, naming the file and line, and keeps the previous scores', async () => {
    await importFeed(store, 'epss', epssFile(dir, [['CVE-2024-0001', 0.5, 0.9]]), { now: at });
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, '#model_version:v1,score_date:2024-04-03T00:00:00+0000\ncve,epss,percentile\nCVE-2024-0001,0.6,0.9\nCVE-2024-0002,1.5,0.9\n');
    await expect(importFeed(store, 'epss', bad, { now: () => '2024-04-03T00:00:00.000Z' })).rejects.toThrow(`${bad}, line 4: the score and percentile of CVE-2024-0002 must be numbers from 0 to 1`);
    expect(await epssRows()).toEqual([{ cve: 'CVE-2024-0001', epss: 0.5, percentile: 0.9 }]);
    const [, epss] = await feedStatuses(store.db);
    expect(epss).toMatchObject({ loaded: true, feedDate: '2024-04-01', rows: 1, importedAt: at(), attemptedAt: '2024-04-03T00:00:00.000Z' });
    expect(epss?.error).toContain('line 4');
  });

  it('refuses a file that is not a feed, a KEV entry without a CVE id, and a file over the limit', async () => {
    const notEpss = join(dir, 'x.csv');
    writeFileSync(notEpss, 'id,score\n1,2\n');
    await expect(importFeed(store, 'epss', notEpss)).rejects.toThrow(`${notEpss}, line 1: not an EPSS file: expected the header "cve,epss,percentile"`);
    const badKev = kevFile(dir, [{ cveID: 'GHSA-7r4p', dateAdded: '2024-01-01' }], undefined, 'bad-kev.json');
    await expect(importFeed(store, 'kev', badKev)).rejects.toThrow(`${badKev}: vulnerabilities[0].cveID is "GHSA-7r4p"; expected a CVE id`);
    // A gzip bomb stops at the limit on decompressed bytes.
    const bomb = join(dir, 'bomb.csv.gz');
    writeFileSync(bomb, gzipSync(`cve,epss,percentile\n${'CVE-2024-0001,0.1,0.1\n'.repeat(100_000)}`));
    await expect(importFeed(store, 'epss', bomb, { maxBytes: 64 * 1024 })).rejects.toThrow(`${bomb} is larger than the limit`);
    expect(await epssRows()).toEqual([]);
    await expect(importFeed(store, 'epss', join(dir, 'missing.csv'))).rejects.toThrow('does not exist');
  });

  it('refuses a URL the outbound policy refuses, before any request', async () => {
    await expect(importFeed(store, 'kev', 'http://127.0.0.1:9/kev.json')).rejects.toThrow('The feed URL http://127.0.0.1:9/kev.json is refused: 127.0.0.1 is a loopback address');
    await expect(importFeed(store, 'kev', 'file:///etc/passwd')).rejects.toThrow('does not exist');
  });
});
