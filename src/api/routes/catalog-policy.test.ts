import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../../test/support/stores.js';
import { parseScope } from '../../domain/scope.js';

/**
 * The catalog reading policy seen from the API: a catalog file must not make Lantern reach the
 * network or the files of the host it runs on, nor show what it read there.
 */

const MARKER = 'MARKER-7d1f0c-never-shown';
const LIFT = 'catalog locations may only reach public hosts unless allowed with --catalog-allow-host or --catalog-allow-private.';
const component = (name: string, spec: string) => `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n${spec}`;
const locationOf = (name: string, target: string) => `apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: ${name}\nspec:\n  type: url\n  target: ${target}\n`;

interface Listening {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

async function listen(host: string, answer: (path: string, response: import('node:http').ServerResponse) => void): Promise<Listening> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request.url ?? '');
    answer(request.url ?? '', response);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A port nothing listens on: one that was free a moment ago. */
async function closedPort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describeEachStore('the catalog reading policy, through the API', (kind: StoreKind) => {
  // An internal service on a loopback port, which a catalog must never reach; every answer holds the marker.
  let internal: Listening;
  // A catalog host that is explicitly allowed (127.0.0.2 is loopback too, hence the allow-list).
  let allowed: Listening;
  let root: string;
  let server: TestServer;
  const post = (payload: object, query = '') => server.app.inject({ method: 'POST', url: `/api/catalog/locations${query}`, payload });

  beforeAll(async () => {
    internal = await listen('127.0.0.1', (_path, response) => response.writeHead(200, { 'content-type': 'text/yaml' }).end(component('internal-secret', `  description: ${MARKER}\n`)));
    allowed = await listen('127.0.0.2', (path, response) => {
      if (path === '/redirect') return void response.writeHead(302, { location: `${internal.url}/catalog-info.yaml` }).end();
      if (path === '/hops') return void response.writeHead(302, { location: '/hops' }).end();
      if (path === '/location.yaml') return void response.writeHead(200).end(locationOf('leads-inside', `${internal.url}/catalog-info.yaml`));
      if (path === '/placeholders.yaml') {
        return void response.writeHead(200).end(component('remote', `  definition:\n    $text: ${internal.url}/openapi.yaml\n  other:\n    $json: ./secret.json\n`));
      }
      if (path === '/secret.json') return void response.writeHead(200).end(`not json: ${MARKER}`);
      response.writeHead(404).end(`no such file; ${MARKER}`);
    });
  });
  afterAll(async () => {
    await internal.close();
    await allowed.close();
  });
  beforeEach(async () => {
    internal.requests.length = 0;
    server = await startTestServer(kind, { catalog: { allowHosts: ['127.0.0.2'] } });
    root = mkdtempSync(join(tmpdir(), 'lantern-policy-api-'));
  });
  afterEach(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('never contacts an internal server: not as a location, not through a redirect, not as the target of a Location', async () => {
    const target = `${internal.url}/catalog-info.yaml`;
    const notListed = `The URL ${target} is refused: 127.0.0.1 is not one of the hosts catalog locations may reach (--catalog-allow-host).`;
    for (const query of ['', '?dryRun=true']) {
      const direct = await post({ target }, query);
      expect([direct.statusCode, direct.json().error.message]).toEqual([400, notListed]);
      const redirected = await post({ target: `${allowed.url}/redirect` }, query);
      expect([redirected.statusCode, redirected.json().error.message]).toEqual([
        400,
        `The URL ${allowed.url}/redirect redirects to ${target}, which is refused: 127.0.0.1 is not one of the hosts catalog locations may reach (--catalog-allow-host).`,
      ]);
    }

    // Without an allow-list, a loopback address is refused as such.
    const open = await startTestServer(kind);
    try {
      const refused = await open.app.inject({ method: 'POST', url: '/api/catalog/locations', payload: { target } });
      expect([refused.statusCode, refused.json().error.message]).toEqual([400, `The URL ${target} is refused: 127.0.0.1 is a loopback address; ${LIFT}`]);
      // A name is judged by the addresses it resolves to.
      const named = await open.app.inject({ method: 'POST', url: '/api/catalog/locations', payload: { target: target.replace('127.0.0.1', 'localhost') } });
      expect(named.statusCode).toBe(400);
      expect(named.json().error.message).toMatch(/ is refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address; /);
    } finally {
      await open.close();
    }

    // A Location read from an allowed URL, and one in a local catalog, name the internal server.
    const created = await post({ target: `${allowed.url}/location.yaml` });
    expect(created.statusCode).toBe(201);
    const refusal = `The target "${target}" of the Location location:default/leads-inside cannot be read: ${notListed}`;
    expect(created.json().location).toMatchObject({ status: 'error', lastError: expect.stringContaining(refusal) });
    mkdirSync(join(root, 'catalog'));
    writeFileSync(join(root, 'catalog', 'catalog-info.yaml'), locationOf('leads-inside-too', target));
    const local = await server.lantern.catalog.register(join(root, 'catalog'), parseScope('acme.pay'));
    expect(local.problems.map((p) => p.message)).toEqual([refusal.replace('leads-inside', 'leads-inside-too')]);

    // At most five redirects, each one checked.
    const hops = await post({ target: `${allowed.url}/hops` });
    expect(hops.json().error.message).toBe(`The URL ${allowed.url}/hops redirects more than 5 times; a catalog location may redirect at most 5 times.`);

    expect(internal.requests).toEqual([]);
  });

  it('never reads a file outside the folder of its location, and never shows what such a file holds', async () => {
    const outside = join(root, 'outside.txt');
    writeFileSync(outside, MARKER);
    const team = join(root, 'catalog', 'team');
    mkdirSync(team, { recursive: true });
    symlinkSync(outside, join(team, 'link.txt'));
    writeFileSync(join(team, 'inside.txt'), 'inside');
    writeFileSync(
      join(team, 'catalog-info.yaml'),
      component(
        'payments',
        ['  relative:', '    $text: ../../outside.txt', '  absolute:', `    $text: ${outside}`, '  linked:', '    $text: ./link.txt', '  proc:', '    $text: /proc/self/environ', '  inside:', '    $text: ./inside.txt', ''].join('\n'),
      ),
    );
    const folder = join(root, 'catalog');
    const summary = await server.lantern.catalog.register(folder, parseScope('acme.pay'));
    expect(summary.problems.map((p) => p.message)).toEqual([
      `The $text placeholder "${outside}" at spec.absolute could not be resolved, so it is left unresolved: The path "${outside}" is refused: a placeholder may only name a relative path inside the folder of its catalog location.`,
      `The $text placeholder "./link.txt" at spec.linked could not be resolved, so it is left unresolved: The file ${join(team, 'link.txt')} is refused: it is outside the folder ${folder} of its catalog location (symlinks resolved).`,
      'The $text placeholder "/proc/self/environ" at spec.proc could not be resolved, so it is left unresolved: The path "/proc/self/environ" is refused: a placeholder may only name a relative path inside the folder of its catalog location.',
      `The $text placeholder "../../outside.txt" at spec.relative could not be resolved, so it is left unresolved: The path "../../outside.txt" is refused: it leads outside the folder ${folder} of its catalog location.`,
    ]);

    const entity = await server.app.inject({ method: 'GET', url: '/api/catalog/entities/by-name/component/default/payments' });
    expect(entity.json().spec).toMatchObject({ inside: 'inside', relative: { $text: '../../outside.txt' }, absolute: { $text: outside }, linked: { $text: './link.txt' } });
    const detail = await server.app.inject({ method: 'GET', url: `/api/catalog/locations/${summary.location.id}` });
    const answers = [entity.body, detail.body, (await server.app.inject({ method: 'GET', url: '/api/catalog/entities' })).body, (await server.app.inject({ method: 'GET', url: '/api/catalog/locations' })).body];

    // A file read from a URL: placeholders on another origin are refused; a body that fails to parse is not quoted.
    const dry = await post({ target: `${allowed.url}/placeholders.yaml` }, '?dryRun=true');
    expect(dry.statusCode).toBe(201);
    expect(dry.json().entities[0].spec).toMatchObject({ definition: { $text: `${internal.url}/openapi.yaml` }, other: { $json: './secret.json' } });
    const preview = await server.lantern.catalog.preview(`${allowed.url}/placeholders.yaml`, parseScope('acme.pay'));
    expect(preview.read.entities[0]?.problems.map((p) => p.message)).toEqual([
      `The $text placeholder "${internal.url}/openapi.yaml" at spec.definition could not be resolved, so it is left unresolved: The URL ${internal.url}/openapi.yaml is refused: a placeholder in a file read from a URL may only read from the same origin (${allowed.url}).`,
      'The $json placeholder "./secret.json" at spec.other could not be resolved, so it is left unresolved: The text is not valid JSON.',
    ]);
    const missing = await post({ target: `${allowed.url}/missing.yaml` }, '?dryRun=true');
    expect(missing.json().error.message).toBe(`The catalog file could not be read from ${allowed.url}/missing.yaml.`);
    for (const answer of [...answers, dry.body, missing.body]) expect(answer).not.toContain(MARKER);
    expect(internal.requests).toEqual([]);
  });

  it('answers the same for a closed port and a missing file, so that its answers map no port', async () => {
    const closed = `http://127.0.0.2:${await closedPort('127.0.0.2')}/catalog-info.yaml`;
    const missing = `${allowed.url}/catalog-info.yaml`;
    const answers = await Promise.all([post({ target: closed }), post({ target: missing })]);
    expect(answers.map((a) => a.statusCode)).toEqual([400, 400]);
    expect(answers.map((a) => a.json().error.message)).toEqual([`The catalog file could not be read from ${closed}.`, `The catalog file could not be read from ${missing}.`]);
  });

  it('holds at most catalog.maxLocations locations, and reads one location again on request at most every 30 seconds', async () => {
    await server.close();
    server = await startTestServer(kind, { catalog: { maxLocations: 1 } });
    mkdirSync(join(root, 'a'));
    writeFileSync(join(root, 'a', 'catalog-info.yaml'), component('a', ''));
    const first = await server.lantern.catalog.register(join(root, 'a'), parseScope('acme.pay'));
    const second = await post({ target: 'https://catalog.acme.io/catalog-info.yaml' });
    expect([second.statusCode, second.json().error.message]).toEqual([
      409,
      'The location https://catalog.acme.io/catalog-info.yaml cannot be registered: Lantern already holds 1 locations, the most it allows (catalog.maxLocations); unregister one first.',
    ]);

    const again = await server.app.inject({ method: 'POST', url: '/api/catalog/refresh', payload: { locationId: String(first.location.id) } });
    expect(again.statusCode).toBe(429);
    const retryAfter = Number(again.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(again.json().error.message).toMatch(
      new RegExp(`^The location ${join(root, 'a')} was read \\d+ seconds ago; one location is read again at most every 30 seconds, so ask again in ${retryAfter} seconds?\\.$`),
    );
    const byEntity = await server.app.inject({ method: 'POST', url: '/api/catalog/refresh', payload: { entityRef: 'component:default/a' } });
    expect(byEntity.statusCode).toBe(429);
    // Reading every location is what the refresh loop does; it is not refused.
    expect((await server.app.inject({ method: 'POST', url: '/api/catalog/refresh', headers: { 'content-type': 'application/json' } })).statusCode).toBe(200);
  });
});
