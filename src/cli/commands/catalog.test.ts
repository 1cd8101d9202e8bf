import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { lantern } from '../../../test/support/cli.js';
import { cliDatabase } from '../../../test/support/cli-database.js';
import { trivyReport } from '../../../test/support/reports.js';
import { describeShared, sharedPath } from '../../../test/support/shared-fixtures.js';
import { describeEachStore, type StoreKind } from '../../../test/support/stores.js';
import type { Store } from '../../store/database.js';

const TESTDATA = fileURLToPath(new URL('../../catalog/testdata/', import.meta.url));
const lodash = { id: 'CVE-2021-23337', pkg: 'lodash', version: '4.17.20', severity: 'HIGH', fixed: '4.17.21' } as const;

describeEachStore('lantern catalog', (kind: StoreKind) => {
  let dir: string;
  let db: string;
  let store: Store | undefined;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-catalog-cli-'));
    cpSync(join(TESTDATA, 'store'), join(dir, 'store'), { recursive: true });
    ({ url: db, store } = await cliDatabase(kind, dir));
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  const at = (...parts: string[]) => join(dir, 'store', ...parts);

  it('validates without storing: each entity with its links checked against the database, problems as file:line:col', async () => {
    const unchecked = await lantern(['catalog', 'validate', at('catalog-info.yaml'), '--scope', 'acme.pay', '--db', join(dir, 'none.db')]);
    expect(unchecked.code).toBe(0);
    expect(unchecked.stdout).toContain(`component:default/payments  [acme.pay]  ${at('services', 'payments.yaml')}:2\n  link registry.acme.io/payments [acme.pay] variant latest: not checked\n`);
    expect(unchecked.stdout).toContain(`${at('services', 'ledger.yaml')}:11:10: document 1: warning: spec.owner refers to group:default/team-b, which is not in the catalog; the relation is kept and marked missing. (field spec.owner)\n`);
    expect(unchecked.stdout.endsWith(`6 entities: 0 errors, 2 warnings; 4 target links, not checked: no database at ${join(dir, 'none.db')} (give --db).\n`)).toBe(true);

    const report = join(dir, 'trivy.json');
    writeFileSync(report, trivyReport([lodash]));
    await lantern(['ingest', report, '--target', 'registry.acme.io/payments', '--type', 'container', '--variant', 'latest', '--scope', 'acme.pay', '--db', db]);
    await lantern(['ingest', report, '--target', 'acme/ledgr', '--type', 'repository', '--variant', 'main', '--scope', 'acme.pay', '--db', db]);
    const checked = await lantern(['catalog', 'validate', at('catalog-info.yaml'), '--scope', 'acme.pay', '--db', db]);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain('  link registry.acme.io/payments [acme.pay] variant latest: matched registry.acme.io/payments, showing latest\n');
    expect(checked.stdout).toContain(
      '  link acme/ledger [acme.pay] baseline: no target\n    warning similar-target: No target named "acme/ledger" exists in acme.pay; a target with a similar name does: "acme/ledgr" in acme.pay.\n',
    );
    // The three links that match nothing warn, and the summary counts their warnings with the files'.
    expect(checked.stdout.endsWith('\n6 entities: 0 errors, 5 warnings (3 on target links); 4 target links, 1 matched.\n')).toBe(true);
    const json = JSON.parse((await lantern(['catalog', 'validate', at('catalog-info.yaml'), '--scope', 'acme.pay', '--json', '--db', db])).stdout);
    expect(json.summary).toEqual({ entities: 6, errors: 0, warnings: 5, links: 4, matched: 1 });
    expect(json.entities.find((e: { ref: string }) => e.ref === 'component:default/payments').links[0]).toMatchObject({ name: 'registry.acme.io/payments', matched: true, shown: 'latest', reason: 'variant' });
    // Nothing was registered.
    expect((await lantern(['catalog', 'list', '--db', db])).stdout).toBe('The catalog is empty: `lantern catalog register PATH` adds entities.\n');
  });

  it('exits 1 on any error, and 2 with one line for a path it cannot read or a bad flag', async () => {
    const problems = await lantern(['catalog', 'validate', join(TESTDATA, 'annotation-problems.yaml'), '--db', join(dir, 'none.db')]);
    expect(problems.code).toBe(1);
    expect(problems.stdout).toContain(
      `${join(TESTDATA, 'annotation-problems.yaml')}:10:9: document 1: error: Entry 2 of harness.io/sto-test-target has no name: expected the name of a test target, such as "acme/payments". (field metadata.annotations["harness.io/sto-test-target"][1])\n`,
    );
    // Read against annotations.ts's rules: errors are entries 2-6 of the first document and the
    // second document's plain-text annotation (6); warnings are the two "varient" keys, the repeated
    // entry 7, the unparseable repository URL, and three owners not in the catalog (7).
    expect(problems.stdout).toContain('3 entities: 6 errors, 7 warnings;');

    expect(await lantern(['catalog', 'validate', join(dir, 'nowhere.yaml')])).toEqual({ code: 2, stdout: '', stderr: `lantern: The file or folder ${join(dir, 'nowhere.yaml')} does not exist.\n` });
    expect(await lantern(['catalog', 'validate', at('catalog-info.yaml'), '--scope', 'a.b.c'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^lantern: Invalid --scope "a\.b\.c"/) });
    expect(await lantern(['catalog', 'register', join(dir, 'nowhere.yaml'), '--db', db])).toEqual({ code: 2, stdout: '', stderr: `lantern: The file or folder ${join(dir, 'nowhere.yaml')} does not exist.\n` });
    expect((await lantern(['catalog', 'locations', '--db', db])).stdout).toBe('No location is registered: `lantern catalog register PATH` adds one.\n');
    expect(await lantern(['catalog', 'unregister', 'x', '--db', db])).toMatchObject({ code: 2, stderr: 'lantern: Invalid location id "x": expected a whole number from 1 to 2147483647.\n' });
    expect(await lantern(['catalog', 'unregister', '99999999999', '--db', db])).toMatchObject({ code: 2, stderr: 'lantern: Invalid location id "99999999999": expected a whole number from 1 to 2147483647.\n' });
    expect(await lantern(['catalog', 'unregister', '7', '--db', db])).toMatchObject({ code: 2, stderr: 'lantern: No location with id 7.\n' });
    expect((await lantern(['catalog', 'list', '--colour'])).code).toBe(2);
  });

  it('registers, lists, reads again after an edit, reports a conflict, and unregisters', async () => {
    const registered = await lantern(['catalog', 'register', at('catalog-info.yaml'), '--scope', 'acme.pay', '--db', db]);
    expect(registered).toEqual({
      code: 0,
      stdout: `Registered ${at('catalog-info.yaml')} as location 1 [acme.pay]: 6 added, 0 updated, 0 removed, 0 unchanged.\n  target links: 4, 0 matched\n`,
      stderr: '',
    });

    const list = await lantern(['catalog', 'list', '--kind', 'Component', '--db', db]);
    expect(list.stdout).toMatch(/^ENTITY\s+TYPE\s+OWNER\s+SCOPE\s+LINKS\s+PROBLEMS\s*\ncomponent:default\/ledger\s+library\s+group:default\/team-b\s+acme\.pay\s+0\/1 matched\s+-\s*\ncomponent:default\/payments\s+service\s+group:default\/team-a\s+acme\.pay\s+0\/3 matched\s+-\s*\n$/);
    const listed = JSON.parse((await lantern(['catalog', 'list', '--json', '--db', db])).stdout);
    expect(listed.map((e: { ref: string }) => e.ref)).toEqual([
      'api:default/payments-api',
      'component:default/ledger',
      'component:default/payments',
      'group:default/team-a',
      'location:default/checkout-services',
      'system:default/checkout',
    ]);
    expect(listed[2]).toMatchObject({ title: 'Payments', owner: 'group:default/team-a', system: 'system:default/checkout', location: at('catalog-info.yaml'), repositoryUrl: 'https://github.com/acme/payments' });
    expect(listed[2].links.map((l: { name: string }) => l.name)).toEqual(['registry.acme.io/payments', 'acme/payments-config', 'acme/payments']);

    writeFileSync(at('services', 'ledger.yaml'), readFileSync(at('services', 'ledger.yaml'), 'utf8').replace('name: ledger', 'name: billing'));
    const again = await lantern(['catalog', 'register', at('catalog-info.yaml'), '--scope', 'acme.pay', '--db', db]);
    expect(again.stdout).toBe(`Read ${at('catalog-info.yaml')} (location 1) [acme.pay] again: 1 added, 0 updated, 1 removed, 5 unchanged.\n  target links: 4, 0 matched\n`);

    const conflict = await lantern(['catalog', 'register', at('elsewhere'), '--scope', 'acme.pay', '--db', db]);
    expect(conflict.code).toBe(1);
    expect(conflict.stdout).toBe(
      `Registered ${at('elsewhere')} as location 2 [acme.pay]: 1 added, 0 updated, 0 removed, 0 unchanged.\n  target links: 0, 0 matched\n` +
        `${at('elsewhere', 'catalog-info.yaml')}:2: document 1: error: The entity component:default/payments is already defined in ${at('services', 'payments.yaml')}, document 1 (location ${at('catalog-info.yaml')}); this second definition is ignored and the first is kept.\n`,
    );
    const locations = await lantern(['catalog', 'locations', '--db', db]);
    expect(locations.stdout).toMatch(new RegExp(`^ID\\s+TARGET\\s+SCOPE\\s+STATUS\\s+ENTITIES\\s+LAST READ\\s+LAST ERROR\\s*\\n1\\s+\\S+catalog-info\\.yaml\\s+acme\\.pay\\s+ok\\s+6\\s`));
    expect(JSON.parse((await lantern(['catalog', 'locations', '--json', '--db', db])).stdout)[1]).toMatchObject({ id: 2, status: 'error', entities: 1, lastError: expect.stringContaining('is already defined in') });

    const refreshed = await lantern(['catalog', 'refresh', '--db', db]);
    expect(refreshed.code).toBe(1);
    expect(refreshed.stdout).toContain(`${at('catalog-info.yaml')} (location 1): ok; 0 added, 0 updated, 0 removed, 6 unchanged.\n`);
    expect(refreshed.stdout).toContain(`${at('elsewhere')} (location 2): error; 0 added, 0 updated, 0 removed, 1 unchanged.\n  ${at('elsewhere', 'catalog-info.yaml')}:2: document 1: error:`);

    expect(await lantern(['catalog', 'unregister', '2', '--db', db])).toEqual({ code: 0, stdout: `Unregistered ${at('elsewhere')} (location 2) and removed its entities.\n`, stderr: '' });
    const clean = await lantern(['catalog', 'refresh', '--json', '--db', db]);
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout)).toEqual([expect.objectContaining({ location: expect.objectContaining({ id: 1, status: 'ok' }), unchanged: 6 })]);
  });

  it('registers a URL on a loopback address only when --catalog-allow-host or --catalog-allow-private allows it', async () => {
    const catalog = readFileSync(at('services', 'ledger.yaml'));
    const server = createServer((_request, response) => response.end(catalog));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ledger.yaml`;
    try {
      expect(await lantern(['catalog', 'register', url, '--db', db])).toEqual({
        code: 2,
        stdout: '',
        stderr: `lantern: The URL ${url} is refused: 127.0.0.1 is a loopback address; catalog locations may only reach public hosts unless allowed with --catalog-allow-host or --catalog-allow-private.\n`,
      });
      expect(await lantern(['catalog', 'register', url, '--db', db, '--catalog-allow-host', 'http://127.0.0.1'])).toEqual({
        code: 2,
        stdout: '',
        stderr: 'lantern: Invalid --catalog-allow-host "http://127.0.0.1": expected a host name or an IP address, such as catalog.acme.io or 10.0.0.5, without a scheme, port or path.\n',
      });
      const allowed = await lantern(['catalog', 'register', url, '--db', db, '--catalog-allow-host', '127.0.0.1']);
      expect(allowed.stdout).toContain(`Registered ${url} as location 1`);
      const refreshed = await lantern(['catalog', 'refresh', '--db', db, '--catalog-allow-private']);
      expect(refreshed.stdout).toContain(`${url} (location 1): `);
      expect(refreshed.stdout).not.toContain('refused');
      expect((await lantern(['catalog', 'register', join(dir, 'store'), '--db', db, '--catalog-max-locations', '1'])).stderr).toBe(
        `lantern: The location ${join(dir, 'store')} cannot be registered: Lantern already holds 1 locations, the most it allows (catalog.maxLocations); unregister one first.\n`,
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('links an entity registered first to a report ingested afterwards with lantern ingest', async () => {
    await lantern(['catalog', 'register', at('catalog-info.yaml'), '--scope', 'acme.pay', '--db', db]);
    const report = join(dir, 'trivy.json');
    writeFileSync(report, trivyReport([lodash]));
    await lantern(['ingest', report, '--target', 'acme/payments', '--type', 'repository', '--variant', 'feature-x', '--scope', 'acme.pay', '--db', db]);
    const payments = () => lantern(['catalog', 'list', '--json', '--db', db]).then((r) => JSON.parse(r.stdout).find((e: { name: string }) => e.name === 'payments').links[2]);
    expect(await payments()).toMatchObject({ name: 'acme/payments', matched: true, shown: 'feature-x', reason: 'most-recent' });
    await lantern(['ingest', report, '--target', 'acme/payments', '--type', 'repository', '--variant', 'v2', '--scope', 'acme.pay', '--db', db]);
    await lantern(['targets', 'baseline', 'acme/payments', '--variant', 'feature-x', '--scope', 'acme.pay', '--db', db]);
    expect(await payments()).toMatchObject({ shown: 'feature-x', reason: 'explicit', diagnostics: [] });
  });
});

describeShared('the Backstage example catalog through lantern catalog register', () => {
  describeEachStore('register', (kind: StoreKind) => {
    let dir: string;
    let db: string;
    let store: Store | undefined;
    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'lantern-catalog-examples-'));
      ({ url: db, store } = await cliDatabase(kind, dir));
    });
    afterEach(async () => {
      await store?.close();
      store = undefined;
      rmSync(dir, { recursive: true, force: true });
    });

    it('acme/org.yaml stores exactly the 26 groups and users its Location tree reaches', async () => {
      // 26 = 1 Location + 8 groups + 17 users: the breadth-first walk of org.yaml's Location
      // targets done with python3 for catalog/backstage-examples.test.ts, kinds counted by grep.
      const result = await lantern(['catalog', 'register', sharedPath('catalog', 'backstage-examples', 'acme', 'org.yaml'), '--db', db]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Registered \S+org\.yaml as location 1 \[default\.default\]: 26 added, 0 updated, 0 removed, 0 unchanged\.\n/);
      const listed = JSON.parse((await lantern(['catalog', 'list', '--json', '--db', db])).stdout);
      expect(listed).toHaveLength(26);
      expect(listed.filter((e: { kind: string }) => e.kind === 'User')).toHaveLength(17);
    });
  });
});
