import { describe, expect, it } from 'vitest';
import {
  canonicalVulnerabilityId, codeFingerprint, dastFingerprint, misconfigurationFingerprint, secretFingerprint, vulnerabilityFingerprint,
} from './fingerprint.js';

describe('canonicalVulnerabilityId', () => {
  it('prefers a CVE among the ids and keeps the rest as aliases', () => {
    expect(canonicalVulnerabilityId(['GHSA-q2q7-5pp4-w6pg', 'cve-2021-33503', 'PYSEC-2021-108'])).toEqual({
      id: 'CVE-2021-33503',
      aliases: ['GHSA-q2q7-5pp4-w6pg', 'PYSEC-2021-108'],
    });
  });

  it('takes the first id when none is a CVE, dropping blanks and duplicates', () => {
    expect(canonicalVulnerabilityId(['', 'GHSA-1', undefined, 'SNYK-JS-1', 'GHSA-1'])).toEqual({ id: 'GHSA-1', aliases: ['SNYK-JS-1'] });
    expect(canonicalVulnerabilityId([])).toEqual({ id: undefined, aliases: [] });
  });
});

describe('fingerprints', () => {
  it('identify a vulnerable dependency without the scanner', () => {
    const a = vulnerabilityFingerprint({ vulnerabilityId: 'CVE-2021-1', package: 'urllib3', installedVersion: '1.26.3' });
    expect(vulnerabilityFingerprint({ vulnerabilityId: 'cve-2021-1', package: 'urllib3', installedVersion: '1.26.3' })).toBe(a);
    expect(vulnerabilityFingerprint({ vulnerabilityId: 'CVE-2021-1', package: 'urllib3', installedVersion: '1.26.4' })).not.toBe(a);
  });

  it('identify code by stable fingerprint or normalised snippet, never by line', () => {
    const base = { scanner: 'semgrep', ruleId: 'r1', filePath: 'a.py' };
    expect(codeFingerprint({ ...base, snippetOrMessage: 'x  =\n  eval(y)' })).toBe(codeFingerprint({ ...base, snippetOrMessage: 'x = eval(y)' }));
    expect(codeFingerprint({ ...base, stableFingerprint: 'abc', snippetOrMessage: 'one' })).toBe(
      codeFingerprint({ ...base, stableFingerprint: 'abc', snippetOrMessage: 'two' }),
    );
    expect(codeFingerprint({ ...base, ruleId: 'r2', snippetOrMessage: 'x' })).not.toBe(codeFingerprint({ ...base, snippetOrMessage: 'x' }));
  });

  it('keep kinds apart even with equal parts', () => {
    const prints = new Set([
      misconfigurationFingerprint({ scanner: 's', checkId: 'c', filePath: 'f', resource: 'r' }),
      secretFingerprint({ ruleId: 'c', filePath: 'f', secretSha256: 'r' }),
      dastFingerprint({ scanner: 's', ruleId: 'c', host: 'f', path: 'r' }),
    ]);
    expect(prints.size).toBe(3);
  });
});
