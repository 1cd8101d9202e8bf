import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Actor } from '../../src/access/actor.js';
import { Access, type Grant } from '../../src/access/roles.js';
import type { ServerOptions } from '../../src/api/server.js';
import type { Scope } from '../../src/domain/scope.js';
import type { AuditPage, Target } from '../../web/src/api/types.js';
import { bytes, trivyReport } from '../support/reports.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { describeEachStore, type StoreKind } from '../support/stores.js';
import { type BrowserSession, buildWebUi, describeBrowser, openBrowser, screenshot } from './browser.js';

/**
 * Who the web UI shows as signed in and what it offers them, against real servers whose anonymous
 * role differs; the Audit page; and a cross-site page that tries to change things in Lantern.
 */

const ACME_WEB: Scope = { level: 'project', org: 'acme', project: 'web' };
const ACME_API: Scope = { level: 'project', org: 'acme', project: 'api' };
const REPORT = bytes(trivyReport([{ id: 'CVE-2022-0155', pkg: 'follow-redirects', version: '1.14.0', severity: 'MEDIUM', fixed: '1.14.7' }]));
// A token's name that is HTML: the Audit page must show it as text.
const HTML_NAME = '<img src=x onerror="window.__auditXss=1">';

const pageWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');
const path = (page: Page) => {
  const url = new URL(page.url());
  return `${url.pathname}${url.search}`;
};

function person(id: string, name: string, grants: Grant[], clientAddress: string): Actor {
  return { principal: { kind: 'user', id, name, access: new Access(grants) }, clientAddress };
}

