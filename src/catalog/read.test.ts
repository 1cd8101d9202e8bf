import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../domain/errors.js';
import type { Scope } from '../domain/scope.js';
import type { CatalogReadResult } from './read.js';
import { readCatalog } from './read.js';
import { nodeSourceReader, type SourceReader } from './source-reader.js';

const testdata = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const at = (...parts: string[]) => join(testdata, ...parts);
const PAY: Scope = { level: 'project', org: 'acme', project: 'pay' };

const refs = (result: CatalogReadResult) => result.entities.map((e) => e.ref);
const fileProblems = (result: CatalogReadResult) => result.files.flatMap((f) => f.problems.map((p) => ({ report: f.file, ...p })));

/** Files and URLs held in memory, for tests that must not touch the network. */
function memoryReader(files: Record<string, string>): SourceReader {
  return {
    readText: async (address) => {
      const text = files[address];
      if (text === undefined) throw new InputError(`The URL ${address} answered 404 Not Found.`);
      return text;
    },
    listFiles: async () => [],
    kindOf: async (path) => (path in files ? 'file' : 'missing'),
  };
}

describe('readCatalog: what a location can be', () => {
  it('reads one file', async () => {
    const result = await readCatalog(at('kinds.yaml'));
    expect(result.location).toBe(at('kinds.yaml'));
    expect(result.entities).toHaveLength(16);
    expect(result.files).toEqual([{ file: at('kinds.yaml'), entities: refs(result), problems: [] }]);
  });

  it('reads a relative path against cwd, and gives Backstage entities the registered scope', async () => {
    const result = await readCatalog('kinds.yaml', { cwd: testdata, scope: PAY });
    expect(result.scope).toEqual(PAY);
    expect(result.entities.every((e) => e.scope === PAY && e.source.location === at('kinds.yaml'))).toBe(true);
    const harness = await readCatalog('harness.yaml', { cwd: testdata, scope: PAY });
    expect(harness.entities.map((e) => e.scope.level === 'project' && e.scope.org)).toEqual(['acme', false, 'default', false]);
  });

  it('reads every catalog-info.yaml of a folder, or the files a pattern picks', async () => {
    expect(refs(await readCatalog(at('tree')))).toEqual(['component:default/top', 'component:default/deep']);
    expect(refs(await readCatalog(at('tree'), { pattern: '**/*.yaml' }))).toEqual(['component:default/top', 'component:default/deep', 'component:default/other']);
  });

  it('reads a glob', async () => {
    const result = await readCatalog(`${at('tree')}/**/*.yaml`);
    expect(result.files.map((f) => f.file)).toEqual([at('tree', 'catalog-info.yaml'), at('tree', 'nested', 'deep', 'catalog-info.yaml'), at('tree', 'other.yaml')]);
  });

  it('skips node_modules and .git folders, not other hidden ones', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lantern-catalog-'));
    try {
      const entity = (name: string) => `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${name}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n`;
      for (const [folder, name] of [['.', 'app'], ['.backstage', 'hidden'], ['node_modules/lib', 'dependency'], ['.git/x', 'history']] as const) {
        await mkdir(join(root, folder), { recursive: true });
        await writeFile(join(root, folder, 'catalog-info.yaml'), entity(name));
      }
      expect(refs(await readCatalog(root))).toEqual(['component:default/hidden', 'component:default/app']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('reports a location that does not exist or holds nothing', async () => {
    const missing = await readCatalog(at('nowhere.yaml'));
    expect(missing).toEqual({
      location: at('nowhere.yaml'),
      scope: { level: 'account' },
      entities: [],
      files: [{ file: at('nowhere.yaml'), entities: [], problems: [{ level: 'error', message: `The file or folder ${at('nowhere.yaml')} does not exist.`, file: at('nowhere.yaml'), code: 'unreadable' }] }],
    });
    const empty = await readCatalog(at('locations'));
    expect(fileProblems(empty).map((p) => p.message)).toEqual([`The folder ${at('locations')} holds no file matching **/catalog-info.yaml, so it defines no entity.`]);
    const glob = await readCatalog(`${at('tree')}/**/*.json`);
    expect(fileProblems(glob).map((p) => p.message)).toEqual([`No file matches ${at('tree')}/**/*.json, so it defines no entity.`]);
  });
});

describe('readCatalog: following Locations', () => {
  it('follows targets and globs relative to the holding file, each file once', async () => {
    const result = await readCatalog(at('locations', 'root.yaml'));
    expect(refs(result)).toEqual([
      'location:default/root',
      'component:default/service-a',
      'location:default/service-a-more',
      'component:default/service-b',
      'component:default/shared',
    ]);
    expect(result.files.map((f) => f.file)).toEqual([
      at('locations', 'root.yaml'),
      at('locations', 'services', 'a.yaml'),
      at('locations', 'services', 'b.yaml'),
      at('locations', 'shared.yaml'),
      at('locations', 'missing.yaml'),
    ]);
  });

  it('reports a target that cannot be read at the Location line that names it', async () => {
    const result = await readCatalog(at('locations', 'root.yaml'));
    expect(result.files[4]?.problems).toEqual([
      {
        level: 'error',
        message: `The target "./missing.yaml" of the Location location:default/root cannot be read: The file ${at('locations', 'missing.yaml')} does not exist.`,
        file: at('locations', 'root.yaml'),
        document: 1,
        line: 10,
        column: 7,
        field: 'spec.targets[2]',
        code: 'unreadable',
      },
    ]);
  });

  it('reports a cycle once, naming it, and reads every file in it once', async () => {
    const result = await readCatalog(at('locations', 'cycle-1.yaml'));
    expect(refs(result)).toEqual(['location:default/cycle-1', 'component:default/in-cycle-1', 'location:default/cycle-2', 'component:default/in-cycle-2']);
    const one = at('locations', 'cycle-1.yaml');
    const two = at('locations', 'cycle-2.yaml');
    expect(fileProblems(result)).toEqual([
      {
        report: two,
        level: 'error',
        message: `The Location target "./cycle-1.yaml" leads back into a cycle of Locations (${one} → ${two} → ${one}); it is not followed again.`,
        file: two,
        document: 1,
        line: 6,
        column: 11,
        field: 'spec.target',
      },
    ]);
    const self = await readCatalog(at('locations', 'self.yaml'));
    expect(fileProblems(self).map((p) => p.message)).toEqual([
      `The Location target "./self.yaml" leads back into a cycle of Locations (${at('locations', 'self.yaml')} → ${at('locations', 'self.yaml')}); it is not followed again.`,
    ]);
  });

  it('keeps the first definition of a ref and reports the second', async () => {
    const result = await readCatalog(at('locations', 'conflict.yaml'));
    expect(refs(result)).toEqual(['location:default/conflict', 'component:default/duplicate', 'component:default/only-in-second']);
    expect(result.entities[1]?.entity.metadata.title).toBe('First definition');
    expect(fileProblems(result)).toEqual([
      {
        report: at('locations', 'conflict-second.yaml'),
        level: 'error',
        message: `The entity component:default/duplicate is already defined in ${at('locations', 'conflict-first.yaml')}, document 1; this second definition is ignored and the first is kept.`,
        file: at('locations', 'conflict-second.yaml'),
        document: 1,
        line: 1,
        code: 'conflict',
      },
    ]);
  });

  it('reports a conflict with an entity another location defines', async () => {
    const known = new Map([['component:default/duplicate', { location: '/elsewhere', file: '/elsewhere/catalog-info.yaml', document: 2, line: 9 }]]);
    const result = await readCatalog(at('locations', 'conflict-first.yaml'), { known });
    expect(result.entities).toEqual([]);
    expect(fileProblems(result).map((p) => p.message)).toEqual([
      'The entity component:default/duplicate is already defined in /elsewhere/catalog-info.yaml, document 2 (location /elsewhere); this second definition is ignored and the first is kept.',
    ]);
  });

  it('skips an optional target that is absent, and does not follow what it cannot', async () => {
    const result = await readCatalog(at('locations', 'types.yaml'));
    expect(refs(result)).toEqual([
      'location:default/optional',
      'location:default/discovery',
      'location:default/odd-scheme',
      'location:default/empty-glob',
      'component:default/shared',
    ]);
    expect(fileProblems(result).map((p) => [p.level, p.line, p.message])).toEqual([
      ['warning', 19, 'The Location location:default/discovery has the type "github-discovery", which Lantern does not follow: expected "file" or "url".'],
      [
        'error',
        26,
        'The target of the Location location:default/odd-scheme cannot be followed: The target "ftp://files.acme.io/catalog-info.yaml" uses a scheme Lantern does not read: expected a relative path or an http(s) URL.',
      ],
      ['warning', 33, 'The Location target "./nothing/*.yaml" matches no file.'],
    ]);
  });
});

describe('readCatalog over URLs', () => {
  const root = 'https://catalog.acme.io/teams/catalog-info.yaml';
  const entity = (name: string, extra = '') => `apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: ${name}\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n${extra}`;
  const files = {
    [root]: [
      'apiVersion: backstage.io/v1alpha1',
      'kind: Location',
      'metadata:',
      '  name: teams',
      'spec:',
      '  targets: [./pay/catalog-info.yaml, /shared.yaml, https://other.acme.io/x.yaml]',
      '---',
      'apiVersion: backstage.io/v1alpha1',
      'kind: Location',
      'metadata:',
      '  name: sneaky',
      'spec:',
      '  type: file',
      '  target: /etc/catalog-info.yaml',
    ].join('\n'),
    'https://catalog.acme.io/teams/pay/catalog-info.yaml': entity('pay', '  definition:\n    $text: ./openapi.yaml\n'),
    'https://catalog.acme.io/teams/pay/openapi.yaml': 'openapi: 3.0.0\n',
    'https://catalog.acme.io/shared.yaml': entity('shared', '  definition: x\n'),
    'https://other.acme.io/x.yaml': entity('other', '  definition:\n    $text: /etc/passwd\n'),
  };

  it('follows targets relative to the URL and resolves placeholders against it', async () => {
    const result = await readCatalog(root, { reader: memoryReader(files) });
    expect(refs(result)).toEqual(['location:default/teams', 'location:default/sneaky', 'api:default/pay', 'api:default/shared', 'api:default/other']);
    expect(result.entities[2]?.entity.spec.definition).toBe('openapi: 3.0.0\n');
  });

  it('never lets a remote file reach a local one', async () => {
    const result = await readCatalog(root, { reader: memoryReader(files) });
    expect(fileProblems(result).map((p) => [p.level, p.line, p.message])).toEqual([
      ['error', 14, 'The Location location:default/sneaky was read from a URL, so it cannot point at a local file ("/etc/catalog-info.yaml"): use type "url".'],
    ]);
    // A root-relative placeholder in a remote file is a URL on the same host.
    expect(result.entities[4]?.problems.map((p) => p.message)).toEqual([
      'The $text placeholder "/etc/passwd" at spec.definition could not be resolved, so it is left unresolved: The URL https://other.acme.io/etc/passwd answered 404 Not Found.',
    ]);
  });

  it('can leave placeholders alone', async () => {
    const result = await readCatalog(root, { reader: memoryReader(files), placeholders: false });
    expect(result.entities[2]?.entity.spec.definition).toEqual({ $text: './openapi.yaml' });
  });
});

describe('bad input: each a clear problem, nothing else lost', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'lantern-catalog-large-'));
    await writeFile(join(folder, 'a-small.yaml'), 'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: small\nspec:\n  type: team\n  children: []\n');
    // 20 MB (262 144 lines of 80 bytes) of valid YAML comments.
    await writeFile(join(folder, 'b-large.yaml'), `${'#'.repeat(79)}\n`.repeat(262_144));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('reports a file over the size limit with its size and the limit, and loads its neighbours', async () => {
    const result = await readCatalog(folder, { pattern: '*.yaml' });
    expect(refs(result)).toEqual(['group:default/small']);
    expect(fileProblems(result)).toEqual([
      {
        report: join(folder, 'b-large.yaml'),
        level: 'error',
        message: `The file ${join(folder, 'b-large.yaml')} is 20.0 MB, over the limit of 10.0 MB for one catalog file.`,
        file: join(folder, 'b-large.yaml'),
        code: 'unreadable',
      },
    ]);
  });

  it('takes a configured size limit', async () => {
    const result = await readCatalog(join(folder, 'a-small.yaml'), { maxBytes: 10 });
    // a-small.yaml is the 104 characters written above (counted with python3 len()).
    expect(fileProblems(result).map((p) => p.message)).toEqual([`The file ${join(folder, 'a-small.yaml')} is 104 bytes, over the limit of 10 bytes for one catalog file.`]);
  });

  it('reports a file that is a folder, or that cannot be reached', async () => {
    await expect(nodeSourceReader().readText(folder)).rejects.toThrow(`${folder} is a folder, not a file.`);
    const through = join(folder, 'a-small.yaml', 'inside.yaml');
    await expect(nodeSourceReader().readText(through)).rejects.toThrow(new RegExp(`^The file ${through} cannot be read: ENOTDIR`));
  });
});

