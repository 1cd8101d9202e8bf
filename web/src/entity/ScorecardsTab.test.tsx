import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { EntityScorecards } from '../api/types.js';
import { EntityScorecardList } from './ScorecardsTab.js';
import fixture from './testdata/scorecards.json' with { type: 'json' };

const { scorecards } = fixture as EntityScorecards;

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The rows of the check table, by check id: status, and the text of each cell as a reader sees it. */
function rows(html: string): Map<string, { status: string; cells: string[] }> {
  const out = new Map<string, { status: string; cells: string[] }>();
  for (const match of html.matchAll(/<tr data-check="([^"]+)" data-status="([^"]+)">(.*?)<\/tr>/g)) {
    const cells = [...(match[3] ?? '').matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((c) => text(c[1] ?? ''));
    out.set(match[1] ?? '', { status: match[2] ?? '', cells });
  }
  return out;
}

describe('entity scorecards tab', () => {
  const html = renderToStaticMarkup(<EntityScorecardList scorecards={scorecards} />);
  const checks = rows(html);

  it('shows the score and each check as pass, fail or unknown in words, not color alone', () => {
    expect(html).toContain('33.3%');
    expect(html).toContain('1 passed · 2 failed · 1 unknown');
    expect(checks.get('owned')?.cells[0]).toBe('Pass');
    expect(checks.get('few-high')?.cells[0]).toBe('Fail');
    expect(checks.get('no-critical')?.cells[0]).toBe('Unknown');
    // Each status has its own shape too.
    expect(new Set([...html.matchAll(/class="status-icon status-(\w+)"/g)].map((m) => m[1]))).toEqual(new Set(['pass', 'fail', 'unknown']));
  });

  it('shows each observed value against its threshold, and no data as no data rather than 0', () => {
    expect(checks.get('few-high')?.cells[2]).toBe('not met: sto.total(high) = 5, expected < 3');
    expect(checks.get('owned')?.cells[2]).toBe('met: catalog.has_owner = true, expected = true');
    expect(checks.get('no-critical')?.cells[2]).toBe('no data: sto.critical: no data, expected = 0');
    expect(checks.get('no-critical')?.cells[1]).toContain('No value for critical issues: the entity has no security data. The check is unknown.');
    expect(checks.get('few-high')?.cells[1]).toContain('5 open issues at high or above; this check wants fewer than 3.');
    // An anyOf check shows every rule, and says a fail came from whenNoData.
    expect(checks.get('scanned-recently')?.cells[0]).toBe('Fail(no data)');
    expect(checks.get('scanned-recently')?.cells[2]).toBe(
      'Passes when any of the 2 is met:no data: sto.days_since_last_scan: no data, expected < 7not met: catalog.lifecycle = “production”, expected = “experimental”',
    );
    expect(checks.get('few-high')?.cells[3]).toBe('2');
  });

  it('shows a name, description or message written with HTML as text', () => {
    expect(html).toContain('Release &lt;img src=x onerror=alert(1)&gt; readiness');
    expect(html).toContain('Checks a &lt;b&gt;release&lt;/b&gt; must pass.');
    expect(html).toContain('Owned: &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<img|<script|<b>/);
  });

  it('says there is no score, not 0, when no check was decided', () => {
    const [first] = scorecards;
    const undecided = renderToStaticMarkup(
      <EntityScorecardList scorecards={[{ ...first!, score: null, passed: 0, failed: 0, unknown: 4, summary: 'No check could be decided for this entity, so it has no score.' }]} />,
    );
    expect(undecided).toContain('No score');
    expect(undecided).toContain('so it has no score');
    expect(undecided).not.toContain('0%');
  });

  it('says "No data", not a score, when every check lacks data', () => {
    const [first] = scorecards;
    const summary = 'No data: none of the 4 checks has a value for this entity, so it has no score.';
    const empty = renderToStaticMarkup(<EntityScorecardList scorecards={[{ ...first!, score: null, noData: true, passed: 1, failed: 1, unknown: 2, summary }]} />);
    expect(text(empty)).toContain('ScoreNo data');
    expect(empty).toContain(summary);
    expect(empty).not.toMatch(/\d%/);
  });

  it('says plainly when no scorecard applies to the entity', () => {
    const none = renderToStaticMarkup(<EntityScorecardList scorecards={[]} />);
    expect(none).toContain('No scorecard applies to this entity.');
    expect(none).toContain('href="/scorecards"');
  });

  it('links each scorecard to its page', () => {
    expect(html).toContain('href="/scorecards/release-readiness"');
  });
});