describeBrowser('web UI access in Chromium', () => {
  let web: { root: string; remove(): void };
  let session: BrowserSession;

  beforeAll(async () => {
    web = await buildWebUi();
    session = await openBrowser();
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    web?.remove();
  });

  describeEachStore('signing in and roles', (kind: StoreKind) => {
    const servers: TestServer[] = [];
    const pages: Page[] = [];

    /** A server with this auth, listening, and a fresh page (cookies of its own) to open it in. */
    const start = async (auth: ServerOptions['auth']) => {
      const server = await startTestServer(kind, {}, { auth, webRoot: web.root });
      servers.push(server);
      const base = await server.app.listen({ port: 0, host: '127.0.0.1' });
      const context = await session.browser.newContext({ viewport: { width: 1280, height: 900 } });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      pages.push(page);
      const responses: Response[] = [];
      page.on('response', (r) => responses.push(r));
      page.on('pageerror', (error) => session.errors.push(`${page.url()}: ${error.message}`));
      return { server, base, page, responses };
    };

    afterAll(async () => {
      for (const page of pages) await page.context().close();
      for (const server of servers) await server.close();
    });

    it('shows only the sign-in page to nobody, and nothing of the data', async () => {
      const { server, base, page, responses } = await start({});
      await server.lantern.ingest({ target: 'acme/secret-payments', targetType: 'repository', variant: 'main', scope: ACME_WEB, report: REPORT, source: 'trivy.json' });
      await page.goto(`${base}/catalog?q=secret`);
      const signIn = page.getByTestId('sign-in');
      await signIn.getByRole('heading', { name: 'Sign in to Lantern' }).waitFor();
      expect(await signIn.textContent()).toContain('This Lantern server needs an API token');
      expect(await signIn.textContent()).toContain('once an administrator configures OpenID Connect');
      expect(await page.getByRole('navigation', { name: 'Sections' }).count()).toBe(0);
      expect(await page.getByTestId('user-menu').count()).toBe(0);
      expect(await page.title()).toBe('Sign in · Lantern');
      // The prefetched page requests were refused; only "who am I" answered, with nobody.
      const api = responses.filter((r) => new URL(r.url()).pathname.startsWith('/api/'));
      expect(api.map((r) => `${new URL(r.url()).pathname} ${r.status()}`).sort()).toEqual(['/api/auth/me 200', '/api/insights/overview 401']);
      expect(await (api.find((r) => r.url().endsWith('/api/auth/me')) as Response).json()).toEqual({ principal: null, signIn: null });
      expect(await page.content()).not.toContain('secret-payments');
      if (kind === 'sqlite') await screenshot(page, 'sign-in-no-oidc');
    });

    it('sends people to the identity provider, to come back to the page they asked for', async () => {
      const { base, page } = await start({ signInUrl: '/api/auth/login' });
      await page.goto(`${base}/targets?name=secret`);
      const link = page.getByRole('link', { name: 'Sign in', exact: true });
      expect(await link.getAttribute('href')).toBe('/api/auth/login?returnTo=%2Ftargets%3Fname%3Dsecret');
      if (kind === 'sqlite') {
        await screenshot(page, 'sign-in');
        const phone = await session.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
        const small = await phone.newPage();
        await small.goto(`${base}/targets`);
        await small.getByRole('link', { name: 'Sign in', exact: true }).waitFor();
        expect(await pageWidth(small)).toBeLessThanOrEqual(390);
        await screenshot(small, 'phone-sign-in');
        await phone.close();
      }
    });

    it('offers an anonymous viewer nothing to change, and shows the refusal of what it forces', async () => {
      const { server, base, page } = await start({ anonymous: { role: 'viewer', scope: 'account' } });
      await server.lantern.ingest({ target: 'acme/web', targetType: 'repository', variant: 'main', scope: ACME_WEB, report: REPORT, source: 'trivy.json', baseline: true });
      const [target] = (await server.app.inject({ url: '/api/targets' })).json() as Target[];

      await page.goto(`${base}/targets?upload=true`);
      await page.locator('[data-testid="targets-table"] tbody tr').first().waitFor();
      const menu = page.getByTestId('user-menu');
      expect(await menu.locator('summary').textContent()).toContain('anonymous viewer');
      await menu.locator('summary').click();
      expect(await menu.getByRole('list', { name: 'Roles' }).textContent()).toBe('viewer @ account');
      expect(await menu.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
      await page.keyboard.press('Escape');
      expect(await page.getByRole('button', { name: 'Upload a report' }).count()).toBe(0);
      expect(await page.locator('form.upload-form').count()).toBe(0);
      expect(await page.getByRole('navigation', { name: 'Sections' }).textContent()).not.toContain('Audit');

      await page.goto(`${base}/targets/${target?.id}`);
      await page.getByRole('heading', { name: 'acme/web' }).waitFor();
      await page.getByRole('heading', { name: 'Scans' }).waitFor();
      expect(await page.getByRole('button', { name: 'Set baseline' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Upload a report' }).count()).toBe(0);

      // The API refuses a write forced past the UI, with the sentence naming the role it needs.
      const forced = await page.evaluate<{ status: number; body: { error: { message: string } } }>(`(async () => {
        const r = await fetch('/api/targets/${target?.id}/baseline', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ variant: 'main' }) });
        return { status: r.status, body: await r.json() };
      })()`);
      expect(forced.status).toBe(403);
      expect(forced.body.error.message).toBe('anonymous may not call PUT /api/targets/:id/baseline: this needs the security role (or above) at some scope.');
      // A page it may not open says why, in the server's words.
      await page.goto(`${base}/audit`);
      await expect.poll(() => page.getByRole('alert').locator('p').textContent()).toBe(
        'Could not load the audit log. anonymous may not call GET /api/audit: this needs the admin role (or above) at some scope.',
      );
    });

    it('shows the refusal of an upload outside the scope an admin holds, and not-found for what it may not read', async () => {
      const { server, base, page } = await start({ anonymous: { role: 'admin', scope: 'acme.web' } });
      await server.lantern.ingest({ target: 'acme/web', targetType: 'repository', variant: 'main', scope: ACME_WEB, report: REPORT, source: 'trivy.json' });
      await server.lantern.ingest({ target: 'acme/api', targetType: 'repository', variant: 'main', scope: ACME_API, report: REPORT, source: 'trivy.json' });
      const targets = (await server.app.inject({ url: '/api/targets', headers: { authorization: `Bearer ${(await server.lantern.createToken({ name: 'reader', role: 'viewer' })).token}` } })).json() as Target[];
      const web = targets.find((t) => t.name === 'acme/web');
      const other = targets.find((t) => t.name === 'acme/api');

      await page.goto(`${base}/targets/${web?.id}`);
      await page.getByRole('button', { name: 'Set baseline' }).waitFor();
      expect(await page.getByTestId('user-menu').locator('summary').textContent()).toContain('anonymous admin');
      await page.goto(`${base}/targets?upload=true`);
      await page.getByLabel('Report file').setInputFiles({ name: 'trivy.json', mimeType: 'application/json', buffer: Buffer.from(REPORT) });
      await page.getByLabel('Target', { exact: true }).fill('acme/api');
      await page.getByLabel('Variant', { exact: true }).fill('release');
      await page.getByLabel('Scope', { exact: true }).fill('acme.api');
      await page.getByRole('button', { name: 'Upload', exact: true }).click();
      await expect
        .poll(() => page.locator('form.upload-form [role="alert"]').textContent())
        .toBe('The report was not ingested: anonymous may not upload scans at acme.api: this needs the ingester role (or above) at acme.api or a scope above it.');

      await page.goto(`${base}/targets/${other?.id}`);
      const empty = page.locator('.state-empty');
      await expect.poll(() => empty.locator('.state-title').textContent()).toBe('There is nothing here.');
      expect(await empty.textContent()).toContain(`No target with id ${other?.id}`);
    });

    it("lists the audit log for an admin, newest first, with filters in the URL and more on request", async () => {
      const { server, base, page } = await start({ anonymous: { role: 'admin', scope: 'account' } });
      const jane = person('user:jane', 'jane@acme.io', [{ role: 'admin', scope: 'account' }], '10.1.2.3');
      const bob = person('user:bob', 'bob@acme.io', [{ role: 'admin', scope: 'account' }], '10.9.9.9');
      await server.lantern.ingest({ target: 'acme/web', targetType: 'repository', variant: 'main', scope: ACME_WEB, report: REPORT, source: 'trivy.json', baseline: true }, jane);
      for (let i = 1; i <= 54; i++) await server.lantern.createToken({ name: `ci-${i}`, role: 'ingester', scope: 'acme' }, bob);
      await server.lantern.createToken({ name: HTML_NAME, role: 'viewer' }, bob);
      const all = (await server.app.inject({ url: '/api/audit?limit=500' })).json() as AuditPage;
      expect(all.items).toHaveLength(56);
      const rowKeys = () => page.locator('[data-testid="audit-table"] tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-key'))));

      await page.goto(`${base}/catalog`);
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Audit' }).click();
      await expect.poll(() => path(page)).toBe('/audit');
      await expect.poll(rowKeys).toEqual(all.items.slice(0, 50).map((e) => e.id));
      // The newest is the token with an HTML name: text, never markup.
      const newest = page.locator('[data-testid="audit-table"] tbody tr').first();
      expect(await newest.locator('td').nth(1).textContent()).toBe('bob@acme.io');
      expect(await newest.getByRole('button', { name: 'bob@acme.io' }).getAttribute('title')).toContain('user:bob');
      expect(await newest.locator('td').nth(2).textContent()).toBe('token.create');
      expect(await newest.locator('td').nth(5).textContent()).toBe('10.9.9.9');
      expect(await newest.locator('.audit-details').textContent()).toContain(`name: ${HTML_NAME}`);
      expect(await page.evaluate<unknown>('window.__auditXss')).toBeUndefined();
      await screenshot(page, `audit-${kind}`, { fullPage: false });

      await page.getByRole('button', { name: 'Load more' }).click();
      await expect.poll(rowKeys).toEqual(all.items.map((e) => e.id));
      expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
      expect(await page.locator('.load-more').textContent()).toContain('56 entries shown, the oldest last.');

      await page.getByLabel('Action').selectOption('scan.ingest');
      await expect.poll(() => path(page)).toBe('/audit?action=scan.ingest');
      await expect.poll(rowKeys).toHaveLength(1);
      const ingest = page.locator('[data-testid="audit-table"] tbody tr').first();
      expect(await ingest.locator('td').nth(1).textContent()).toBe('jane@acme.io');
      expect(await ingest.locator('td').nth(3).textContent()).toMatch(/^scan \d+$/);
      expect(await ingest.locator('td').nth(4).textContent()).toBe('acme.web');
      expect(await ingest.locator('.audit-details').textContent()).toContain('target: acme/web');
      expect(await ingest.locator('.audit-details').textContent()).toContain('baseline: true');

      // A principal's name filters the list to that principal.
      await page.getByRole('button', { name: 'Clear filters' }).click();
      await expect.poll(() => path(page)).toBe('/audit');
      await expect.poll(rowKeys).toEqual(all.items.slice(0, 50).map((e) => e.id));
      await page.locator('[data-testid="audit-table"] tbody tr').first().getByRole('button', { name: 'bob@acme.io' }).click();
      await expect.poll(() => path(page)).toBe('/audit?principal=user%3Abob');
      await expect.poll(rowKeys).toEqual(all.items.filter((e) => e.principal === 'user:bob').slice(0, 50).map((e) => e.id));
      await page.getByLabel('Object').selectOption('scan');
      await expect.poll(() => path(page)).toBe('/audit?principal=user%3Abob&objectType=scan');
      await page.getByText('No entry matches these filters.').waitFor();

      // Days are the browser's: today holds everything, tomorrow nothing.
      const day = (offset: number) => {
        const d = new Date();
        d.setDate(d.getDate() + offset);
        return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
      };
      await page.goto(`${base}/audit?action=token.create&since=${day(0)}&until=${day(0)}`);
      await expect.poll(rowKeys).toHaveLength(50);
      expect(await page.getByLabel('Since').inputValue()).toBe(day(0));
      await page.getByLabel('Since').fill(day(1));
      await page.getByLabel('Until').fill(day(1));
      await expect.poll(() => path(page)).toBe(`/audit?action=token.create&since=${day(1)}&until=${day(1)}`);
      await page.getByText('No entry matches these filters.').waitFor();

      if (kind === 'sqlite') {
        const phone = await session.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
        const small = await phone.newPage();
        await small.goto(`${base}/audit`);
        await small.locator('[data-testid="audit-table"] tbody tr').first().waitFor();
        expect(await pageWidth(small)).toBeLessThanOrEqual(390);
        await screenshot(small, 'phone-audit', { fullPage: false });
        await small.getByTestId('user-menu').locator('summary').click();
        expect(await small.getByTestId('user-menu').getByRole('list', { name: 'Roles' }).textContent()).toBe('admin @ account');
        expect(await pageWidth(small)).toBeLessThanOrEqual(390);
        await screenshot(small, 'phone-user-menu', { fullPage: false });
        await phone.close();
      }
    });

    it('refuses changes that another site makes the browser send, even to an anonymous admin', async () => {
      const { server, base } = await start({ anonymous: { role: 'admin', scope: 'account' } });
      const scansAt = `${base}/api/scans?target=x&type=repository&variant=main`;
      const attack = `<!doctype html><html><body>
        <iframe name="one"></iframe><iframe name="two"></iframe>
        <form id="exemption" method="POST" action="${base}/api/exemptions" target="one">
          <input name="issueId" value="1"><input name="reason" value="false-positive"><input name="level" value="target">
        </form>
        <form id="scan" method="POST" action="${scansAt}" enctype="text/plain" target="two">
          <input name='{"padding":"' value='"}'>
        </form>
        <script>
          fetch(${JSON.stringify(scansAt)}, { method: 'POST', mode: 'no-cors', body: '{}' });
          document.getElementById('exemption').submit();
          document.getElementById('scan').submit();
        </script>
      </body></html>`;
      const evil: Server = createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(attack);
      });
      await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
      try {
        const context = await session.browser.newContext();
        const page = await context.newPage();
        const posts: Array<{ url: string; status: number }> = [];
        page.on('response', (r) => {
          if (r.request().method() === 'POST' && r.url().startsWith(base)) posts.push({ url: new URL(r.url()).pathname, status: r.status() });
        });
        await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
        await expect.poll(() => posts.length).toBe(3);
        expect(posts.sort((a, b) => a.url.localeCompare(b.url))).toEqual([
          { url: '/api/exemptions', status: 403 },
          { url: '/api/scans', status: 403 },
          { url: '/api/scans', status: 403 },
        ]);
        await context.close();
      } finally {
        await new Promise((resolve) => evil.close(resolve));
      }
      const db = server.lantern.store.db;
      const count = async (table: 'scans' | 'targets' | 'exemptions' | 'audit_log') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      expect(await count('scans')).toBe(0);
      expect(await count('targets')).toBe(0);
      expect(await count('exemptions')).toBe(0);
      expect(await count('audit_log')).toBe(0);

      // The same anonymous admin changes things from Lantern's own page, with a JSON content type.
      const own = await session.browser.newContext();
      const page = await own.newPage();
      await page.goto(`${base}/targets`);
      const status = await page.evaluate<number>(`fetch(${JSON.stringify(`${scansAt}&format=trivy`)}, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: ${JSON.stringify(new TextDecoder().decode(REPORT))} }).then((r) => r.status)`);
      expect(status).toBe(201);
      expect(await count('scans')).toBe(1);
      await own.close();
    });
  });

  it('threw no error on any page', () => {
    expect(session.errors).toEqual([]);
  });
});
