import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { EntitySummary } from '../api/types.js';
import { SecuritySummaryCard } from './SecuritySummaryCard.js';
import summaryFixture from './testdata/summary.json' with { type: 'json' };

const payments = { kind: 'component', namespace: 'default', name: 'payments' };
const summary = summaryFixture as EntitySummary;

/** The text of the element carrying a data-testid. */
function byTestId(html: string, id: string): string {
  const match = new RegExp(`data-testid="${id}"[^>]*>(.*?)</(td|dd|span)>`).exec(html);
  return (match?.[1] ?? '').replace(/<[^>]+>/g, '');
}

describe('security summary card', () => {
  it('shows the summary numbers as the API gave them', () => {
    const html = renderToStaticMarkup(<SecuritySummaryCard summary={summary} name={payments} />);
    // testdata/summary.json: 2 critical (29%), 3 high (43%), 1 medium (14%), 0 low, 1 info (14%); 7 open, 4 fixable, 2 new, 1 exempted.
    expect(byTestId(html, 'summary-count-critical')).toBe('2');
    expect(byTestId(html, 'summary-percent-critical')).toBe('29%');
    expect(byTestId(html, 'summary-count-high')).toBe('3');
    expect(byTestId(html, 'summary-percent-high')).toBe('43%');
    expect(byTestId(html, 'summary-count-low')).toBe('0');
    expect(byTestId(html, 'summary-percent-low')).toBe('0%');
    expect(byTestId(html, 'summary-total')).toBe('7');
    // breakdown.fixable in testdata/summary.json: 2 critical, 1 high, 1 medium.
    expect(byTestId(html, 'summary-fixable-critical')).toBe('2');
    expect(byTestId(html, 'summary-fixable-high')).toBe('1');
    expect(byTestId(html, 'summary-fixable-low')).toBe('0');
    expect(html).toContain('title="First seen 2 Oct 2026, ');
    expect(byTestId(html, 'summary-fixable')).toBe('4');
    expect(byTestId(html, 'summary-new')).toBe('2');
    expect(byTestId(html, 'summary-exempted')).toBe('1');
    // The exempted count opens the exempted issues.
    expect(html).toContain('<a href="/catalog/component/default/payments/vulnerabilities?status=exempted">1</a>');
    expect(html).toContain('aria-label="Issues by severity: 2 critical (29%), 3 high (43%), 1 medium (14%), 0 low (0%), 1 info (14%)"');
    // Counts link to the Vulnerabilities tab filtered on their severity.
    expect(html).toContain('href="/catalog/component/default/payments/vulnerabilities?severity=critical"');
  });

  it('lists each linked target with the variant shown and its scanners', () => {
    const html = renderToStaticMarkup(<SecuritySummaryCard summary={summary} name={payments} />);
    // The name opens this entity's issues in that target; its scans are one link further.
    expect(html).toMatch(/<a href="\/catalog\/component\/default\/payments\/vulnerabilities\?target=3"[^>]*>registry\.acme\.io\/payments<\/a>/);
    expect(html).toContain('<a href="/targets/3">scans ›</a>');
    expect(html).toContain('<code>latest</code>');
    expect(html).toContain('named in the link');
    expect(html).toContain('grype, trivy');
  });

  it('aligns the counts of targets and scanners in one column per severity, each headed by its shape', () => {
    const html = renderToStaticMarkup(<SecuritySummaryCard summary={summary} name={payments} />);
    for (const table of ['summary-targets', 'summary-scanners']) {
      const markup = new RegExp(`data-testid="${table}".*?</table>`).exec(html)?.[0] ?? '';
      const head = /<thead>.*?<\/thead>/.exec(markup)?.[0] ?? '';
      expect([...head.matchAll(/class="sev-icon sev-(\w+)"/g)].map((m) => m[1]), table).toEqual(['critical', 'high', 'medium', 'low', 'info']);
      const rows = [...markup.matchAll(/<tr data-[a-z]+="[^"]*">(.*?)<\/tr>/g)].map((m) => [...(m[1] ?? '').matchAll(/<td class="num sev-col">/g)].length);
      expect(rows.length, table).toBeGreaterThan(0);
      expect(rows.every((n) => n === 5), table).toBe(true);
    }
    // A scanner's row opens the issues it reports.
    expect(html).toContain('href="/catalog/component/default/payments/vulnerabilities?scanner=trivy"');
  });

  it('explains each link that matched nothing, with the change to make', () => {
    const html = renderToStaticMarkup(<SecuritySummaryCard summary={summary} name={payments} />);
    expect(html).toContain('2 target links show nothing');
    expect(html).toContain('data-testid="diagnostic-target-in-other-scope"');
    expect(html).toContain('Set the entry&#x27;s scope to “default.default” in catalog-info.yaml:');
    expect(html).toContain('data-testid="diagnostic-similar-target"');
    expect(html).toContain('did you mean “acme/payment”?');
    expect(html).toContain('- name: acme/payment\n        scope: acme.pay');
  });

  it('says "no data" apart from zero issues, and how to link the entity', () => {
    const unlinked: EntitySummary = { ...summary, hasData: false, targets: [], scanners: [], links: [] };
    const html = renderToStaticMarkup(<SecuritySummaryCard summary={unlinked} name={payments} />);
    expect(html).toContain('No security data: this entity is not linked to any scanned target.');
    expect(html).toContain('harness.io/sto-test-target:');
    expect(html).not.toContain('data-testid="summary-total"');

    const unmatched: EntitySummary = { ...summary, hasData: false, targets: [], scanners: [], links: summary.links.filter((l) => !l.matched) };
    const explained = renderToStaticMarkup(<SecuritySummaryCard summary={unmatched} name={payments} />);
    expect(explained).toContain('none of this entity&#x27;s target links matched a scanned target');
    expect(explained).toContain('This is not the same as no issues.');
  });
});
