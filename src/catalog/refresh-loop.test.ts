import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import { Lantern } from '../lantern.js';
import type { RefreshOutcome } from './catalog.js';
import { startRefreshLoop } from './refresh-loop.js';
import { nodeSourceReader, type SourceReader } from './source-reader.js';

const CATALOG = fileURLToPath(new URL('./testdata/store/elsewhere/catalog-info.yaml', import.meta.url));

it('refreshes every interval, never two runs at once, reports errors, and stops after the run in progress', async () => {
  let running = 0;
  let overlapped = false;
  let runs = 0;
  let release: () => void = () => undefined;
  const catalog = {
    async refreshAll(): Promise<RefreshOutcome[]> {
      runs++;
      overlapped ||= running > 0;
      running++;
      try {
        if (runs === 2) throw new Error('database gone');
        if (runs === 3) await new Promise<void>((resolve) => (release = resolve));
        return [];
      } finally {
        running--;
      }
    },
  };
  const reports: Array<RefreshOutcome[] | Error> = [];
  const loop = startRefreshLoop(catalog, 5, (r) => reports.push(r));
  while (runs < 3) await new Promise((resolve) => setTimeout(resolve, 5));
  const stopped = loop.stop();
  let done = false;
  void stopped.then(() => (done = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(done).toBe(false);
  release();
  await stopped;
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(runs).toBe(3);
  expect(overlapped).toBe(false);
  expect(reports).toEqual([[], new Error('database gone'), []]);
});

it('keeps running when a run throws before it starts or its report throws, with no unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  let runs = 0;
  const catalog = {
    refreshAll(): Promise<RefreshOutcome[]> {
      runs++;
      if (runs === 1) throw new Error('thrown before any promise');
      return Promise.resolve([]);
    },
  };
  const reports: Array<RefreshOutcome[] | Error> = [];
  const loop = startRefreshLoop(catalog, 5, (r) => {
    reports.push(r);
    if (reports.length === 2) throw new Error('the logger failed');
  });
  try {
    while (runs < 4) await new Promise((resolve) => setTimeout(resolve, 5));
  } finally {
    await loop.stop();
    await new Promise((resolve) => setImmediate(resolve));
    process.off('unhandledRejection', onUnhandled);
  }
  expect(reports[0]).toEqual(new Error('thrown before any promise'));
  expect(reports.length).toBeGreaterThanOrEqual(3);
  expect(unhandled).toEqual([]);
});

describeEachStore('Catalog.refreshAll', (kind: StoreKind) => {
  let lantern: Lantern;
  let broken = false;
  beforeEach(async () => {
    const disk = nodeSourceReader();
    const reader: SourceReader = { ...disk, kindOf: (path) => (broken ? Promise.reject(new Error('disk on fire')) : disk.kindOf(path)) };
    lantern = new Lantern(await openTestStore(kind), { catalog: { reader } });
  });
  afterEach(async () => {
    broken = false;
    await lantern.close();
  });

  it('reports a location whose refresh failed and carries on with the others', async () => {
    const first = await lantern.catalog.register(CATALOG, parseScope('acme.pay'));
    broken = true;
    const [outcome] = await lantern.catalog.refreshAll();
    expect(outcome).toEqual({ location: expect.objectContaining({ id: first.location.id }), error: new Error('disk on fire') });
    broken = false;
    const [again] = await lantern.catalog.refreshAll();
    expect(again && 'summary' in again && again.summary.unchanged).toBe(2);
  });
});
