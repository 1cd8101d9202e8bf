import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { lantern } from '../../../test/support/cli.js';
import { cliDatabase } from '../../../test/support/cli-database.js';
import { buildScorecardEstate, ESTATE } from '../../../test/support/scorecard-estate.js';
import { describeEachStore, type StoreKind } from '../../../test/support/stores.js';
import { decide, requestExemption } from '../../insights/exemption-actions.js';
import { Lantern } from '../../lantern.js';
import { openStore, type Store } from '../../store/database.js';
import { run } from '../program.js';

const PERSON = { id: 'user:lead', name: 'lead' };

const FILES = fileURLToPath(new URL('../../scorecards/testdata/files/', import.meta.url));
const SCORECARDS = join(ESTATE, 'scorecards.yaml');

describeEachStore('lantern scorecards', (kind: StoreKind) => {
  let dir: string;
  let db: string;
  let store: Store | undefined;
  let catalogDir: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-scorecards-cli-'));
    ({ url: db, store } = await cliDatabase(kind, dir));
    // The test estate, written through Lantern on the database the CLI is pointed at.
    const estateStore = store ?? (await openStore(db));
    const builder = new Lantern(estateStore);
    const now = new Date().toISOString();
    ({ catalogDir } = await buildScorecardEstate(builder, async (issueId) => {
      const requested = await estateStore.transaction((trx) => requestExemption(trx, { issueId, reason: 'accepted_risk', comment: 'Not reachable.' }, now, PERSON));
      await estateStore.transaction((trx) => decide(trx, requested.id, 'approved', PERSON, now, builder.refreshEntities));
    }));
    if (!store) await builder.close();
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
    rmSync(catalogDir, { recursive: true, force: true });
  });

  it('evaluates every scorecard over every entity and prints each one’s results', async () => {
    const result = await lantern(['scorecards', 'evaluate', '--scorecards', SCORECARDS, '--db', db]);
    expect(result.code).toBe(0);
    // The scans are from March 2026, over a week before any day this runs: every "scanned
    // recently" check fails. Baseline: full 4 of 11, clean 9 of 11, no-data 1 of 6 (36.4, 81.8,
    // 16.7: 45 on average); pci: full 0, clean 1 of 3.
    const row = (...cells: Array<string | number>) => new RegExp(`^${cells.join('\\s+').replace(/[()%.]/g, (c) => `\\${c}`)}\\s*$`, 'm');
    expect(result.stdout).toMatch(/^SCORECARD\s+ORIGIN\s+CHECKS\s+ENTITIES\s+SCORED\s+AVERAGE\s+PASSING\s+CHANGED$/m);
    expect(result.stdout).toMatch(new RegExp(`^security-baseline\\s+built-in\\s+6\\s+3\\s+3\\s+45\\s+0 \\(0%\\)\\s+\\d+\\s*$`, 'm'));
    expect(result.stdout).toMatch(row('operators', 'file', 10, 4, 4, 52.9, '0 (0%)', 4));
    // An entity none of whose applicable checks has data gets no score ("no data"), whatever whenNoData says.
    expect(result.stdout).toMatch(row('no-data', 'file', 4, 3, 2, 50, '1 (50%)', 3));
    expect(result.stdout).toMatch(row('pci', 'file', 2, 2, 2, 16.7, '0 (0%)', 2));
    expect(result.stdout).toMatch(row('groups', 'file', 1, 1, 0, '-', '-', 1));
    expect(result.stdout).toMatch(/\nEvaluated 5 scorecards at \d{4}-\d\d-\d\dT[\d:.]+Z; scorecard files: 0 errors, 0 warnings\.\n$/);

    // Nothing changed since: the second evaluation writes nothing.
    const again = JSON.parse((await lantern(['scorecards', 'evaluate', '--scorecards', SCORECARDS, '--no-default-scorecard', '--json', '--db', db])).stdout);
    expect(again.scorecards.map((s: { id: string; changed: number; removed: number }) => [s.id, s.changed, s.removed])).toEqual([
      ['operators', 0, 0],
      ['no-data', 0, 0],
      ['pci', 0, 0],
      ['groups', 0, 0],
    ]);
    expect(again.scorecards[1]).toMatchObject({ name: 'When there is no data', origin: 'file', file: SCORECARDS, entities: 3, averageScore: 50, passRate: 50, checks: [{ id: 'strict', pass: 1, fail: 2, unknown: 0 }, {}, {}, {}] });
    expect(again.problems).toEqual([]);

    const listed = await lantern(['scorecards', 'list', '--scorecards', SCORECARDS, '--db', db]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('\nno-data: When there is no data\n');
    expect(listed.stdout).toMatch(row('strict', 1, 1, 2, 0, '33.3%'));
    expect(listed.stdout).toMatch(row('nothing-new', 1, 0, 0, 1, '-'));
    const listedJson = JSON.parse((await lantern(['scorecards', 'list', '--json', '--db', db])).stdout);
    expect(listedJson.scorecards.map((s: { id: string }) => s.id)).toEqual(['security-baseline']);
  });

  it('evaluates the good scorecards of a broken file, prints the problems as file:line:col and exits 1', async () => {
    const result = await lantern(['scorecards', 'evaluate', '--scorecards', FILES, '--no-default-scorecard', '--db', db]);
    expect(result.code).toBe(1);
    // broken.yaml's "basics" (one check, has an owner: all but team-a) wins over more/scorecards.yml's;
    // survivor: only full has the pci tag; pci (more/scorecards.yml) applies to full, last scanned long ago.
    expect(result.stdout).toMatch(/^basics\s+file\s+1\s+4\s+4\s+75\s+3 \(75%\)\s+4\s*$/m);
    expect(result.stdout).toMatch(/^survivor\s+file\s+1\s+4\s+4\s+25\s+1 \(25%\)\s+4\s*$/m);
    expect(result.stdout).toMatch(/^pci\s+file\s+1\s+1\s+1\s+0\s+0 \(0%\)\s+1\s*$/m);
    expect(result.stdout).toContain(`${join(FILES, 'broken.yaml')}:35:13: document 6: error: Invalid weight -1: expected a number greater than 0. (field checks[1].weight)\n`);
    expect(result.stdout).toContain('; scorecard files: 7 errors, 0 warnings.\n');
    expect(await lantern(['scorecards', 'evaluate', '--scorecards', join(dir, 'nowhere.yaml'), '--db', db])).toEqual({
      code: 2,
      stdout: '',
      stderr: `lantern: The scorecard file or folder ${join(dir, 'nowhere.yaml')} does not exist.\n`,
    });
  });

  it('refuses a --scorecards path that does not exist with exit 2, before serving', async () => {
    const result = await lantern(['serve', '--port', '0', '--db', db, '--scorecards', join(dir, 'nowhere')], { LANTERN_LOG_LEVEL: 'silent' });
    expect(result).toEqual({ code: 2, stdout: '', stderr: `lantern: The scorecard file or folder ${join(dir, 'nowhere')} does not exist.\n` });
  });

  it('serves the scorecards of --scorecards, evaluated at start-up', async () => {
    let stderr = '';
    let stop = () => undefined as void;
    const stopSignal = new Promise<void>((resolve) => {
      stop = resolve;
    });
    let exited: Promise<number> = Promise.resolve(-1);
    const address = await new Promise<string>((resolve) => {
      const io = {
        out: () => undefined,
        err: (text: string) => {
          stderr += text;
          const found = /on (http:\/\/\S+)\n/.exec(stderr)?.[1];
          if (found) resolve(found);
        },
        env: { LANTERN_LOG_LEVEL: 'silent' },
        stopSignal,
      };
      exited = run(['serve', '--port', '0', '--db', db, '--scorecards', FILES, '--refresh-interval', '0', '--anonymous', 'viewer'], io);
    });
    // The problems of the files, as the catalog prints its own, then what was evaluated.
    expect(stderr).toContain(`${join(FILES, 'broken.yaml')}:9:20: document 1: error: Unknown data point "sto.critcal"`);
    expect(stderr).toContain('Scorecards: security-baseline (3 entities), basics (4 entities), survivor (4 entities), pci (1 entity)\n');
    const body = (await (await fetch(`${address}/api/scorecards`)).json()) as { items: Array<{ id: string; entities: number }>; problems: unknown[] };
    expect(body.items.map((s) => [s.id, s.entities])).toEqual([
      ['security-baseline', 3],
      ['basics', 4],
      ['survivor', 4],
      ['pci', 1],
    ]);
    expect(body.problems).toHaveLength(7);
    stop();
    expect(await exited).toBe(0);
  });
});

