import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/**
 * What a browser downloads before the first page shows: the entry chunk, what it imports, and
 * their CSS. The entry starts the page's API requests and then imports the app itself at once
 * (web/src/main.tsx), so its own dynamic imports count too; the pages the app loads later
 * (dashboard, targets, the issue panel) do not. Read from Vite's manifest after the build.
 */

export interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}
export type Manifest = Record<string, ManifestChunk>;

export function firstLoadFiles(manifest: Manifest): string[] {
  const files = new Set<string>();
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    const chunk = manifest[key];
    if (!chunk) return;
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) {
    if (!chunk.isEntry) continue;
    visit(key);
    for (const app of chunk.dynamicImports ?? []) visit(app);
  }
  return [...files];
}

export const FIRST_LOAD_GOAL_KB = 300;

export function firstLoadLine(gzipBytes: number): string {
  return `first load: ${(gzipBytes / 1024).toFixed(1)} KB gzipped (goal < ${FIRST_LOAD_GOAL_KB} KB)`;
}

/** Prints the gzipped first-load size at the end of `vite build`. */
export function firstLoadReport(): Plugin {
  let outDir = '';
  return {
    name: 'lantern-first-load',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const manifest = JSON.parse(readFileSync(join(outDir, '.vite', 'manifest.json'), 'utf8')) as Manifest;
      const bytes = firstLoadFiles(manifest).reduce((sum, file) => sum + gzipSync(readFileSync(join(outDir, file)), { level: 9 }).length, 0);
      console.log(firstLoadLine(bytes));
    },
  };
}
