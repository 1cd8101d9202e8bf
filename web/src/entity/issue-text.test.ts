import { describe, expect, it } from 'vitest';
import { detailLabel, remediationParts } from './issue-text.js';

describe('issue panel text', () => {
  it('labels scanner keys in words', () => {
    expect(['pkgId', 'severitySource', 'fixState', 'epssPercentile', 'vendor_score', 'checkType', 'x'].map(detailLabel)).toEqual([
      'Package id', 'Severity from', 'Fix state', 'EPSS percentile', 'Vendor score', 'Check type', 'X',
    ]);
  });

  it('says the upgrade once when the scanner’s remediation names the fixed version', () => {
    expect(remediationParts({ remediation: 'Upgrade lodash to 4.17.21.', fixedVersion: '4.17.21', package: 'lodash' })).toEqual({ upgrade: null, text: 'Upgrade lodash to 4.17.21.' });
    expect(remediationParts({ remediation: 'Upgrade Django to 3.2.10, 4.0.1.', fixedVersion: '3.2.10, 4.0.1', package: 'Django' })).toEqual({ upgrade: null, text: 'Upgrade Django to 3.2.10, 4.0.1.' });
  });

  it('keeps both when they say different things, and the upgrade alone without scanner text', () => {
    expect(remediationParts({ remediation: 'Disable the JNDI lookup.', fixedVersion: '2.17.1', package: 'log4j-core' })).toEqual({
      upgrade: { package: 'log4j-core', version: '2.17.1' },
      text: 'Disable the JNDI lookup.',
    });
    expect(remediationParts({ remediation: null, fixedVersion: '1.2.6', package: 'minimist' })).toEqual({ upgrade: { package: 'minimist', version: '1.2.6' }, text: null });
    expect(remediationParts({ remediation: '  ', fixedVersion: null, package: 'qs' })).toEqual({ upgrade: null, text: null });
  });
});
