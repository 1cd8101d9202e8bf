import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lantern-start-up-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The packages (node_modules folders, or `vendor/…` bundles in dist) a run of the built CLI loads, through a module resolve hook. */
function packagesLoaded(args: string[]): Set<string> {
  const log = join(dir, `loaded-${args.map((a) => a.replace(/\W/g, '')).join('-')}.txt`);
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(hooks, `import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }\n`);
  const register = join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  const result = spawnSync(process.execPath, ['--import', register, main, ...args], { encoding: 'utf8' });
  expect(result.status).toBe(0);
  const urls = existsSync(log) ? readFileSync(log, 'utf8').split('\n') : [];
  return new Set(urls.flatMap((url) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? /\/dist\/(vendor\/[^/]+)\.js$/.exec(url)?.[1] ?? []));
}

it.skipIf(!existsSync(main))('loads no command’s modules for --help and --version (run `npm run build` first)', () => {
  for (const args of [['--help'], ['--version']]) {
    expect([...packagesLoaded(args)].sort()).toEqual(['commander']);
  }
});

it.skipIf(!existsSync(main))('ingests into SQLite without loading the catalog and YAML readers, the CVSS calculator, the mail library or the PostgreSQL driver', () => {
  const report = fileURLToPath(new URL('../../examples/reports/trivy-payments-api.json', import.meta.url));
  const loaded = packagesLoaded(['ingest', report, '--target', 'acme/payments', '--type', 'container', '--variant', '1.0', '--db', join(dir, 'ingest.db')]);
  // Kysely as the one file the build bundles (scripts/bundle-kysely.mjs), not its ~260 modules.
  expect(loaded).toContain('vendor/kysely');
  expect(loaded).not.toContain('kysely');
  for (const slow of ['@backstage/catalog-model', 'pg', 'tinyglobby', 'ipaddr.js', 'yaml', 'ae-cvss-calculator', 'nodemailer']) expect(loaded).not.toContain(slow);
});
