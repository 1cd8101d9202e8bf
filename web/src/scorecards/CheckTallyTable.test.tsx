import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CheckTallyTable } from './CheckTallyTable.js';

const checks = [
  { id: 'no-critical', name: 'No critical <i>vulnerabilities</i>', weight: 3, pass: 1, fail: 3, unknown: 2, passRate: 25 },
  { id: 'no-fixable-high', name: 'No fixable high', weight: 2, pass: 0, fail: 0, unknown: 6, passRate: null },
];

describe('check tally table', () => {
  it("shows each check's pass rate, and none (not 0%) when no result was decided", () => {
    const html = renderToStaticMarkup(<CheckTallyTable checks={checks} caption="Checks" testId="checks" />);
    expect(html).toContain('<span class="score-value">25%</span>');
    expect(html).toMatch(/data-check="no-fixable-high">.*?<span class="no-score" title="No entity&#x27;s result on this check was decided.">—<\/span>/);
    expect(html).not.toContain('0%');
    expect(html).toContain('No critical &lt;i&gt;vulnerabilities&lt;/i&gt;');
    // Without hrefFor the counts are plain numbers.
    expect(html).not.toContain('<a ');
  });

  it('links each count to the entities with that result, and a zero count to nothing', () => {
    const html = renderToStaticMarkup(<CheckTallyTable checks={checks} caption="Checks" testId="checks" hrefFor={(check, status) => `/scorecards/x?check=${check}&status=${status}`} />);
    expect(html).toContain('href="/scorecards/x?check=no-critical&amp;status=fail" aria-label="3 fail: show these entities">3</a>');
    expect(html).toContain('href="/scorecards/x?check=no-critical&amp;status=unknown"');
    expect(html).toContain('href="/scorecards/x?check=no-fixable-high&amp;status=unknown"');
    expect(html).not.toContain('check=no-fixable-high&amp;status=pass');
  });
});
