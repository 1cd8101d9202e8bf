import { defineConfig } from 'vite';
import { firstLoadReport } from './first-load.js';

/** The web UI, built into dist/web for `lantern serve` to serve at `/`. */
export default defineConfig({
  root: import.meta.dirname,
  // React's automatic JSX runtime through Vite's own oxc transform: no React plugin needed, as
  // nothing here uses the dev server's fast refresh.
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    manifest: true,
    target: 'es2022',
    reportCompressedSize: true,
  },
  plugins: [firstLoadReport()],
});
