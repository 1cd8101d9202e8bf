import { describe, expect, it } from 'vitest';
import { identifierUrl, safeHref } from './identifiers.js';

describe('identifiers', () => {
  it('links CVEs to NVD, GHSAs to GitHub and CWEs to MITRE', () => {
    expect(identifierUrl('CVE-2021-23337')).toBe('https://nvd.nist.gov/vuln/detail/CVE-2021-23337');
    expect(identifierUrl('cve-2024-123456')).toBe('https://nvd.nist.gov/vuln/detail/CVE-2024-123456');
    expect(identifierUrl('GHSA-35jh-r3h4-6jhm')).toBe('https://github.com/advisories/GHSA-35jh-r3h4-6jhm');
    expect(identifierUrl('CWE-79')).toBe('https://cwe.mitre.org/data/definitions/79.html');
    expect(identifierUrl('CWE-0079')).toBe('https://cwe.mitre.org/data/definitions/79.html');
  });

  it('links other advisory databases osv.dev serves, and nothing else', () => {
    expect(identifierUrl('GO-2023-1840')).toBe('https://osv.dev/vulnerability/GO-2023-1840');
    expect(identifierUrl('PYSEC-2021-19')).toBe('https://osv.dev/vulnerability/PYSEC-2021-19');
    expect(identifierUrl('RUSTSEC-2020-0071')).toBe('https://osv.dev/vulnerability/RUSTSEC-2020-0071');
    expect(identifierUrl('RHSA-2023:1234')).toBeNull();
    expect(identifierUrl('python.lang.security.audit.eval')).toBeNull();
    expect(identifierUrl('CVE-21-1')).toBeNull();
    expect(identifierUrl('GHSA-aaaa-bbbb-1111')).toBeNull();
    expect(identifierUrl('SNYK-JS-LODASH-1040724')).toBeNull();
  });

  it('lets only absolute http(s) and mailto URLs become links', () => {
    expect(safeHref('https://example.com/a?b=1')).toBe('https://example.com/a?b=1');
    expect(safeHref(' http://example.com ')).toBe('http://example.com/');
    expect(safeHref('mailto:security@example.com')).toBe('mailto:security@example.com');
    for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>x</script>', 'vbscript:x', '/relative/path', '//evil.example/x', 'not a url', '', null, undefined]) {
      expect(safeHref(bad), String(bad)).toBeNull();
    }
  });
});