it('validates scorecard files without a database', async () => {
  const good = await lantern(['scorecards', 'validate', SCORECARDS]);
  expect(good.code).toBe(0);
  expect(good.stdout).toBe(
    [
      `operators  Every operator  (10 checks)  ${SCORECARDS}:2`,
      `no-data  When there is no data  (4 checks)  ${SCORECARDS}:18`,
      `pci  PCI and Java  (2 checks)  ${SCORECARDS}:40`,
      `groups  Groups  (1 check)  ${SCORECARDS}:54`,
      '',
      '4 scorecards, 0 standalone checks: 0 errors, 0 warnings.',
      '',
    ].join('\n'),
  );
  const bad = await lantern(['scorecards', 'validate', FILES]);
  expect(bad.code).toBe(1);
  expect(bad.stdout).toContain(`${join(FILES, 'broken.yaml')}:14:5: document 2: error: YAML syntax error: Nested mappings are not allowed in compact mappings.\n`);
  expect(bad.stdout.endsWith('\n3 scorecards, 2 standalone checks: 7 errors, 0 warnings.\n')).toBe(true);
  const json = JSON.parse((await lantern(['scorecards', 'validate', '--json', FILES])).stdout);
  expect([json.scorecards.map((s: { id: string }) => s.id), json.checks, json.problems.length]).toEqual([['basics', 'survivor', 'pci'], ['owned', 'no-critical'], 7]);
  expect(await lantern(['scorecards', 'validate', '/nowhere/at/all.yaml'])).toEqual({ code: 2, stdout: '', stderr: 'lantern: The scorecard file or folder /nowhere/at/all.yaml does not exist.\n' });
});
