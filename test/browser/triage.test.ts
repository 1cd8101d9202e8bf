import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DemoClock } from '../../src/demo/estate.js';
import { DEFAULT_PROJECT_SCOPE } from '../../src/domain/scope.js';
import type { AuditEntry, Counts, EntitySummary, ExemptionEffect, ExemptionListing, IssuePage, Overview } from '../../web/src/api/types.js';
import { bytes, trivyReport } from '../support/reports.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { type BrowserSession, buildWebUi, describeBrowser, openBrowser, screenshot, watch } from './browser.js';
import { buildEstate, estateOptions } from './estate.js';

/**
 * Triage in Chromium, on the estate of estate.ts plus a second image of the default project that
 * also has lodash's CVE: a developer requests an exemption from the issue panel (after the preview
 * of its effect) and from selected rows, a security engineer approves from the queue, rejects with
 * a comment or revokes with one, and the entity's counts follow on its card and in the catalog,
 * also when the server's clock passes an approval's expiry and its sweep runs. Each person is an
 * API token the browser sends.
 */

const ENTITY = '/catalog/component/default/payments';
const LODASH = 'CVE-2021-23337';
// Text people type is shown as text: these must never run.
/** With LANTERN_UPDATE_DOCS_SCREENSHOTS=1, docs/triage.md's screenshots are taken again. */
const docsShot = (name: string) => (process.env.LANTERN_UPDATE_DOCS_SCREENSHOTS ? `docs/screenshots/${name}.png` : undefined);
const HTML_JUSTIFICATION = 'Not reachable <img src=x onerror="window.__triageXss=1">';

