import { createServer, type Server } from 'node:http';
import { readFileSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { lantern } from '../../../test/support/cli.js';
import { cliDatabase } from '../../../test/support/cli-database.js';
import { epssFile, feedDir, kevFile } from '../../../test/support/feed-files.js';
import { describeEachStore } from '../../../test/support/stores.js';
import type { Store } from '../../store/database.js';
import { run } from '../program.js';

describeEachStore('lantern feeds', (kind) => {
  let dir: string;
  let db: string;
  let store: Store | undefined;
  beforeEach(async () => {
    dir = feedDir();
    ({ url: db, store } = await cliDatabase(kind, dir));
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports KEV and EPSS files and says what each feed holds', async () => {
    const kev = kevFile(dir, [{ cveID: 'CVE-2024-0001', dateAdded: '2024-03-05', dueDate: '2024-03-26' }]);
    expect(await lantern(['feeds', 'import', 'kev', kev, '--db', db])).toEqual({ code: 0, stdout: `Imported 1 known-exploited CVEs from ${kev} (feed date 2024-04-01).\n`, stderr: '' });
    const epss = epssFile(dir, [['CVE-2024-0001', 0.5, 0.9]], { gzip: true });
    expect((await lantern(['feeds', 'import', 'epss', epss, '--db', db])).code).toBe(0);
    const status = await lantern(['feeds', 'status', '--json', '--db', db]);
    expect(JSON.parse(status.stdout)).toMatchObject([
      { name: 'kev', loaded: true, rows: 1, feedDate: '2024-04-01', source: kev },
      { name: 'epss', loaded: true, rows: 1, feedDate: '2024-04-01', source: epss },
    ]);
  });

  it('refuses an unknown feed and a malformed file with exit 2 and one line', async () => {
    expect(await lantern(['feeds', 'import', 'nvd', 'x', '--db', db])).toEqual({ code: 2, stdout: '', stderr: 'lantern: Invalid feed "nvd": expected kev or epss.\n' });
    const bad = epssFile(dir, [['CVE-2024-0001', 2, 0.9]]);
    const refused = await lantern(['feeds', 'import', 'epss', bad, '--db', db]);
    expect(refused).toEqual({ code: 2, stdout: '', stderr: `lantern: ${bad}, line 3: the score and percentile of CVE-2024-0001 must be numbers from 0 to 1; found "CVE-2024-0001,2,0.9".\n` });
  });
});

describeEachStore('lantern serve --feeds-refresh', (kind) => {
  let dir: string;
  let db: string;
  let store: Store | undefined;
  let feedServer: Server;
  let feedAddress: string;
  beforeEach(async () => {
    dir = feedDir();
    ({ url: db, store } = await cliDatabase(kind, dir));
    const kev = readFileSync(kevFile(dir, [{ cveID: 'CVE-2024-0001', dateAdded: '2024-03-05' }]));
    feedServer = createServer((request, response) => {
      if (request.url === '/kev.json') return void response.end(kev);
      response.statusCode = 500;
      response.end();
    });
    await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve));
    feedAddress = `http://127.0.0.1:${(feedServer.address() as { port: number }).port}`;
  });
  afterEach(async () => {
    feedServer.close();
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports the feeds at start; a failed download is recorded and the server keeps serving', async () => {
    let stderr = '';
    let stop = () => undefined as void;
    const stopSignal = new Promise<void>((resolve) => {
      stop = resolve;
    });
    let exited: Promise<number> = Promise.resolve(-1);
    const listening = new Promise<string>((resolve) => {
      const io = {
        out: () => undefined,
        err: (text: string) => {
          stderr += text;
          const address = /on (http:\/\/\S+)\n/.exec(stderr)?.[1];
          if (address) resolve(address);
        },
        env: { LANTERN_LOG_LEVEL: 'silent' },
        stopSignal,
      };
      exited = run(
        ['serve', '--port', '0', '--db', db, '--anonymous', 'viewer', '--feeds-refresh', '24h', '--feeds-kev-url', `${feedAddress}/kev.json`, '--feeds-epss-url', `${feedAddress}/epss.csv.gz`, '--catalog-allow-private'],
        io,
      );
    });
    const address = await listening;
    const feeds = async () => ((await (await fetch(`${address}/api/feeds`)).json()) as { feeds: Array<{ name: string; loaded: boolean; rows: number; error: string | null }> }).feeds;
    for (let i = 0; i < 200 && (await feeds()).some((f) => f.error === null && !f.loaded); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    const [kev, epss] = await feeds();
    expect(kev).toMatchObject({ loaded: true, rows: 1, error: null });
    expect(epss).toMatchObject({ loaded: false, rows: 0, error: `The feed could not be read from ${feedAddress}/epss.csv.gz: the server answered 500.` });
    stop();
    expect(await exited).toBe(0);
  });

  it('refuses an interval under an hour', async () => {
    expect(await lantern(['serve', '--feeds-refresh', '10m', '--db', db])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'lantern: Invalid --feeds-refresh "10m": the feeds are published daily; give 1h or more (24h is usual), or 0 for never.\n',
    });
  });
});
