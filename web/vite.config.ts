import { defineConfig } from 'vite';
import { preloadApp } from './app-preload.js';
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
  // For working on the UI with `npx vite web`: the API comes from a `lantern serve` on its default port.
  server: { proxy: { '/api': process.env.LANTERN_API_URL ?? 'http://127.0.0.1:7007' } },
  plugins: [preloadApp(), firstLoadReport()],
});