describeBrowser('triage: exemptions requested, decided and shown in Chromium', () => {
  let server: TestServer;
  let web: { root: string; remove(): void };
  let session: BrowserSession;
  let base: string;
  let admin: string;
  let developer: Page;
  let developerToken: string;
  let security: Page;
  const contexts: BrowserContext[] = [];
  // The server's clock: the real time until the expiry test moves it past an approval's end.
  const clock = new DemoClock();
  // The counts before any exemption, and the exemption approved from the queue (it expires last).
  let initial: Counts;
  let approvedFromQueue: ExemptionListing;

  const api = async <T,>(url: string, method: 'GET' | 'POST' = 'GET', payload?: object): Promise<T> => {
    const response = await server.app.inject({ method, url, headers: { authorization: `Bearer ${admin}` }, ...(payload ? { payload: payload as Record<string, unknown> } : {}) });
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
    return response.json() as T;
  };
  const summary = () => api<EntitySummary>('/api/insights/entities/component/default/payments/summary');
  const exemptions = (query = '') => api<ExemptionListing[]>(`/api/exemptions${query}`);
  const path = (page: Page) => {
    const url = new URL(page.url());
    return `${url.pathname}${url.search}`;
  };
  const rowTitles = (page: Page) => page.locator('[data-testid="issues-table"] tbody tr .issue-title').allTextContents();
  const exemptionRow = (page: Page, id: number | undefined) => page.locator(`[data-testid="exemptions-table"] tbody tr[data-key="${id}"]`);
  /** payments' count of a severity as its summary card shows it, read from a fresh entity page. */
  const cardCount = async (page: Page, severity: 'critical' | 'high') => {
    await page.goto(`${base}${ENTITY}`);
    return page.getByTestId('security-summary').getByTestId(`summary-count-${severity}`).textContent();
  };
  /** payments' count of a severity as the catalog's overview table shows it, read from a fresh catalog page. */
  const catalogCount = async (page: Page, severity: 'critical' | 'high') => {
    await page.goto(`${base}/catalog?q=payments`);
    return page.locator(`[data-testid="catalog-table"] tr[data-key="component:default/payments"] .sev-count[aria-label$=" ${severity}"]`).getAttribute('aria-label');
  };
  const overviewCounts = async () => (await api<Overview>('/api/insights/overview?q=payments')).items.find((i) => i.entityRef === 'component:default/payments')?.counts;

  /** A page whose every request carries this principal's token. */
  const signedIn = async (name: string, role: string, scope: string): Promise<{ page: Page; token: string }> => {
    const { token } = await server.lantern.createToken({ name, role: role as 'developer', scope });
    const context = await session.browser.newContext({ viewport: { width: 1280, height: 900 }, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
    context.setDefaultTimeout(10_000);
    contexts.push(context);
    const page = await context.newPage();
    watch(page, session.errors);
    return { page, token };
  };

  beforeAll(async () => {
    web = await buildWebUi();
    server = await startTestServer('sqlite', estateOptions(clock), { auth: {}, webRoot: web.root });
    await buildEstate(server.lantern, clock);
    await server.lantern.ingest({
      target: 'registry.acme.io/checkout',
      targetType: 'container',
      variant: 'latest',
      scope: DEFAULT_PROJECT_SCOPE,
      baseline: true,
      report: bytes(trivyReport([{ id: LODASH, pkg: 'lodash', version: '4.17.19', severity: 'CRITICAL', fixed: '4.17.21' }])),
      source: 'trivy.json',
    });
    admin = (await server.lantern.createToken({ name: 'admin', role: 'admin' })).token;
    base = await server.app.listen({ port: 0, host: '127.0.0.1' });
    session = await openBrowser();
    ({ page: developer, token: developerToken } = await signedIn('dana@acme.io', 'developer', 'default'));
    ({ page: security } = await signedIn('sam@acme.io', 'security', 'account'));
    initial = (await summary()).counts;
  }, 180_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await session?.close();
    await server?.close();
    web?.remove();
  });

  it('requests from the issue panel with the preview, is approved from the queue, and the issue moves from open to exempted on the card and in the catalog', async () => {
    const before = await summary();
    await expect.poll(() => catalogCount(developer, 'critical')).toBe(`${before.counts.critical} critical`);
    const open = await api<IssuePage>('/api/insights/entities/component/default/payments/issues?q=lodash');
    const lodash = open.items.find((i) => i.vulnerabilityId === LODASH);
    expect(lodash).toBeDefined();

    // The developer opens the issue and the request form.
    await developer.goto(`${base}${ENTITY}/vulnerabilities`);
    await developer.locator('[data-testid="issues-table"] tbody tr', { hasText: 'lodash' }).first().locator('.issue-title').click();
    const drawer = developer.getByRole('dialog');
    await drawer.getByRole('button', { name: 'Request an exemption' }).click();
    const form = drawer.getByTestId('exemption-form');

    // Nothing is sent while the form is incomplete: each missing field says so.
    await form.getByRole('button', { name: 'Request exemption' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toBe('The request was not sent: Choose a reason. Say why: the justification is required.');
    expect(await form.getByLabel('Reason').getAttribute('aria-invalid')).toBe('true');
    expect(await exemptions()).toEqual([]);

    // The preview follows the coverage: this issue, then its CVE across the project (two images have it).
    await expect.poll(() => form.getByTestId('exemption-effect').textContent()).toBe('Once approved: hides 1 issue in 1 target of default.default.');
    await form.getByLabel('Its vulnerability or rule in every target of the project').check();
    const projectWide = await api<ExemptionEffect>('/api/exemptions/preview', 'POST', { issueId: lodash?.id, level: 'project' });
    expect(projectWide.text).toBe('hides 2 issues in 2 targets of default.default');
    await expect.poll(() => form.getByTestId('exemption-effect').textContent()).toBe(`Once approved: ${projectWide.text}.`);
    await form.getByLabel('This issue in this target').check();
    await expect.poll(() => form.getByTestId('exemption-effect').textContent()).toBe('Once approved: hides 1 issue in 1 target of default.default.');

    // No expiry is a false positive's only.
    await form.getByLabel('Reason').selectOption('accepted_risk');
    expect(await form.getByLabel('Duration').locator('option').allTextContents()).toEqual(['7 days', '30 days', '90 days', 'Until a date']);
    await form.getByLabel('Justification').fill(HTML_JUSTIFICATION);
    await form.getByLabel('Link (optional)').fill('javascript:alert(1)');
    await form.getByRole('button', { name: 'Request exemption' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toBe('The request was not sent: The link must be an http or https URL of at most 2000 characters.');
    await form.getByLabel('Link (optional)').fill('https://tickets.example.com/SEC-12');
    await form.getByLabel('Duration').selectOption('30d');
    await screenshot(developer, 'triage-request-form', { fullPage: false, also: docsShot('triage-request-form') });
    await form.getByRole('button', { name: 'Request exemption' }).click();
    await drawer.getByTestId('exemption-requested').waitFor();
    const [requested] = await exemptions('?status=pending');
    expect(requested).toMatchObject({ status: 'pending', level: 'target', issueId: lodash?.id, reason: 'accepted_risk', comment: HTML_JUSTIFICATION, link: 'https://tickets.example.com/SEC-12', requestedBy: 'dana@acme.io' });
    expect(await drawer.getByTestId('exemption-requested').textContent()).toContain(`Exemption ${requested?.id} requested`);
    // Pending changes no count.
    expect((await summary()).counts).toEqual(before.counts);

    // The developer sees the request, may cancel it, and is offered no decision; the API refuses one forced past the UI.
    await developer.goto(`${base}/catalog`);
    await developer.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Exemptions' }).click();
    await expect.poll(() => path(developer)).toBe('/exemptions');
    const ownRow = developer.locator(`[data-testid="exemptions-table"] tbody tr[data-key="${requested?.id}"]`);
    await ownRow.waitFor();
    expect(await developer.getByRole('link', { name: 'To decide' }).count()).toBe(0);
    expect(await ownRow.getByRole('button').allTextContents()).toEqual(['Cancel request']);
    const forced = await server.app.inject({ method: 'POST', url: `/api/exemptions/${requested?.id}/approve`, headers: { authorization: `Bearer ${developerToken}` }, payload: {} });
    expect(forced.statusCode).toBe(403);
    expect((await exemptions(`?status=pending`)).map((e) => e.id)).toEqual([requested?.id]);

    // The security engineer's queue holds it, with the justification as text; approved for 7 days instead of 30.
    await security.goto(`${base}/exemptions`);
    const queued = security.locator(`[data-testid="exemptions-table"] tbody tr[data-key="${requested?.id}"]`);
    await queued.waitFor();
    expect(await security.getByRole('link', { name: 'To decide' }).getAttribute('aria-current')).toBe('page');
    expect(await queued.locator('.exemption-comment').textContent()).toBe(HTML_JUSTIFICATION);
    expect(await queued.textContent()).toContain('dana@acme.io');
    expect(await queued.getByRole('button').allTextContents()).toEqual(['Approve', 'Reject']);
    await queued.getByRole('button', { name: 'Approve' }).click();
    const approve = security.getByRole('form', { name: `Approve exemption ${requested?.id}` });
    await approve.getByLabel('Duration (from now)').selectOption('7d');
    await screenshot(security, 'triage-queue', { fullPage: false, also: docsShot('triage-queue') });
    await approve.getByRole('button', { name: 'Confirm approval' }).click();
    await expect.poll(() => security.getByTestId('exemption-message').textContent()).toMatch(new RegExp(`^Exemption ${requested?.id} approved, until `));
    await security.getByText('Nothing waits for your decision.').waitFor();

    // The counts change: one critical fewer, one exempted, linked to the exempted issues; the catalog's row too.
    const after = await summary();
    expect(after.counts.critical).toBe(before.counts.critical - 1);
    expect(after.exempted).toBe(before.exempted + 1);
    expect(await overviewCounts()).toEqual(after.counts);
    await expect.poll(() => catalogCount(developer, 'critical')).toBe(`${after.counts.critical} critical`);
    approvedFromQueue = (await exemptions('?status=approved')).find((e) => e.id === requested?.id) as ExemptionListing;
    expect(approvedFromQueue).toMatchObject({ status: 'approved', decidedBy: 'sam@acme.io' });
    await developer.goto(`${base}${ENTITY}`);
    const card = developer.getByTestId('security-summary');
    await expect.poll(() => card.getByTestId('summary-count-critical').textContent()).toBe(String(after.counts.critical));
    // It ends within 7 days: the entity page says so.
    await expect.poll(() => developer.getByTestId('expiring-exemptions').textContent()).toContain('1 exemption covering 1 issue ends within 7 days');
    await card.getByTestId('summary-exempted').getByRole('link', { name: '1' }).click();
    await expect.poll(() => path(developer)).toBe(`${ENTITY}/vulnerabilities?status=exempted`);
    await expect.poll(() => rowTitles(developer)).toHaveLength(1);
    const exemptedRow = developer.locator('[data-testid="issues-table"] tbody tr').first();
    expect(await exemptedRow.textContent()).toContain('lodash');
    expect(await exemptedRow.locator('td.col-exemption').textContent()).toMatch(/^Acceptable riskuntil .+ · target level, #\d+Expires soon$/);
    expect(await developer.getByRole('button', { name: 'Exempted' }).getAttribute('aria-pressed')).toBe('true');
    await screenshot(developer, 'triage-exempted', { fullPage: false, also: docsShot('triage-exempted') });
    // The open view no longer lists it.
    await developer.getByRole('button', { name: 'Open', exact: true }).click();
    await expect.poll(() => path(developer)).toBe(`${ENTITY}/vulnerabilities`);
    await expect.poll(() => rowTitles(developer)).toHaveLength(after.counts.total);
    expect((await developer.locator('[data-testid="issues-table"] tbody tr').allTextContents()).some((t) => t.includes('lodash'))).toBe(false);

    // The approved list says who decided and when.
    await security.goto(`${base}/exemptions?view=approved`);
    const approved = security.locator(`[data-testid="exemptions-table"] tbody tr[data-key="${requested?.id}"]`);
    await approved.waitFor();
    expect(await approved.textContent()).toContain('sam@acme.io');
    expect(await approved.locator('.badge-expiring').textContent()).toBe('Expires soon');
    await security.getByLabel('Expiring within').selectOption('7');
    await expect.poll(() => path(security)).toBe('/exemptions?view=approved&expiring=7');
    await approved.waitFor();
    expect(await developer.evaluate<unknown>('window.__triageXss')).toBeUndefined();
    expect(await security.evaluate<unknown>('window.__triageXss')).toBeUndefined();

    // On a 390 px phone the page never scrolls sideways: the table scrolls in its own box.
    const phone = await session.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, extraHTTPHeaders: { authorization: `Bearer ${developerToken}` } });
    const small = await phone.newPage();
    watch(small, session.errors);
    await small.goto(`${base}/exemptions?view=approved`);
    await small.locator(`[data-testid="exemptions-table"] tbody tr[data-key="${requested?.id}"]`).waitFor();
    expect(await small.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(small, 'phone-exemptions', { fullPage: false });
    await phone.close();
  }, 120_000);

  it('requests for selected rows, a rejection with a comment changes no count, and the requester cancels and asks again', async () => {
    const before = await summary();
    await developer.goto(`${base}${ENTITY}/vulnerabilities?severity=high`);
    await expect.poll(() => rowTitles(developer)).toHaveLength(before.counts.high);
    const rows = developer.locator('[data-testid="issues-table"] tbody tr');
    const first = (await rows.nth(0).locator('.issue-title').textContent()) ?? '';
    const second = (await rows.nth(1).locator('.issue-title').textContent()) ?? '';
    await rows.nth(0).getByRole('checkbox').check();
    await rows.nth(1).getByRole('checkbox').check();
    // Ticking a box selects; it does not open the issue.
    expect(path(developer)).toBe(`${ENTITY}/vulnerabilities?severity=high`);
    const bar = developer.getByTestId('selection-bar');
    expect(await bar.textContent()).toContain('2 issues selected');
    await bar.getByRole('button', { name: 'Request an exemption' }).click();
    const form = developer.getByTestId('exemption-form');
    expect(await form.getByRole('heading').textContent()).toBe('Request an exemption of 2 issues');
    await expect.poll(() => form.getByTestId('exemption-effect').textContent()).toBe('Once approved: 2 requests: together they hide up to 2 issues.');
    await form.getByLabel('Reason').selectOption('false_positive');
    await form.getByLabel('Duration').selectOption('none');
    await form.getByLabel('Justification').fill('The scanner reads the wrong manifest.');
    await form.getByRole('button', { name: 'Request 2 exemptions' }).click();
    await developer.getByTestId('exemption-requested').waitFor();
    const pending = await exemptions('?status=pending');
    expect(pending).toHaveLength(2);
    expect(pending.map((e) => e.issueTitle).sort()).toEqual([first, second].sort());
    expect(pending.every((e) => e.reason === 'false_positive' && e.expiresAt === null && e.requestedBy === 'dana@acme.io')).toBe(true);
    const [toReject, toCancel] = pending as [ExemptionListing, ExemptionListing];

    // A rejection needs a comment.
    await security.goto(`${base}/exemptions`);
    const row = security.locator(`[data-testid="exemptions-table"] tbody tr[data-key="${toReject.id}"]`);
    await row.getByRole('button', { name: 'Reject' }).click();
    const reject = security.getByRole('form', { name: `Confirm rejection: exemption ${toReject.id}` });
    await reject.getByRole('button', { name: 'Confirm rejection' }).click();
    await expect.poll(() => reject.getByRole('alert').textContent()).toBe('Say why the request is rejected: the requester reads it.');
    expect((await exemptions(`?status=pending`)).map((e) => e.id).sort()).toEqual([toReject.id, toCancel.id].sort());
    await reject.getByLabel('Why it is rejected').fill('Reachable from the internet <b>today</b>.');
    await reject.getByRole('button', { name: 'Confirm rejection' }).click();
    await expect.poll(() => security.getByTestId('exemption-message').textContent()).toBe(`Exemption ${toReject.id} rejected.`);
    // The queue is read again: the decided request leaves it.
    await expect.poll(() => security.locator(`[data-testid="exemptions-table"] tbody tr[data-key="${toReject.id}"]`).count()).toBe(0);
    const afterReject = await summary();
    expect(afterReject.counts).toEqual(before.counts);
    expect(afterReject.exempted).toBe(before.exempted);
    expect(await overviewCounts()).toEqual(before.counts);
    await expect.poll(() => catalogCount(developer, 'high')).toBe(`${before.counts.high} high`);

    // The rejected list: who decided, when, and why, as text.
    await security.getByRole('link', { name: 'Rejected' }).click();
    await expect.poll(() => path(security)).toBe('/exemptions?view=rejected');
    const rejected = security.locator(`[data-testid="exemptions-table"] tbody tr[data-key="${toReject.id}"]`);
    await rejected.waitFor();
    expect(await rejected.textContent()).toContain('sam@acme.io');
    expect(await rejected.textContent()).toContain('“Reachable from the internet <b>today</b>.”');

    // The requester cancels the other, then asks again for the rejected one.
    await developer.goto(`${base}/exemptions`);
    const mine = developer.locator(`[data-testid="exemptions-table"] tbody tr[data-key="${toCancel.id}"]`);
    await mine.getByRole('button', { name: 'Cancel request' }).click();
    await developer.getByRole('form', { name: `Cancel the request: exemption ${toCancel.id}` }).getByRole('button', { name: 'Cancel the request' }).click();
    await expect.poll(() => developer.getByTestId('exemption-message').textContent()).toBe(`Exemption ${toCancel.id} cancelled.`);
    expect((await exemptions(`?status=cancelled`)).map((e) => e.id)).toEqual([toCancel.id]);
    await developer.goto(`${base}/exemptions?view=rejected`);
    const again = developer.locator(`[data-testid="exemptions-table"] tbody tr[data-key="${toReject.id}"]`);
    await again.getByRole('button', { name: 'Ask again' }).click();
    const reopen = developer.getByRole('form', { name: `Ask again: exemption ${toReject.id}` });
    await reopen.getByLabel(/^New justification/).fill('Only the test manifest has it.');
    await reopen.getByRole('button', { name: 'Ask again' }).click();
    await expect.poll(() => developer.getByTestId('exemption-message').textContent()).toMatch(new RegExp(`^Exemption ${toReject.id} asked again as request \\d+, pending a decision\\.$`));
    const reopened = (await exemptions('?status=pending')).find((e) => e.reopenedFrom === toReject.id);
    expect(reopened).toMatchObject({ comment: 'Only the test manifest has it.', reason: 'false_positive', requestedBy: 'dana@acme.io' });
    expect((await summary()).counts).toEqual(before.counts);
    await security.goto(`${base}/exemptions`);
    await security.locator(`[data-testid="exemptions-table"] tbody tr[data-key="${reopened?.id}"]`).waitFor();
    expect(await security.locator(`[data-testid="exemptions-table"] tbody tr[data-key="${reopened?.id}"]`).textContent()).toContain(`asks again for exemption ${toReject.id}`);
  }, 120_000);

  it('revokes an approved exemption from the Approved view with a required comment, and the counts come back; a developer sees no Revoke', async () => {
    const before = await summary();
    const jsonwebtoken = (await api<IssuePage>('/api/insights/entities/component/default/payments/issues?q=jsonwebtoken')).items[0];
    expect(jsonwebtoken?.severity).toBe('critical');
    const asked = await server.app.inject({ method: 'POST', url: '/api/exemptions', headers: { authorization: `Bearer ${developerToken}` }, payload: { issueId: jsonwebtoken?.id, reason: 'compensating_control', comment: 'Tokens are checked again at the gateway.', duration: '30d' } });
    expect(asked.statusCode, asked.body).toBe(201);
    const id = (asked.json() as ExemptionListing).id;
    await api(`/api/exemptions/${id}/approve`, 'POST', { comment: 'Until the upgrade.' });
    const exempted = await summary();
    expect(exempted.counts.critical).toBe(before.counts.critical - 1);
    await expect.poll(() => catalogCount(security, 'critical')).toBe(`${exempted.counts.critical} critical`);

    // The developer who asked sees it approved, and no button: revoking is a decision; the API refuses it too.
    await developer.goto(`${base}/exemptions?view=approved`);
    await exemptionRow(developer, id).waitFor();
    expect(await exemptionRow(developer, id).getByRole('button').count()).toBe(0);
    const forced = await server.app.inject({ method: 'POST', url: `/api/exemptions/${id}/revoke`, headers: { authorization: `Bearer ${developerToken}` }, payload: { comment: 'Mine anyway.' } });
    expect(forced.statusCode).toBe(403);

    // The security engineer revokes it; the comment is required.
    await security.goto(`${base}/exemptions?view=approved`);
    const row = exemptionRow(security, id);
    await row.waitFor();
    expect(await row.getByRole('button').allTextContents()).toEqual(['Revoke']);
    await row.getByRole('button', { name: 'Revoke' }).click();
    const revoke = security.getByRole('form', { name: `Confirm revocation: exemption ${id}` });
    await revoke.getByRole('button', { name: 'Confirm revocation' }).click();
    await expect.poll(() => revoke.getByRole('alert').textContent()).toBe('Say why the exemption is revoked: the audit log keeps it.');
    expect(await revoke.getByLabel('Why it is revoked').getAttribute('aria-invalid')).toBe('true');
    expect((await exemptions('?status=approved')).map((e) => e.id)).toContain(id);
    await revoke.getByLabel('Why it is revoked').fill('The gateway check was removed <b>yesterday</b>.');
    await screenshot(security, 'triage-revoke', { fullPage: false });
    await revoke.getByRole('button', { name: 'Confirm revocation' }).click();
    await expect.poll(() => security.getByTestId('exemption-message').textContent()).toBe(`Exemption ${id} revoked: the issues it covered count again.`);
    // Gone from the approved list, and the counts are back on the card and in the catalog.
    await expect.poll(() => exemptionRow(security, id).count()).toBe(0);
    expect((await exemptions()).map((e) => e.id)).not.toContain(id);
    expect((await summary()).counts).toEqual(before.counts);
    expect(await overviewCounts()).toEqual(before.counts);
    await expect.poll(() => cardCount(developer, 'critical')).toBe(String(before.counts.critical));
    await expect.poll(() => catalogCount(developer, 'critical')).toBe(`${before.counts.critical} critical`);
    // The audit log keeps who revoked it and why.
    const [entry] = (await api<{ items: AuditEntry[] }>(`/api/audit?action=exemption.revoke&objectId=${id}`)).items;
    expect(entry).toMatchObject({ principalName: 'sam@acme.io', details: { status: 'approved', comment: 'The gateway check was removed <b>yesterday</b>.' } });
  }, 120_000);

  it("counts an exemption's issues again once the server's clock passes its expiry and its sweep runs, and lists it as expired", async () => {
    const before = await summary();
    expect(before.counts.critical).toBe(initial.critical - 1);
    expect(approvedFromQueue.expiresAt).not.toBeNull();
    // The server's clock a minute past the end of the 7 days the approver set; its sweep (every minute in lantern serve) runs.
    clock.set(new Date(Date.parse(approvedFromQueue.expiresAt as string) + 60_000).toISOString());
    expect(await server.lantern.sweepExpiredExemptions()).toBe(1);

    const after = await summary();
    expect(after.counts).toEqual(initial);
    expect(after.exempted).toBe(before.exempted - 1);
    expect(await overviewCounts()).toEqual(initial);
    await expect.poll(() => cardCount(developer, 'critical')).toBe(String(initial.critical));
    await expect.poll(() => catalogCount(developer, 'critical')).toBe(`${initial.critical} critical`);
    // lodash is open again in the Vulnerabilities tab, and no longer in its Exempted view.
    await developer.goto(`${base}${ENTITY}/vulnerabilities?q=lodash`);
    await expect.poll(() => rowTitles(developer)).toHaveLength(1);
    await developer.goto(`${base}${ENTITY}/vulnerabilities?status=exempted`);
    await developer.getByText('No exempted issues.').waitFor();

    // Expired, not approved: listed with who decided, and the requester may ask again.
    await security.goto(`${base}/exemptions?view=approved`);
    await security.getByRole('link', { name: 'Expired' }).click();
    await expect.poll(() => path(security)).toBe('/exemptions?view=expired');
    const expired = exemptionRow(security, approvedFromQueue.id);
    await expired.waitFor();
    expect(await expired.textContent()).toContain('sam@acme.io');
    expect(await expired.locator('.badge-expiring').count()).toBe(0);
    expect((await exemptions('?status=expired')).map((e) => e.id)).toEqual([approvedFromQueue.id]);
    expect((await exemptions('?status=approved')).map((e) => e.id)).not.toContain(approvedFromQueue.id);
    await developer.goto(`${base}/exemptions?view=expired`);
    await exemptionRow(developer, approvedFromQueue.id).waitFor();
    expect(await exemptionRow(developer, approvedFromQueue.id).getByRole('button').allTextContents()).toEqual(['Ask again']);
    await screenshot(security, 'triage-expired', { fullPage: false });
  }, 120_000);

  it('threw no error on any page', () => {
    expect(session.errors).toEqual([]);
  });
});
