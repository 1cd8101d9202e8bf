import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { describe, expect } from 'vitest';
import type { ServerOptions } from '../../src/api/server.js';
import type { LanternOptions } from '../../src/lantern.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Browser tests drive Debian's Chromium through playwright-core. Without /usr/bin/chromium (`.ci/run`
 * installs the `chromium` package) the suites are skipped, with a message that says so.
 */
export const CHROMIUM = process.env.LANTERN_CHROMIUM ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);

const root = resolve(import.meta.dirname, '..', '..');
export const OUTPUT = join(root, 'test-output', 'browser');

let warned = false;

export function describeBrowser(name: string, body: () => void): void {
  if (chromiumAvailable) {
    describe(name, body);
    return;
  }
  if (!warned) {
    warned = true;
    console.warn(`[lantern] ${CHROMIUM} not found: the browser tests are skipped (apt-get install chromium).`);
  }
  describe.skip(`${name} (skipped: ${CHROMIUM} not found; install the chromium package)`, body);
}

/** The web UI built from the current source into a fresh folder, so that a test never opens a stale dist/web. */
export async function buildWebUi(): Promise<{ root: string; remove(): void }> {
  const out = mkdtempSync(join(tmpdir(), 'lantern-web-'));
  // Vitest sets NODE_ENV=test, and Vite would then build React's development runtime.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(root, 'web', 'vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return { root: out, remove: () => rmSync(out, { recursive: true, force: true }) };
}

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen on any page, as "url: text". */
  errors: string[];
  close(): Promise<void>;
}

/**
 * Chromium, headless, with one page that records console errors. Playwright starts every launch
 * in a new empty profile folder of its own (it refuses a --user-data-dir argument to launch()).
 */
export async function openBrowser(viewport = { width: 1280, height: 900 }): Promise<BrowserSession> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport });
  const errors: string[] = [];
  // An action that cannot happen fails in seconds, with Playwright's account of what it waited for.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  watch(page, errors);
  return {
    browser,
    context,
    page,
    errors,
    close: () => browser.close(),
  };
}

export function watch(page: Page, errors: string[]): void {
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
}

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean; also?: string } = {}): Promise<void> {
  mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: join(OUTPUT, `${name}.png`), fullPage: options.fullPage ?? true });
  if (options.also) {
    mkdirSync(resolve(root, options.also, '..'), { recursive: true });
    await page.screenshot({ path: resolve(root, options.also), fullPage: options.fullPage ?? true });
  }
}

/** The web UI of one browser suite: a Lantern server on SQLite serving it on a loopback port, and Chromium. */
export interface WebUiSuite {
  server: TestServer;
  session: BrowserSession;
  page: Page;
  /** The server's address, `http://127.0.0.1:PORT`. */
  base: string;
  /** GET of an API path through the server, which must answer 200: what the page should show. */
  api<T>(path: string): Promise<T>;
  /** The page opened at a path of the web UI. */
  open(path: string): Promise<unknown>;
  /** The page's path and query now. */
  path(): string;
  close(): Promise<void>;
}

/**
 * The start of a browser suite: the web UI built from the current source, a Lantern server on a
 * fresh SQLite store serving it, `prepare` filling the store before the server listens (what it
 * returns is called at close: the clean-up of files it wrote), and Chromium at `viewport`.
 */
export async function startWebUiSuite(
  options: LanternOptions,
  prepare: (server: TestServer) => Promise<(() => void) | void>,
  serverOptions: Partial<ServerOptions> = {},
  viewport?: { width: number; height: number },
): Promise<WebUiSuite> {
  const web = await buildWebUi();
  const server = await startTestServer('sqlite', options, { webRoot: web.root, ...serverOptions });
  let cleanup: (() => void) | void = undefined;
  let session: BrowserSession | undefined;
  const close = async () => {
    await session?.close();
    await server.close();
    web.remove();
    cleanup?.();
  };
  try {
    cleanup = await prepare(server);
    const base = await server.app.listen({ port: 0, host: '127.0.0.1' });
    session = await openBrowser(viewport);
    const page = session.page;
    return {
      server,
      session,
      page,
      base,
      api: async <T>(path: string): Promise<T> => {
        const response = await server.app.inject({ method: 'GET', url: path });
        expect(response.statusCode, path).toBe(200);
        return response.json() as T;
      },
      open: (path: string) => page.goto(`${base}${path}`),
      path: () => {
        const url = new URL(page.url());
        return `${url.pathname}${url.search}`;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
