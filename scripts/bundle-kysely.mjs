/**
 * After `tsc`: Kysely as one ES module, dist/vendor/kysely.js, and every `from 'kysely'` in dist/
 * pointed at it. Kysely ships as ~260 ES module files; Node resolves and links each one, which was
 * most of a CLI command's start-up (docs/performance.md: CLI start-up). One file loads in a fraction of the time.
 * Type-only imports are gone after tsc; the tests run the sources, which import Kysely as usual.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const vendor = join(dist, 'vendor', 'kysely.js');

await build({
  entryPoints: [fileURLToPath(import.meta.resolve('kysely'))],
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outfile: vendor,
  minify: true,
  legalComments: 'inline',
  logLevel: 'warning',
});

const IMPORT = /(\bfrom\s*|\bimport\s*\(\s*)(['"])kysely\2/g;
let rewritten = 0;
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
  const file = join(entry.parentPath, entry.name);
  if (file === vendor || file.startsWith(join(dist, 'web') + sep)) continue;
  const text = readFileSync(file, 'utf8');
  if (text.search(IMPORT) === -1) continue;
  let path = relative(dirname(file), vendor).split(sep).join('/');
  if (!path.startsWith('.')) path = `./${path}`;
  writeFileSync(file, text.replace(IMPORT, (_, before, quote) => `${before}${quote}${path}${quote}`));
  rewritten++;
}
console.log(`Kysely bundled into ${relative(process.cwd(), vendor)}; ${rewritten} files of dist/ import it.`);
