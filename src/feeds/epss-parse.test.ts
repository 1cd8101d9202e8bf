import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { epssFile, feedDir } from '../../test/support/feed-files.js';
import { InputError, PayloadTooLargeError } from '../domain/errors.js';
import { chunkId, chunkIds, EPSS_CHUNK_ROWS, type EpssChunk, EpssChunker, type EpssLine } from './epss-chunks.js';
import { EpssParse, epssParseThreads } from './epss-parse.js';
import { type EpssHeader, epssScores } from './epss.js';
import { feedBytes, feedLines } from './source.js';

const MB = 1024 * 1024;

/** Every row of `chunks` as [cve, epss, percentile], and how many rows each chunk had. */
async function rowsOf(chunks: AsyncIterable<EpssChunk>): Promise<{ rows: Array<[string, number, number]>; sizes: number[] }> {
  const rows: Array<[string, number, number]> = [];
  const sizes: number[] = [];
  for await (const chunk of chunks) {
    sizes.push(chunk.count);
    const ids = chunkIds(chunk);
    for (let row = 0; row < chunk.count; row++) rows.push([chunkId(chunk, row, ids), chunk.epss[row] as number, chunk.percentiles[row] as number]);
  }
  return { rows, sizes };
}

/** Chunks of `lines` as the parsing thread makes them, made in this thread. */
async function* chunksOf(lines: AsyncIterable<EpssLine>): AsyncGenerator<EpssChunk> {
  const ready: EpssChunk[] = [];
  const chunker = new EpssChunker((chunk) => ready.push(chunk));
  for await (const line of lines) {
    chunker.add(line);
    yield* ready.splice(0);
  }
  chunker.flush();
  yield* ready.splice(0);
}

describe('parsing an EPSS file in its own thread (EpssParse)', () => {
  const dir = feedDir();
  // More than two chunks; ids a key holds and ids it does not (years out of 1990–2200, eight digits), lower case, exponents.
  const scores: Array<[string, number, number]> = [
    ['CVE-1989-0001', 0.5, 0.25],
    ['cve-2024-12345678', 1e-5, 0.125],
    ...Array.from({ length: 2 * EPSS_CHUNK_ROWS + 7 }, (_, n): [string, number, number] => [`CVE-${2010 + (n % 15)}-${10_000 + n}`, (n % 1000) / 1000, (n % 997) / 997]),
    ['CVE-2201-0001', 1, 1],
  ];
  const file = epssFile(dir, scores, { gzip: true, scoreDate: '2024-05-06' });

  it('hands on the rows of the file in file order, as the parser in this thread reads them, with the header first', async () => {
    const heard: EpssHeader[] = [];
    const read = await rowsOf(new EpssParse({ path: file, source: 'epss.csv.gz', maxBytes: 16 * MB, maxRows: 1_000_000 }, (header) => heard.push(header)));
    const here = await rowsOf(chunksOf(epssScores(feedLines(feedBytes(file, { maxBytes: 16 * MB }), file), file, () => undefined)));
    expect(read.rows).toEqual(here.rows);
    expect(read.rows.length).toBe(scores.length);
    expect(read.rows.slice(0, 2)).toEqual([['CVE-1989-0001', 0.5, 0.25], ['CVE-2024-12345678', 1e-5, 0.125]]);
    expect(read.rows.at(-1)).toEqual(['CVE-2201-0001', 1, 1]);
    expect(read.sizes).toEqual([EPSS_CHUNK_ROWS, EPSS_CHUNK_ROWS, 10]);
    expect(heard).toEqual([{ version: 'v2023.03.01', date: '2024-05-06' }]);
  });

  it('keeps its thread for the next file, after a file read whole and after a refused one', async () => {
    const parse = (path: string, maxBytes = 16 * MB, maxRows = 1_000_000) => rowsOf(new EpssParse({ path, source: path, maxBytes, maxRows }, () => undefined));
    await parse(file);
    const started = epssParseThreads.started;
    expect((await parse(file)).rows.length).toBe(scores.length);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'cve,epss,percentile\nCVE-2024-0001,0.5,0.5\nCVE-2024-0002,2,0.5\n');
    const malformed = await parse(bad).catch((error: unknown) => error);
    expect(malformed).toBeInstanceOf(InputError);
    expect((malformed as Error).message).toBe(`${bad}, line 3: the score and percentile of CVE-2024-0002 must be numbers from 0 to 1; found "CVE-2024-0002,2,0.5".`);
    const bomb = join(dir, 'bomb.csv.gz');
    writeFileSync(bomb, gzipSync(`cve,epss,percentile\n${'CVE-2024-0001,0.1,0.1\n'.repeat(100_000)}`));
    const large = await parse(bomb, 64 * 1024).catch((error: unknown) => error);
    expect(large).toBeInstanceOf(PayloadTooLargeError);
    expect((large as Error).message).toContain(`${bomb} is larger than the limit`);
    await expect(parse(file, 16 * MB, 10)).rejects.toThrow(`${file}: more than 10 scores; no EPSS file is this large.`);
    await expect(parse(join(dir, 'missing.csv'))).rejects.toThrow('does not exist');
    expect((await parse(file)).rows.length).toBe(scores.length);
    expect(epssParseThreads.started).toBe(started);
  });

  it('lets its thread go when the rows are not all read, and the next file gets a new one that reads it whole', async () => {
    const started = epssParseThreads.started;
    for await (const chunk of new EpssParse({ path: file, source: file, maxBytes: 16 * MB, maxRows: 1_000_000 }, () => undefined)) {
      expect(chunk.count).toBe(EPSS_CHUNK_ROWS);
      break;
    }
    const closedUnread = new EpssParse({ path: file, source: file, maxBytes: 16 * MB, maxRows: 1_000_000 }, () => undefined);
    closedUnread.close();
    const again = await rowsOf(new EpssParse({ path: file, source: file, maxBytes: 16 * MB, maxRows: 1_000_000 }, () => undefined));
    expect(again.rows.length).toBe(scores.length);
    expect(epssParseThreads.started).toBe(started + 2);
  });
});
