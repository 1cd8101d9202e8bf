import { execFileSync } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cveAfter, EPSS_ROWS_FIRST_CAPACITY, EpssRows, FirstLines, feedStatuses } from '../store/feeds.js';
import { cveKey, EPSS_CHUNK_ROWS, EpssChunker, type EpssLine, idOfKey, keyHoldsId } from './epss-chunks.js';
import type { Store } from '../store/database.js';
import { epssFile, epssText, feedDir, kevFile } from '../../test/support/feed-files.js';
import { describeEachStore, openTestStore, POSTGRES_URL } from '../../test/support/stores.js';
import { epssScores } from './epss.js';
import { importFeed } from './import.js';

const at = () => '2024-04-02T08:00:00.000Z';
/** The rows a file leaves stored: each CVE's first line, upper-cased, in CVE order. */
const firstLines = (scores: Array<[string, number, number]>) => {
  const rows = new Map<string, { cve: string; epss: number; percentile: number }>();
  for (const [cve, epss, percentile] of scores) if (!rows.has(cve.toUpperCase())) rows.set(cve.toUpperCase(), { cve: cve.toUpperCase(), epss, percentile });
  return [...rows.values()].sort((a, b) => (a.cve < b.cve ? -1 : 1));
};

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

  it('stores each CVE id as the file writes it, eight-digit numbers and years out of 1990–2200 too', async () => {
    // In FIRST's order, so that SQLite writes them from its sorted runs, the ids from their keys.
    const scores: Array<[string, number, number]> = [
      ['CVE-1989-0001', 0.1, 0.1],
      ['CVE-1999-0001', 0.2, 0.2],
      ['CVE-2024-0001', 0.3, 0.3],
      ['CVE-2024-00002', 0.4, 0.4],
      ['CVE-2024-1234567', 0.5, 0.5],
      ['CVE-2024-12345670', 0.6, 0.6],
      ['CVE-2024-12345679', 0.7, 0.7],
      ['CVE-2200-9999999', 0.8, 0.8],
      ['CVE-2201-0001', 0.9, 0.9],
    ];
    expect((await importFeed(store, 'epss', epssFile(dir, scores), { now: at })).rows).toBe(scores.length);
    expect(await epssRows()).toEqual(firstLines(scores));
  });

  it('stores the numbers the file writes, with an exponent or more digits than a double holds, as the parser reads them', async () => {
    const path = join(dir, 'numbers.csv');
    const cells = [['0', '1'], ['1e-5', '0.5E+0'], ['0.00012345678901234567', '.99999999999999999'], ['0.1', '1.0']];
    writeFileSync(path, `${epssText([])}${cells.map(([e, p], n) => `CVE-2024-000${n + 1},${e},${p}`).join('\n')}\n`);
    await importFeed(store, 'epss', path, { now: at });
    expect(await epssRows()).toEqual(cells.map(([e, p], n) => ({ cve: `CVE-2024-000${n + 1}`, epss: Number(e), percentile: Number(p) })));
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

  /** The table a file should leave: each CVE's first line, upper-cased (what a reader of the file sees). */
  const cveOf = (n: number) => `CVE-${2018 + (n % 7)}-${String(10000 + n)}`;

  it('re-imports leave exactly the file\'s rows: changed scores, new CVEs and CVEs no longer listed', async () => {
    // Over several insert batches of 5 000; each file lists some CVEs twice, the second line differing.
    const first: Array<[string, number, number]> = Array.from({ length: 12_000 }, (_, n) => [cveOf(n), (n % 997) / 1000, (n % 991) / 1000]);
    first.push([cveOf(17).toLowerCase(), 0.5, 0.5]);
    expect(await importFeed(store, 'epss', epssFile(dir, first, { name: 'first.csv' }), { now: at })).toMatchObject({ rows: 12_000 });
    expect(await epssRows()).toEqual(firstLines(first));

    // Scores changed (one, the other or both), CVEs dropped, CVEs added, the rest as they were.
    const second: Array<[string, number, number]> = [];
    for (let n = 0; n < 14_000; n++) {
      if (n % 13 === 5) continue;
      const [epss, percentile] = [(n % 997) / 1000, (n % 991) / 1000];
      second.push([cveOf(n), n % 11 === 0 ? (n % 7) / 7 : epss, n % 17 === 0 ? (n % 5) / 5 : percentile]);
    }
    second.push([cveOf(22), 0.123, 0.456]);
    const imported = await importFeed(store, 'epss', epssFile(dir, second, { name: 'second.csv', scoreDate: '2024-04-02' }), { now: at });
    expect(imported).toMatchObject({ date: '2024-04-02', rows: firstLines(second).length });
    expect(await epssRows()).toEqual(firstLines(second));

    // The same file again changes nothing; a shorter one leaves only its rows.
    await importFeed(store, 'epss', epssFile(dir, second, { name: 'second.csv', scoreDate: '2024-04-02' }), { now: at });
    expect(await epssRows()).toEqual(firstLines(second));
    const third = second.filter((_, i) => i % 3 === 0);
    expect(await importFeed(store, 'epss', epssFile(dir, third, { name: 'third.csv' }), { now: at })).toMatchObject({ rows: third.length });
    expect(await epssRows()).toEqual(firstLines(third));
    const [, epss] = await feedStatuses(store.db);
    expect(epss).toMatchObject({ loaded: true, rows: third.length });
  });

  it('keeps the first line of a repeated CVE in a file in FIRST\'s order (by year, then number), before and after its order breaks', async () => {
    // In order across the 4- to 5-digit boundary, a repeat right after its first line, a later
    // line out of order (its year earlier), then repeats of CVEs from before and after the break.
    const scores: Array<[string, number, number]> = [
      ...Array.from({ length: 6_000 }, (_, n): [string, number, number] => [`CVE-2023-${String(5_000 + n).padStart(4, '0')}`, 0.1, 0.2]),
      ['CVE-2023-10999', 0.9, 0.9],
      ['CVE-2024-0001', 0.3, 0.4],
      ['CVE-2024-0001', 0.8, 0.8],
      ['CVE-2024-0002', 0.5, 0.6],
      ['CVE-2022-0001', 0.7, 0.7],
      ['CVE-2023-5000', 0.9, 0.9],
      ['CVE-2022-0001', 0.1, 0.1],
      ['CVE-2024-0002', 0.9, 0.9],
    ];
    const imported = await importFeed(store, 'epss', epssFile(dir, scores), { now: at });
    expect(imported.rows).toBe(6_003);
    expect(await epssRows()).toEqual(firstLines(scores));
  });

  it('writes the rows of each year as the file moves on to another, across the parser\'s chunks, years in any order and a year that comes back', async () => {
    // Each year more lines than a chunk of the parsing thread (EPSS_CHUNK_ROWS), in FIRST's order within it.
    const year = (y: number, count: number, epss: number): Array<[string, number, number]> => Array.from({ length: count }, (_, n) => [`CVE-${y}-${String(n + 1).padStart(4, '0')}`, epss, (n % 100) / 100]);
    const descending = [...year(2022, EPSS_CHUNK_ROWS + 5, 0.3), ...year(2021, 7, 0.2), ...year(2020, EPSS_CHUNK_ROWS + 3, 0.1)];
    expect((await importFeed(store, 'epss', epssFile(dir, descending), { now: at })).rows).toBe(descending.length);
    expect(await epssRows()).toEqual(firstLines(descending));
    // 2021 written when 2022 starts; then a 2021 CVE again (its first line kept) and 2021's new CVEs,
    // 2023, a repeat of 2023 and one of 2022 from before the year came back.
    const returning = [...year(2021, EPSS_CHUNK_ROWS + 11, 0.4), ...year(2022, 20, 0.5), ['CVE-2021-0003', 0.9, 0.9] as [string, number, number], ['CVE-2021-99999', 0.6, 0.6] as [string, number, number], ...year(2023, EPSS_CHUNK_ROWS, 0.7), ['CVE-2023-0001', 0.9, 0.9] as [string, number, number], ['cve-2022-0002', 0.9, 0.9] as [string, number, number]];
    expect((await importFeed(store, 'epss', epssFile(dir, returning, { name: 'returning.csv' }), { now: at })).rows).toBe(firstLines(returning).length);
    expect(await epssRows()).toEqual(firstLines(returning));
  });

  it('imports a file out of CVE order, with repeated CVEs, to exactly the rows of the same file in order', async () => {
    // More rows than an SQLite import makes room for at first, and every 97th CVE listed again
    // after its first line with other numbers (lower-cased for some), 40 lines later or more.
    const count = EPSS_ROWS_FIRST_CAPACITY + 9_000;
    const firsts: Array<[string, number, number]> = Array.from({ length: count }, (_, n) => [cveOf(n), (n % 997) / 1000, (n % 991) / 1000]);
    const repeat = ([cve]: [string, number, number], n: number): [string, number, number] => [n % 3 === 0 ? cve.toLowerCase() : cve, 0.999, 0.001];
    // In CVE order, each repeat right after its first line.
    const inOrder = [...firsts].sort((a, b) => (a[0] < b[0] ? -1 : 1)).flatMap((line, n) => (n % 97 === 0 ? [line, repeat(line, n)] : [line]));
    // Out of order: the first lines in a fixed permutation, each repeat 40 or EPSS_ROWS_FIRST_CAPACITY lines after its first.
    const placed = Array.from({ length: count }, (_, i) => ({ at: i, line: firsts[(i * 7919) % count] as [string, number, number] }));
    for (let i = 0; i < count; i += 97) placed.push({ at: i + (i % 2 === 0 ? 40 : EPSS_ROWS_FIRST_CAPACITY) + 0.5, line: repeat(placed[i]?.line as [string, number, number], i) });
    const shuffled = placed.sort((a, b) => a.at - b.at).map((p) => p.line);
    expect(firstLines(shuffled)).toEqual(firstLines(firsts));
    const outOfOrder = await importFeed(store, 'epss', epssFile(dir, shuffled, { name: 'shuffled.csv' }), { now: at });
    const shuffledRows = await epssRows();
    expect(outOfOrder.rows).toBe(count);
    expect(shuffledRows).toEqual(firstLines(firsts));
    const ordered = await importFeed(store, 'epss', epssFile(dir, inOrder, { name: 'ordered.csv' }), { now: at });
    expect(ordered.rows).toBe(count);
    expect(await epssRows()).toEqual(shuffledRows);
  });

  it('refuses a malformed line after whole batches were written, into an empty table or over scores, and keeps what was there', async () => {
    const good: Array<[string, number, number]> = Array.from({ length: 7_000 }, (_, n) => [cveOf(n), 0.25, 0.5]);
    const bad = join(dir, 'late.csv');
    writeFileSync(bad, `${epssText(good)}CVE-2024-0002,0.5,oops\n`);
    const refusal = `${bad}, line 7003: the score and percentile of CVE-2024-0002 must be numbers from 0 to 1`;
    await expect(importFeed(store, 'epss', bad, { now: at })).rejects.toThrow(refusal);
    expect(await epssRows()).toEqual([]);
    expect((await feedStatuses(store.db))[1]).toMatchObject({ loaded: false, rows: 0 });

    const before: Array<[string, number, number]> = [['CVE-2024-0001', 0.5, 0.9], [cveOf(3), 0.75, 0.8]];
    await importFeed(store, 'epss', epssFile(dir, before), { now: at });
    await expect(importFeed(store, 'epss', bad, { now: at })).rejects.toThrow(refusal);
    expect(await epssRows()).toEqual(firstLines(before));
    expect((await feedStatuses(store.db))[1]).toMatchObject({ loaded: true, rows: 2 });
    // The store is usable afterwards (the COPY ended, the transaction rolled back).
    await importFeed(store, 'epss', epssFile(dir, good, { name: 'good.csv' }), { now: at });
    expect(await epssRows()).toEqual(firstLines(good));
  });

  it('answers reads of the scores while an import is loading, with the scores before it', async () => {
    const before: Array<[string, number, number]> = [['CVE-2024-0001', 0.5, 0.9]];
    for (const previous of [[], before]) {
      if (previous.length > 0) await importFeed(store, 'epss', epssFile(dir, previous), { now: at });
      // The file comes through a pipe: the import waits for its end with a batch already loaded.
      const fifo = join(dir, `slow-${previous.length}.csv`);
      execFileSync('mkfifo', [fifo]);
      const next: Array<[string, number, number]> = Array.from({ length: 6_000 }, (_, n) => [cveOf(n), 0.1, 0.2]);
      const writer = createWriteStream(fifo);
      const importing = importFeed(store, 'epss', fifo, { now: at });
      try {
        await new Promise<void>((resolve, reject) => writer.write(epssText(next), (error) => (error ? reject(error) : resolve())));
        if (kind === 'postgres') {
          // The import's transaction is open and holds a lock on the table.
          await expect.poll(async () => (await sql<{ n: number }>`select count(*) as n from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 'epss_scores' and c.relnamespace = current_schema()::regnamespace and l.pid <> pg_backend_pid()`.execute(store.db)).rows[0]?.n, { timeout: 10_000 }).toBeGreaterThan(0);
        }
        const read = store.db.selectFrom('epss_scores').selectAll().orderBy('cve').execute();
        const late = new Promise((resolve) => setTimeout(() => resolve('not answered in 5 s'), 5_000));
        expect(await Promise.race([read, late])).toEqual(firstLines(previous));
      } finally {
        writer.end(`${cveOf(9_999)},0.3,0.4\n`);
      }
      expect(await importing).toMatchObject({ rows: 6_001 });
      expect(await epssRows()).toEqual(firstLines([...next, [cveOf(9_999), 0.3, 0.4]]));
    }
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

describe('the EPSS parser', () => {
  it('refuses the score past the most rows a file may have, with the file', async () => {
    const lines = async function* () {
      const text = epssText([['CVE-2024-0001', 0.1, 0.1], ['CVE-2024-0002', 0.2, 0.2], ['CVE-2024-0003', 0.3, 0.3]]).split('\n');
      for (const [n, line] of text.entries()) yield { text: line, number: n + 1 };
    };
    const read = async (maxRows: number) => {
      const cves: string[] = [];
      for await (const score of epssScores(lines(), 'epss.csv', () => undefined, maxRows)) cves.push(score.cve);
      return cves;
    };
    expect(await read(3)).toEqual(['CVE-2024-0001', 'CVE-2024-0002', 'CVE-2024-0003']);
    await expect(read(2)).rejects.toThrow('epss.csv: more than 2 scores; no EPSS file is this large.');
  });
});

describe('the first line of each CVE (FirstLines)', () => {
  it('orders CVE ids as FIRST lists them: by year, then by number however many digits it has', () => {
    expect(cveAfter('CVE-2024-10000', 'CVE-2024-9999')).toBe(true);
    expect(cveAfter('CVE-2024-9999', 'CVE-2024-10000')).toBe(false);
    expect(cveAfter('CVE-2025-0001', 'CVE-2024-99999')).toBe(true);
    expect(cveAfter('CVE-2024-0002', 'CVE-2024-0001')).toBe(true);
    expect(cveAfter('CVE-2024-0001', 'CVE-2024-0001')).toBe(false);
  });

  it('keeps each CVE once, in order and after the order breaks, and counts them', () => {
    const firsts = new FirstLines();
    const offered = ['CVE-2023-9999', 'CVE-2023-10000', 'CVE-2023-10000', 'CVE-2024-0001', 'CVE-2022-0001', 'CVE-2023-9999', 'CVE-2024-0002', 'CVE-2022-0001'];
    expect(offered.map((cve) => firsts.keep(cve))).toEqual([true, true, false, true, true, false, true, false]);
    expect(firsts.count).toBe(5);
  });
});

/** The rows an SQLite import holds for `lines`, handed on in chunks of `size` as the parsing thread does. */
function rowsOf(lines: EpssLine[], size?: number): EpssRows {
  const rows = new EpssRows();
  const chunker = new EpssChunker((chunk) => rows.addChunk(chunk), size);
  for (const line of lines) chunker.add(line);
  chunker.flush();
  return rows;
}

describe('the order an SQLite import writes the rows in (cveKey, EpssRows)', () => {
  const ids = ['CVE-1999-0001', 'CVE-2003-0001', 'CVE-2024-0001', 'CVE-2024-0002', 'CVE-2024-1000', 'CVE-2024-10000', 'CVE-2024-10001', 'CVE-2024-1001', 'CVE-2024-100000', 'CVE-2024-1234567', 'CVE-2024-9999', 'CVE-2025-0001', 'CVE-0001-0001', 'CVE-9999-0001'];

  it('never orders two CVE ids against their order as text, and tells apart ids of up to seven digits', () => {
    const byText = [...ids].sort();
    for (let i = 1; i < byText.length; i++) expect(cveKey(byText[i] as string)).toBeGreaterThan(cveKey(byText[i - 1] as string));
    // Eight digits and more: ids that share their first seven share a key, never inverted.
    expect(cveKey('CVE-2024-12345670')).toBe(cveKey('CVE-2024-12345679'));
    expect(cveKey('CVE-2024-1234568')).toBeGreaterThan(cveKey('CVE-2024-12345679'));
    expect(cveKey('CVE-2024-1234567')).toBe(cveKey('CVE-2024-12345670'));
  });

  it('puts the rows in CVE order, a repeated CVE in file order', () => {
    const rows = ['CVE-2024-10000', 'CVE-2024-0002', 'CVE-2023-5000', 'CVE-2024-0002', 'CVE-2024-9999', 'CVE-2023-5000'].map((cve, i) => ({ cve, epss: i / 10, percentile: 0 }));
    const run = rowsOf(rows, 4);
    const values: Array<string | number> = [];
    for (const at of run.cveOrder()) run.pushValues(at, values);
    expect(values.filter((_, i) => i % 3 !== 2)).toEqual(['CVE-2023-5000', 0.2, 'CVE-2023-5000', 0.5, 'CVE-2024-0002', 0.1, 'CVE-2024-0002', 0.3, 'CVE-2024-10000', 0, 'CVE-2024-9999', 0.4]);
  });

  it('makes room for more rows than it holds at first, in order', () => {
    const count = 2 * EPSS_ROWS_FIRST_CAPACITY + 3;
    const rows = rowsOf(Array.from({ length: count }, (_, i) => count - 1 - i).map((n) => ({ cve: `CVE-2024-${String(n).padStart(6, '0')}`, epss: n / count, percentile: 0 })));
    expect(rows.length).toBe(count);
    const values: Array<string | number> = [];
    for (const entry of rows.cveOrder()) rows.pushValues(entry, values);
    expect(values.length).toBe(3 * count);
    for (const n of [0, EPSS_ROWS_FIRST_CAPACITY, count - 1]) expect(values.slice(3 * n, 3 * n + 2)).toEqual([`CVE-2024-${String(n).padStart(6, '0')}`, n / count]);
  });

  it('writes each id back from its key, and keeps those a key does not hold whole as they were', () => {
    for (const id of ids.filter((id) => !id.startsWith('CVE-0001') && !id.startsWith('CVE-9999'))) {
      expect(keyHoldsId(id)).toBe(true);
      expect(idOfKey(cveKey(id))).toBe(id);
    }
    for (const id of ['CVE-2024-00001', 'CVE-1990-0001', 'CVE-2200-9999999']) expect(idOfKey(cveKey(id))).toBe(id);
    for (const id of ['CVE-1989-0001', 'CVE-2201-0001', 'CVE-2024-12345678', 'CVE-0001-0001']) expect(keyHoldsId(id)).toBe(false);
    // Ids that share a key (eight digits) or that their key would give back as another year.
    const lines = ['CVE-2024-12345679', 'CVE-1989-0001', 'CVE-2024-0001', 'CVE-2024-12345670', 'CVE-9999-0001'];
    const run = rowsOf(lines.map((cve, i) => ({ cve, epss: i / 10, percentile: 0 })), 2);
    const values: Array<string | number> = [];
    for (const entry of run.cveOrder()) run.pushValues(entry, values);
    expect(values.filter((_, i) => i % 3 === 0)).toEqual(['CVE-1989-0001', 'CVE-2024-0001', 'CVE-2024-12345679', 'CVE-2024-12345670', 'CVE-9999-0001']);
    expect(values.filter((_, i) => i % 3 === 1)).toEqual([0.1, 0.2, 0, 0.3, 0.4]);
  });
});

describe.runIf(POSTGRES_URL)('EPSS imports on PostgreSQL: the new scores\' table takes the old one\'s place [postgres]', () => {
  let store: Store;
  let dir: string;
  beforeEach(async () => {
    store = await openTestStore('postgres');
    dir = feedDir();
  });
  afterEach(async () => store.close());
  const epssRows = () => store.db.selectFrom('epss_scores').selectAll().orderBy('cve').execute();
  const tables = async () => (await sql<{ name: string }>`select c.relname as name from pg_class c where c.relnamespace = current_schema()::regnamespace and c.relname like 'epss_scores%' order by 1`.execute(store.db)).rows.map((r) => r.name);
  const before: Array<[string, number, number]> = [['CVE-2024-0001', 0.5, 0.9]];
  const after: Array<[string, number, number]> = [['CVE-2024-0001', 0.25, 0.5], ['CVE-2024-0002', 0.75, 0.8]];

  /** A transaction that has read the scores and holds the table until release(); it resolves to the rows it read. */
  const holdReader = async () => {
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reading = () => undefined as void;
    const read = new Promise<void>((resolve) => (reading = resolve));
    const rows = store.db.transaction().execute(async (trx) => {
      const seen = await trx.selectFrom('epss_scores').selectAll().execute();
      reading();
      await held;
      return seen;
    });
    await read;
    return { release, rows };
  };
  /** Until the import waits for a lock a reader holds. */
  const importWaits = () =>
    expect.poll(async () => (await sql<{ n: number }>`select count(*)::int as n from pg_locks where not granted and locktype = 'relation'`.execute(store.db)).rows[0]?.n, { timeout: 10_000, interval: 20 }).toBeGreaterThan(0);
  const afterRows = [
    { cve: 'CVE-2024-0001', epss: 0.25, percentile: 0.5 },
    { cve: 'CVE-2024-0002', epss: 0.75, percentile: 0.8 },
  ];

  it('waits for a reader of the old scores, and gives up after lockTimeoutMs with the old scores kept', async () => {
    await importFeed(store, 'epss', epssFile(dir, before), { now: at });
    // A reader's transaction holds the table the import would drop.
    const long = await holdReader();
    await expect(importFeed(store, 'epss', epssFile(dir, after, { name: 'after.csv' }), { now: at, lockTimeoutMs: 300 })).rejects.toThrow('The EPSS scores stayed in use by another transaction for 0.3 s, 3 times; the import was rolled back');
    long.release();
    expect(await long.rows).toEqual([{ cve: 'CVE-2024-0001', epss: 0.5, percentile: 0.9 }]);
    expect(await epssRows()).toEqual([{ cve: 'CVE-2024-0001', epss: 0.5, percentile: 0.9 }]);
    expect((await feedStatuses(store.db))[1]).toMatchObject({ loaded: true, rows: 1, error: expect.stringContaining('stayed in use') });
    expect(await tables()).toEqual(['epss_scores', 'epss_scores_1', 'epss_scores_1_pkey', 'epss_scores_pkey']);

    // A reader that finishes within the time: the import waits for it, then swaps.
    const brief = await holdReader();
    const importing = importFeed(store, 'epss', epssFile(dir, after, { name: 'after.csv' }), { now: at });
    await importWaits();
    brief.release();
    await brief.rows;
    expect(await importing).toMatchObject({ rows: 2 });
    expect(await epssRows()).toEqual(afterRows);
  });

  it('tries the swap again when a reader outlasts one wait, and succeeds once the reader is done', async () => {
    await importFeed(store, 'epss', epssFile(dir, before), { now: at });
    const reader = await holdReader();
    const importing = importFeed(store, 'epss', epssFile(dir, after, { name: 'after.csv' }), { now: at, lockTimeoutMs: 1_000 });
    // Once the import waits for the reader's lock, the reader stays half as long again as one wait:
    // the first attempt gives up, a later one gets the table.
    await importWaits();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    reader.release();
    await reader.rows;
    expect(await importing).toMatchObject({ rows: 2 });
    expect(await epssRows()).toEqual(afterRows);
    expect(await tables()).toEqual(['epss_scores', 'epss_scores_1', 'epss_scores_1_pkey', 'epss_scores_pkey']);
  });

  it('takes two imports at once in turn, and leaves one table with its key under the usual names', async () => {
    await Promise.all([importFeed(store, 'epss', epssFile(dir, before), { now: at }), importFeed(store, 'epss', epssFile(dir, after, { name: 'after.csv' }), { now: at })]);
    const rows = await epssRows();
    expect([1, 2]).toContain(rows.length);
    expect(rows).toEqual(rows.length === 1 ? [{ cve: 'CVE-2024-0001', epss: 0.5, percentile: 0.9 }] : [{ cve: 'CVE-2024-0001', epss: 0.25, percentile: 0.5 }, { cve: 'CVE-2024-0002', epss: 0.75, percentile: 0.8 }]);
    expect(await tables()).toEqual(['epss_scores', 'epss_scores_1', 'epss_scores_1_pkey', 'epss_scores_pkey']);
    // The key is the table's primary key still, its part's: a CVE cannot be stored twice.
    await expect(sql`insert into epss_scores (cve, epss, percentile) values ('CVE-2024-0001', 0.1, 0.1)`.execute(store.db)).rejects.toThrow('epss_scores_1_pkey');
  });

  it('keys the scores by CVE compared byte by byte (COLLATE "C"), before any import and after each, the key built once the rows are in', async () => {
    const key = async () =>
      (
        await sql<{ collation: string | null; key: string | null }>`select a.attcollation::regcollation::text as collation, (select i.indexrelid::regclass::text from pg_index i where i.indrelid = a.attrelid and i.indisprimary) as key
          from pg_attribute a where a.attrelid = 'epss_scores'::regclass and a.attname = 'cve'`.execute(store.db)
      ).rows[0];
    expect(await key()).toEqual({ collation: '"C"', key: 'epss_scores_pkey' });
    await importFeed(store, 'epss', epssFile(dir, before), { now: at });
    await importFeed(store, 'epss', epssFile(dir, after, { name: 'after.csv' }), { now: at });
    expect(await key()).toEqual({ collation: '"C"', key: 'epss_scores_pkey' });
    expect(await epssRows()).toEqual(afterRows);
    // Read by CVE through the key, whatever the collation of the CVE ids asked for (two rows: a
    // sequential scan would be cheaper, so it is ruled out).
    const plan = await store.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      return (await sql<{ 'QUERY PLAN': string }>`explain select epss from epss_scores where cve = any(${['CVE-2024-0002']}::text[])`.execute(trx)).rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    // The table is partitioned by ranges of years (store/feeds.ts): the part's key, from the table's.
    expect(plan).toContain('Index Scan using epss_scores_1_pkey on epss_scores_1');
  });

  /** The parts of the stored table, each with its range and key, in order. */
  const parts = async () =>
    (
      await sql<{ part: string; bounds: string; key: string | null }>`select c.relname as part, pg_get_expr(c.relpartbound, c.oid) as bounds,
          (select i.indexrelid::regclass::text from pg_index i where i.indrelid = c.oid and i.indisprimary) as key
        from pg_inherits h join pg_class c on c.oid = h.inhrelid where h.inhparent = 'epss_scores'::regclass order by c.relname`.execute(store.db)
    ).rows;
  const year = (y: number, count: number, epss: number, from = 1): Array<[string, number, number]> => Array.from({ length: count }, (_, n) => [`CVE-${y}-${String(from + n).padStart(4, '0')}`, epss, (n % 100) / 100]);

  it('fills the new table in parts of whole years, in FIRST\'s order, each keyed as it ends, and counts each CVE once', async () => {
    // Parts of at least 3 rows: 1985 (a year a key holds as 1990) and 1999 together, 2020 with a
    // CVE listed twice (its first line kept, when the part's key is built again), 2021 alone,
    // then the last part from 2022 on, with an eight-digit number and a year after 2200.
    const scores = [...year(1985, 1, 0.1), ...year(1999, 2, 0.2), ...year(2020, 3, 0.3), ['cve-2020-0002', 0.9, 0.9] as [string, number, number], ...year(2021, 4, 0.4), ...year(2022, 1, 0.5), ['CVE-2022-12345678', 0.6, 0.6] as [string, number, number], ...year(2201, 1, 0.7)];
    const imported = await importFeed(store, 'epss', epssFile(dir, scores), { now: at, epssPartRows: 3 });
    expect(imported.rows).toBe(scores.length - 1);
    expect(await epssRows()).toEqual(firstLines(scores));
    const stored = [
      { part: 'epss_scores_1', bounds: "FOR VALUES FROM (MINVALUE) TO ('CVE-2020-')", key: 'epss_scores_1_pkey' },
      { part: 'epss_scores_2', bounds: "FOR VALUES FROM ('CVE-2020-') TO ('CVE-2021-')", key: 'epss_scores_2_pkey' },
      { part: 'epss_scores_3', bounds: "FOR VALUES FROM ('CVE-2021-') TO ('CVE-2022-')", key: 'epss_scores_3_pkey' },
      { part: 'epss_scores_4', bounds: "FOR VALUES FROM ('CVE-2022-') TO (MAXVALUE)", key: 'epss_scores_4_pkey' },
    ];
    expect(await parts()).toEqual(stored);
    // Again, over the parts of the same names: the new ones take them.
    const again = scores.map(([cve, epss, percentile]): [string, number, number] => [cve, epss / 2, percentile]);
    await importFeed(store, 'epss', epssFile(dir, again, { name: 'again.csv' }), { now: at, epssPartRows: 3 });
    expect(await epssRows()).toEqual(firstLines(again));
    expect(await parts()).toEqual(stored);
    expect(await tables()).toEqual(['epss_scores', ...stored.flatMap((p) => [p.part, p.key]), 'epss_scores_pkey']);
    // A CVE cannot be stored twice, in any part.
    await expect(sql`insert into epss_scores (cve, epss, percentile) values ('CVE-2021-0001', 0.1, 0.1)`.execute(store.db)).rejects.toThrow('epss_scores_3_pkey');
  });

  it('puts the rest of a file that leaves FIRST\'s order after parts were keyed in the parts, first lines kept', async () => {
    // Parts for 2020 and 2021, then 2022; then 2020 again (a CVE stored already, and a new one),
    // 2023, and a repeat of a 2022 and of a 2023 CVE.
    const scores = [...year(2020, 3, 0.1), ...year(2021, 3, 0.2), ...year(2022, 2, 0.3), ['CVE-2020-0002', 0.9, 0.9] as [string, number, number], ['CVE-2020-0007', 0.8, 0.8] as [string, number, number], ...year(2023, 2, 0.4), ['CVE-2022-0001', 0.9, 0.9] as [string, number, number], ['cve-2023-0002', 0.9, 0.9] as [string, number, number]];
    const imported = await importFeed(store, 'epss', epssFile(dir, scores), { now: at, epssPartRows: 3 });
    expect(imported.rows).toBe(firstLines(scores).length);
    expect(await epssRows()).toEqual(firstLines(scores));
    expect((await parts()).map((p) => p.bounds)).toEqual(["FOR VALUES FROM (MINVALUE) TO ('CVE-2021-')", "FOR VALUES FROM ('CVE-2021-') TO ('CVE-2022-')", "FOR VALUES FROM ('CVE-2022-') TO (MAXVALUE)"]);
    // Years in descending order from the start: one part, whatever its size.
    const descending = [...year(2022, 4, 0.3), ...year(2021, 4, 0.2), ...year(2020, 4, 0.1), ['CVE-2021-0001', 0.9, 0.9] as [string, number, number]];
    expect((await importFeed(store, 'epss', epssFile(dir, descending, { name: 'descending.csv' }), { now: at, epssPartRows: 3 })).rows).toBe(12);
    expect(await epssRows()).toEqual(firstLines(descending));
    expect(await parts()).toEqual([{ part: 'epss_scores_1', bounds: 'FOR VALUES FROM (MINVALUE) TO (MAXVALUE)', key: 'epss_scores_1_pkey' }]);
    // A file of no line: one empty part for every id.
    expect((await importFeed(store, 'epss', epssFile(dir, [], { name: 'empty.csv' }), { now: at, epssPartRows: 3 })).rows).toBe(0);
    expect(await epssRows()).toEqual([]);
    expect(await parts()).toEqual([{ part: 'epss_scores_1', bounds: 'FOR VALUES FROM (MINVALUE) TO (MAXVALUE)', key: 'epss_scores_1_pkey' }]);
  });

  it('rolls back parts already keyed when a later line is refused, and keeps the scores before', async () => {
    await importFeed(store, 'epss', epssFile(dir, before), { now: at });
    const bad = join(dir, 'late.csv');
    writeFileSync(bad, `${epssText([...year(2020, 4, 0.1), ...year(2021, 4, 0.2), ...year(2022, 4, 0.3)])}CVE-2023-0001,0.5,oops\n`);
    await expect(importFeed(store, 'epss', bad, { now: at, epssPartRows: 3 })).rejects.toThrow(`${bad}, line 15: the score and percentile of CVE-2023-0001 must be numbers from 0 to 1`);
    expect(await epssRows()).toEqual(firstLines(before));
    expect(await tables()).toEqual(['epss_scores', 'epss_scores_1', 'epss_scores_1_pkey', 'epss_scores_pkey']);
  });
});
