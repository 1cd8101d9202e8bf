import { describe, expect, it } from 'vitest';
import { firstLoadFiles, firstLoadLine, type Manifest } from './first-load.js';

describe('first-load size', () => {
  it('counts the entry, the app it imports at once, their imports and CSS, not the pages loaded later', () => {
    // The shape of dist/web/.vite/manifest.json.
    const manifest: Manifest = {
      'index.html': { file: 'assets/index-a.js', isEntry: true, imports: ['_shared-b.js'], dynamicImports: ['src/mount.tsx'], css: ['assets/index-a.css'] },
      '_shared-b.js': { file: 'assets/shared-b.js', imports: ['_tiny-c.js'] },
      '_tiny-c.js': { file: 'assets/tiny-c.js', imports: ['_shared-b.js'], css: ['assets/tiny-c.css'] },
      'src/mount.tsx': { file: 'assets/mount-e.js', imports: ['_shared-b.js', '_react-f.js'], dynamicImports: ['src/dashboard/DashboardPage.tsx'] },
      '_react-f.js': { file: 'assets/react-f.js' },
      'src/dashboard/DashboardPage.tsx': { file: 'assets/DashboardPage-d.js', imports: ['_shared-b.js'], css: ['assets/DashboardPage-d.css'] },
    };
    expect(firstLoadFiles(manifest).sort()).toEqual(['assets/index-a.css', 'assets/index-a.js', 'assets/mount-e.js', 'assets/react-f.js', 'assets/shared-b.js', 'assets/tiny-c.css', 'assets/tiny-c.js']);
    expect(firstLoadFiles({})).toEqual([]);
  });

  it('prints the size against the goal', () => {
    expect(firstLoadLine(87_450)).toBe('first load: 85.4 KB gzipped (goal < 300 KB)');
  });
});
