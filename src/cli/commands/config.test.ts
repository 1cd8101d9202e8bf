import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lantern } from '../../../test/support/cli.js';
import { cliDatabase } from '../../../test/support/cli-database.js';
import { CookieJar, signInAtProvider, startTestOidcProvider, type TestOidcProvider } from '../../../test/support/oidc-provider.js';
import { describeEachStore, type StoreKind } from '../../../test/support/stores.js';
import type { Store } from '../../store/database.js';
import { run } from '../program.js';

const EXAMPLE = fileURLToPath(new URL('../../config/testdata/lantern.yaml', import.meta.url));

describe('lantern serve --config and lantern config validate', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-config-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to serve with a bad file: exit 2, one line per problem', async () => {
    const file = join(dir, 'lantern.yaml');
    writeFileSync(file, 'grants:\n  - group: appsec\n    role: root\n    scope: account\nanonymus: { role: viewer }\n');
    expect(await lantern(['serve', '--port', '0', '--db', join(dir, 'x.db'), '--config', file])).toEqual({
      code: 2,
      stdout: '',
      stderr: [
        `${file}:5:1: error: Unknown field "anonymus" in the configuration: expected oidc, grants, anonymous, allowSelfApproval, notifications, sla, gate. (field anonymus)`,
        `${file}:3:11: error: Invalid role "root": expected one of viewer, ingester, developer, security, admin. (field grants[0].role)`,
        `lantern: The configuration file ${file} has 2 problems (above), so Lantern did not start.`,
        '',
      ].join('\n'),
    });
    expect((await lantern(['config', 'validate', '--config', file])).code).toBe(2);
  });

  it('validates a good file', async () => {
    expect(await lantern(['config', 'validate', '--config', EXAMPLE])).toEqual({ code: 0, stdout: `${EXAMPLE}: valid; OpenID Connect at https://keycloak.acme.io/realms/acme; 3 grants.\n`, stderr: '' });
  });

  it('refuses --oidc-issuer without a client id, and a plain-http issuer elsewhere than loopback', async () => {
    expect((await lantern(['serve', '--oidc-issuer', 'https://id.acme.io'])).stderr).toBe(
      "lantern: --oidc-issuer needs --oidc-client-id (or oidc.clientId in --config): Lantern's client id at the provider.\n",
    );
    expect((await lantern(['serve', '--oidc-issuer', 'http://id.acme.io', '--oidc-client-id', 'lantern'])).stderr).toBe(
      'lantern: Invalid --oidc-issuer "http://id.acme.io": expected an https URL (plain http only for a provider on a loopback address such as localhost).\n',
    );
  });

  it('documents every field of the example in docs/security.md', () => {
    const docs = readFileSync(fileURLToPath(new URL('../../../docs/security.md', import.meta.url)), 'utf8');
    for (const field of ['issuer:', 'clientId:', 'redirectUrl:', 'groupsClaim:', 'scopes:', 'grants:', 'anonymous:', 'allowSelfApproval:', 'LANTERN_OIDC_CLIENT_SECRET']) expect(docs).toContain(field);
  });
});

describeEachStore('lantern serve --config with OpenID Connect', (kind: StoreKind) => {
  let provider: TestOidcProvider;
  let dir: string;
  let db: string;
  let store: Store | undefined;
  beforeAll(async () => {
    provider = await startTestOidcProvider({ accounts: [{ id: 'u-eve', name: 'Eve', email: 'eve@acme.io', groups: ['appsec'] }] });
  });
  afterAll(async () => {
    await provider.close();
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-serve-config-'));
    ({ url: db, store } = await cliDatabase(kind, dir));
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs people in through the provider of the file, with the grants of their groups', async () => {
    const file = join(dir, 'lantern.yaml');
    writeFileSync(file, `oidc:\n  issuer: https://unused.example\n  clientId: wrong\ngrants:\n  - group: appsec\n    role: security\n    scope: acme\n`);
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
        env: { LANTERN_LOG_LEVEL: 'silent', LANTERN_OIDC_CLIENT_SECRET: provider.clientSecret },
        stopSignal,
      };
      // The flags win over the file's issuer and client id.
      exited = run(['serve', '--port', '0', '--db', db, '--config', file, '--oidc-issuer', provider.issuer, '--oidc-client-id', provider.clientId], io);
    });
    expect(stderr).toContain(`Signing in through OpenID Connect at ${provider.issuer} as client ${provider.clientId}.\n`);
    expect(await (await fetch(`${address}/api/auth/me`)).json()).toEqual({ principal: null, signIn: { url: '/api/auth/login' } });

    const jar = new CookieJar();
    const login = await fetch(`${address}/api/auth/login?returnTo=/exemptions`, { redirect: 'manual' });
    jar.take(login);
    const back = await signInAtProvider(String(login.headers.get('location')), 'u-eve');
    expect(back.origin).toBe(address);
    const done = await fetch(back, { redirect: 'manual', headers: { cookie: jar.header } });
    expect([done.status, done.headers.get('location')]).toEqual([302, '/exemptions']);
    jar.take(done);
    expect(await (await fetch(`${address}/api/auth/me`, { headers: { cookie: jar.header } })).json()).toMatchObject({
      principal: { id: 'user:u-eve', name: 'Eve', grants: [{ role: 'security', scope: 'acme' }] },
    });

    stop();
    expect(await exited).toBe(0);
  });
});
