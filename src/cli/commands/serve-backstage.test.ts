import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { lantern } from '../../../test/support/cli.js';
import { cliDatabase } from '../../../test/support/cli-database.js';
import { type FakeBackstage, type FakeEntity, startFakeBackstage } from '../../../test/support/fake-backstage.js';
import { describeEachStore, type StoreKind } from '../../../test/support/stores.js';
import type { Store } from '../../store/database.js';
import { run } from '../program.js';

const TOKEN = 'bk-static-51c0e2a9d7f4';
const entity = (kind: string, name: string, spec: Record<string, unknown>): FakeEntity => ({ apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name, namespace: 'default' }, spec });
const ENTITIES = [
  entity('Component', 'payments', { type: 'service', lifecycle: 'production', owner: 'team-a' }),
  entity('Component', 'ledger', { type: 'service', lifecycle: 'production', owner: 'team-a' }),
  entity('Group', 'team-a', { type: 'team', children: [] }),
];

describeEachStore('lantern serve --catalog backstage+http://…', (kind: StoreKind) => {
  let dir: string;
  let db: string;
  let store: Store | undefined;
  let backstage: FakeBackstage;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-serve-backstage-'));
    ({ url: db, store } = await cliDatabase(kind, dir));
    backstage = await startFakeBackstage({ token: TOKEN, entities: [...ENTITIES] });
  });
  afterEach(async () => {
    await backstage.close();
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the catalog from Backstage at start-up with the token from LANTERN_BACKSTAGE_TOKEN, and again on refresh', async () => {
    let stderr = '';
    let exited: Promise<number> = Promise.resolve(-1);
    let stop = () => undefined as void;
    const stopSignal = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const listening = new Promise<string>((resolve) => {
      const io = {
        out: () => undefined,
        err: (text: string) => {
          stderr += text;
          const address = /on (http:\/\/\S+)\n/.exec(stderr)?.[1];
          if (address) resolve(address);
        },
        env: { LANTERN_LOG_LEVEL: 'silent', LANTERN_BACKSTAGE_TOKEN: TOKEN },
        stopSignal,
      };
      // The fake Backstage listens on a loopback port, which catalog reads may reach only when allowed.
      exited = run(['serve', '--port', '0', '--db', db, '--catalog', backstage.url.replace('http://', 'backstage+http://'), '--catalog-allow-host', '127.0.0.1', '--anonymous', 'viewer'], io);
    });
    const address = await listening;
    expect(stderr).toContain(`Catalog ${backstage.location} [default.default]: 3 entities\n`);
    const names = async () => ((await (await fetch(`${address}/api/catalog/entities?fields=metadata.name&order=asc:metadata.name`)).json()) as Array<{ metadata: { name: string } }>).map((e) => e.metadata.name);
    expect(await names()).toEqual(['ledger', 'payments', 'team-a']);
    const locations = (await (await fetch(`${address}/api/catalog/locations`)).json()) as Array<{ data: { type: string; target: string; status: string } }>;
    expect(locations.map((l) => l.data)).toEqual([expect.objectContaining({ type: 'backstage', target: backstage.location, status: 'ok' })]);

    backstage.entities = ENTITIES.filter((e) => e.metadata.name !== 'ledger');
    const admin = /\b(lnt_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43})\b/.exec(stderr)?.[1];
    const refreshed = await fetch(`${address}/api/catalog/refresh`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    expect(await refreshed.json()).toMatchObject({ locations: [{ target: backstage.location, status: 'ok', removed: 1, unchanged: 2 }] });
    expect(await names()).toEqual(['payments', 'team-a']);
    expect(backstage.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);

    stop();
    expect(await exited).toBe(0);
    expect(stderr).not.toContain(TOKEN);
  });

  it('catalog register and validate read a Backstage too: refused on a loopback address unless allowed, and a wrong token is one clear line', async () => {
    const target = backstage.location;
    expect(await lantern(['catalog', 'register', target, '--db', db], { LANTERN_BACKSTAGE_TOKEN: TOKEN })).toEqual({
      code: 2,
      stdout: '',
      stderr: `lantern: The URL ${backstage.url}/api/catalog/entities/by-query?limit=200 is refused: 127.0.0.1 is a loopback address; catalog locations may only reach public hosts unless allowed with --catalog-allow-host or --catalog-allow-private.\n`,
    });
    expect(await lantern(['catalog', 'register', target, '--db', db, '--catalog-allow-private'], { LANTERN_BACKSTAGE_TOKEN: 'bk-not-the-token' })).toEqual({
      code: 2,
      stdout: '',
      stderr: `lantern: The Backstage catalog ${target} refused the token in LANTERN_BACKSTAGE_TOKEN (HTTP 401): expected a static or service token that Backstage's backend accepts.\n`,
    });
    const registered = await lantern(['catalog', 'register', target, '--db', db, '--catalog-allow-private', '--json'], { LANTERN_BACKSTAGE_TOKEN: TOKEN });
    expect(registered.code).toBe(0);
    expect(JSON.parse(registered.stdout)).toMatchObject({ location: { target, status: 'ok' }, added: ['component:default/payments', 'component:default/ledger', 'group:default/team-a'] });
    const validated = await lantern(['catalog', 'validate', target, '--catalog-allow-private', '--json', '--db', db], { LANTERN_BACKSTAGE_TOKEN: TOKEN });
    expect(validated.code).toBe(0);
    expect(validated.stdout).toContain('component:default/payments');
  });
});