describe('reading http(s) URLs for real', () => {
  // The server is on 127.0.0.1, which the reading policy refuses unless it is allowed.
  const local = { allowHosts: ['127.0.0.1'] };
  let server: Server;
  let base: string;
  const sockets = new Set<import('node:net').Socket>();
  beforeAll(async () => {
    server = createServer((request, response) => {
      const url = request.url ?? '';
      if (url === '/never') return; // holds the connection open and never answers
      if (url === '/catalog-info.yaml') {
        response.end('apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: remote\nspec:\n  targets: [./team.yaml, ./gone.yaml]\n');
      } else if (url === '/team.yaml') {
        response.end('apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: remote-team\nspec:\n  type: team\n  children: []\n');
      } else if (url === '/empty') {
        response.writeHead(204);
        response.end();
      } else if (url === '/declared-large') {
        response.writeHead(200, { 'content-length': String(50 * 1024 * 1024) });
        response.write('x');
      } else if (url === '/streamed-large') {
        // Two writes: chunked, with no length declared.
        response.writeHead(200);
        response.write('#'.repeat(2048));
        response.end('#'.repeat(2048));
      } else {
        response.writeHead(404, 'Not Found');
        response.end();
      }
    });
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads a remote catalog and its relative targets, reporting one that is gone', async () => {
    const result = await readCatalog(`${base}/catalog-info.yaml`, local);
    expect(refs(result)).toEqual(['location:default/remote', 'group:default/remote-team']);
    expect(fileProblems(result).map((p) => p.message)).toEqual([
      `The target "./gone.yaml" of the Location location:default/remote cannot be read: The catalog file could not be read from ${base}/gone.yaml.`,
    ]);
  });

  it('reads an empty answer as a file with no document', async () => {
    const result = await readCatalog(`${base}/empty`, local);
    expect(fileProblems(result).map((p) => p.message)).toEqual(['The file holds no YAML document, so it defines no entity.']);
  });

  it('gives up on a URL that never answers, with a clear error', async () => {
    const started = Date.now();
    const result = await readCatalog(`${base}/never`, { ...local, timeoutMs: 300 });
    expect(fileProblems(result).map((p) => p.message)).toEqual([`The catalog file could not be read from ${base}/never.`]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a response over the size limit, declared or streamed', async () => {
    const declared = await readCatalog(`${base}/declared-large`, local);
    expect(fileProblems(declared).map((p) => p.message)).toEqual([`The response from ${base}/declared-large is 50.0 MB, over the limit of 10.0 MB for one catalog file.`]);
    const streamed = await readCatalog(`${base}/streamed-large`, { ...local, maxBytes: 1024 });
    expect(fileProblems(streamed).map((p) => p.message)).toEqual([`The response from ${base}/streamed-large is larger than the limit of 1.0 KB for one catalog file.`]);
  });

  it('reports a host that cannot be reached', async () => {
    const result = await readCatalog('http://127.0.0.1:1/catalog-info.yaml', { ...local, timeoutMs: 2_000 });
    expect(fileProblems(result)[0]?.message).toBe('The catalog file could not be read from http://127.0.0.1:1/catalog-info.yaml.');
  });
});
