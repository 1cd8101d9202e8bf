import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { IssueDetail } from '../api/types.js';
import { IssueBody } from './IssueDrawer.js';
import issueFixture from './testdata/issue.json' with { type: 'json' };

const issue = issueFixture as IssueDetail;

describe('issue drawer body', () => {
  const html = renderToStaticMarkup(<IssueBody issue={issue} />);
  const tags = [...html.matchAll(/<[a-z][^>]*>/g)].map((m) => m[0]);

  it('renders the untrusted description as text, never as elements', () => {
    expect(tags.some((t) => /^<(script|img)\b/.test(t))).toBe(false);
    expect(tags.some((t) => /\son[a-z]+=/i.test(t) || t.includes('javascript:'))).toBe(false);
    expect(html).toContain('&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;');
    expect(html).toContain('<strong>scanner</strong>');
  });

  it('links identifiers to their public pages', () => {
    expect(html).toContain('href="https://nvd.nist.gov/vuln/detail/CVE-2021-23337"');
    expect(html).toContain('href="https://github.com/advisories/GHSA-35jh-r3h4-6jhm"');
    expect(html).toContain('href="https://cwe.mitre.org/data/definitions/94.html"');
  });

  it('lists references, linking only the safe ones', () => {
    expect(html).toContain('<a href="https://nvd.nist.gov/vuln/detail/CVE-2021-23337" target="_blank" rel="noopener noreferrer nofollow">https://nvd.nist.gov/vuln/detail/CVE-2021-23337</a>');
    expect(html).toContain('<span class="break">javascript:alert(3)</span>');
  });

  it("links a scanner's detail only when it is a web URL", () => {
    const withDetails: IssueDetail = {
      ...issue,
      occurrences: [{ ...(issue.occurrences[0] as IssueDetail['occurrences'][number]), details: { guideline: 'https://docs.example.com/policy/2', trap: 'javascript:alert(1)', checkType: 'terraform', empty: null } }],
    };
    const rendered = renderToStaticMarkup(<IssueBody issue={withDetails} />);
    expect(rendered).toContain('<dt>Guideline</dt><dd><a href="https://docs.example.com/policy/2" target="_blank" rel="noopener noreferrer nofollow">https://docs.example.com/policy/2</a></dd>');
    expect(rendered).toContain('<dt>Trap</dt><dd>javascript:alert(1)</dd>');
    expect(rendered).toContain('<dt>Check type</dt><dd>terraform</dd>');
    expect(rendered).not.toContain('<dt>Empty</dt>');
  });

  it('shows the fix once and each occurrence with a link to its lines', () => {
    // The scanner's "Upgrade to `4.17.21`." already names the fixed version: no second sentence.
    expect(html).toContain('Upgrade to <code>4.17.21</code>.');
    expect(html).not.toContain('or later.');
    const other = renderToStaticMarkup(<IssueBody issue={{ ...issue, remediation: 'Pin the lockfile.' }} />);
    expect(other).toContain('Upgrade <span class="mono">lodash</span> to <span class="mono">4.17.21</span> or later.');
    expect(other).toContain('Pin the lockfile.');
    expect(html).toContain('href="https://github.com/acme/payments/blob/abc123/package-lock.json#L120-L124"');
    expect(html).toContain('package-lock.json:120-124');
    expect(html).toContain('app → express → lodash');
    expect(html).toContain('reported as “CRITICAL”');
  });

  it('links a path in an image only when the scanner puts it in the source tree, and names that root', () => {
    const base = issue.occurrences[0] as IssueDetail['occurrences'][number];
    const inImage = { ...base, filePath: 'app/payments-api.jar', startLine: null, endLine: null, baseId: null, sourceUrl: null };
    const inSource = { ...base, filePath: 'web/app.js', startLine: 7, endLine: 9, baseId: '%SRCROOT%', sourceUrl: 'https://github.com/acme/payments/blob/9e8d7c6/web/app.js#L7-L9' };
    const rendered = renderToStaticMarkup(<IssueBody issue={{ ...issue, targetName: 'registry.acme.io/payments', occurrences: [inImage, inSource] }} />);
    expect(rendered).toContain('<span class="mono">app/payments-api.jar</span>');
    expect(rendered).not.toMatch(/<a [^>]*><span[^>]*>app\/payments-api\.jar/);
    expect(rendered.match(/data-testid="occurrence-source-link"/g)).toHaveLength(1);
    expect(rendered).toContain('<a href="https://github.com/acme/payments/blob/9e8d7c6/web/app.js#L7-L9" title="Open these lines in the repository (the scanner puts this path under %SRCROOT%, the root of the source tree)"');
    expect(rendered).toContain('<dt>Source root</dt><dd><span class="mono">%SRCROOT%</span></dd>');
    expect(rendered.match(/<dt>Source root<\/dt>/g)).toHaveLength(1);
  });
});
