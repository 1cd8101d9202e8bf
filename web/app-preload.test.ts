import type { OutputBundle, OutputChunk } from 'rolldown';
import { describe, expect, it } from 'vitest';
import { appFilesOf } from './app-preload.js';

const chunk = (fileName: string, imports: string[], dynamicImports: string[] = []) => ({ type: 'chunk', fileName, imports, dynamicImports }) as unknown as OutputChunk;

describe('app preload', () => {
  it("lists the app the entry imports at once and the app's own imports, not the entry's or later pages'", () => {
    const bundle = {
      'assets/index.js': chunk('assets/index.js', ['assets/shared.js'], ['assets/mount.js']),
      'assets/shared.js': chunk('assets/shared.js', []),
      'assets/mount.js': chunk('assets/mount.js', ['assets/index.js', 'assets/shared.js', 'assets/react.js'], ['assets/Dashboard.js']),
      'assets/react.js': chunk('assets/react.js', []),
      'assets/Dashboard.js': chunk('assets/Dashboard.js', ['assets/react.js']),
      'assets/index.css': { type: 'asset', fileName: 'assets/index.css' },
    } as unknown as OutputBundle;
    expect(appFilesOf(bundle, 'assets/index.js')).toEqual(['assets/mount.js', 'assets/react.js']);
    expect(appFilesOf(bundle, 'assets/missing.js')).toEqual([]);
  });
});
