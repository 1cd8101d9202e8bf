import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildSlaHistory, SLA_HISTORY_NOW } from '../support/sla-history.js';
import { describeBrowser, screenshot, startWebUiSuite, type WebUiSuite } from './browser.js';

/**
 * The dashboard's SLA section in Chromium, on the history of test/support/sla-history.ts: the
 * numbers the API gives, per owner, system and domain, the period selector, and "—" for an owner
 * whose only fix was a false positive.
 */
describeBrowser('SLA compliance on the dashboard in Chromium', () => {
  let suite: WebUiSuite;
  let page: Page;
  let base: string;
  const clock = { now: SLA_HISTORY_NOW };

  const cell = (table: string, owner: string, testId: string) => page.locator(`[data-testid="${table}"] tr[data-key="${owner}"] [data-testid="${testId}"]`).textContent();
  const owners = () => page.locator('[data-testid="sla-group"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));

  beforeAll(async () => {
    suite = await startWebUiSuite({ clock: () => clock.now, allowSelfApproval: true }, (server) => buildSlaHistory(server.lantern, clock));
    ({ page, base } = suite);
  }, 120_000);

  afterAll(() => suite?.close());

  it('shows compliance per owner, system and domain and MTTR per severity, with "—" for no fixes, over the period chosen', async () => {
    await page.goto(`${base}/dashboard`);
    const section = page.getByTestId('sla-compliance');
    await expect.poll(() => section.getByTestId('sla-overall').textContent()).toBe('50 %');
    expect(await section.getByTestId('sla-period').inputValue()).toBe('90');
    expect(await section.getByTestId('sla-mttr-critical').textContent()).toBe('11.5 d');
    expect(await section.getByTestId('sla-mttr-high').textContent()).toBe('40.0 d');
    expect(await section.getByTestId('sla-mttr-low').textContent()).toBe('—');
    expect(await owners()).toEqual(['group:default/team-b', 'group:default/team-a', 'group:default/team-c']);
    expect(await cell('sla-group', 'group:default/team-a', 'sla-compliance-cell')).toBe('66.7 %');
    expect(await cell('sla-group', 'group:default/team-b', 'sla-compliance-cell')).toBe('0 %');
    // team-c fixed only a false positive: no data, not 0 % nor 100 %.
    expect(await cell('sla-group', 'group:default/team-c', 'sla-compliance-cell')).toBe('—');
    expect(await cell('sla-group', 'group:default/team-c', 'sla-mttr-cell')).toBe('—');
    expect(await cell('sla-system', 'system:default/billing', 'sla-compliance-cell')).toBe('50 %');
    expect(await cell('sla-domain', 'domain:default/money', 'sla-compliance-cell')).toBe('50 %');
    await screenshot(page, 'sla-compliance-90');

    await section.getByTestId('sla-period').selectOption('30');
    await expect.poll(() => section.getByTestId('sla-overall').textContent()).toBe('0 %');
    expect(new URL(page.url()).searchParams.get('slaDays')).toBe('30');
    expect(await section.getByTestId('sla-mttr-critical').textContent()).toBe('19.0 d');
    expect(await owners()).toEqual(['group:default/team-a', 'group:default/team-b']);
    expect(suite.session.errors).toEqual([]);
  });
});
