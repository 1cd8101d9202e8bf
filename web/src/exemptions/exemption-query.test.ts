import { describe, expect, it } from 'vitest';
import { exemptionSearch, exemptionsPath, isExemptionFiltered, parseExemptionQuery } from './exemption-query.js';

describe('the Exemptions page URL', () => {
  it('reads the view and filters, dropping values it does not know', () => {
    expect(parseExemptionQuery('')).toEqual({ view: null, reason: '', level: '', scope: '', requester: '', expiring: 0 });
    expect(parseExemptionQuery('?view=approved&reason=false_positive&level=org&scope=acme&requester=dana&expiring=7')).toEqual({
      view: 'approved',
      reason: 'false_positive',
      level: 'org',
      scope: 'acme',
      requester: 'dana',
      expiring: 7,
    });
    expect(parseExemptionQuery('?view=all&reason=because&level=galaxy&expiring=-3')).toEqual({ view: null, reason: '', level: '', scope: '', requester: '', expiring: 0 });
    expect(parseExemptionQuery('?expiring=9999').expiring).toBe(366);
  });

  it('writes the same URL back', () => {
    const search = '?view=approved&reason=false_positive&scope=acme.pay&expiring=7';
    expect(exemptionSearch(parseExemptionQuery(search))).toBe(search);
    expect(isExemptionFiltered(parseExemptionQuery('?view=queue'))).toBe(false);
    expect(isExemptionFiltered(parseExemptionQuery('?requester=dana'))).toBe(true);
  });

  it('asks the API for the queue as decidable pending requests, and for expiring ones only in the approved view', () => {
    const query = parseExemptionQuery('?reason=other&requester=token:3&expiring=7');
    expect(exemptionsPath(query, 'queue')).toBe('/api/exemptions?status=pending&decidable=true&reason=other&requester=token%3A3&limit=500');
    expect(exemptionsPath(query, 'approved')).toBe('/api/exemptions?status=approved&reason=other&requester=token%3A3&expiringWithinDays=7&limit=500');
    expect(exemptionsPath(parseExemptionQuery('?scope=acme'), 'rejected')).toBe('/api/exemptions?status=rejected&scope=acme&limit=500');
  });
});
