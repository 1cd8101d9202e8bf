import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ViewerProvider } from '../access/session.js';
import type { Exemption, Grant, IssueDetail } from '../api/types.js';
import issueFixture from '../entity/testdata/issue.json' with { type: 'json' };
import { IssueExemption } from './IssueExemption.js';

const issue = issueFixture as IssueDetail;
const as = (grants: Grant[], detail: IssueDetail) =>
  renderToStaticMarkup(
    <ViewerProvider principal={{ kind: 'user', id: 'user:dana', name: 'dana', grants }}>
      <IssueExemption issue={detail} />
    </ViewerProvider>,
  );
const pending: Exemption = {
  id: 7,
  status: 'pending',
  level: 'target',
  targetId: 3,
  scope: null,
  issueId: 41,
  key: null,
  reason: 'fix_unavailable',
  comment: 'No release yet <img src=x onerror=alert(1)>',
  link: 'javascript:alert(2)',
  decisionComment: null,
  sourceIssueId: null,
  reopenedFrom: null,
  requestedBy: '<b>dana</b>',
  requestedById: 'user:dana',
  decidedBy: null,
  decidedById: null,
  expiresAt: '2026-12-30T00:00:00.000Z',
  createdAt: '2026-11-30T00:00:00.000Z',
  decidedAt: null,
};

describe('the exemption part of the issue panel', () => {
  it('offers the request to a developer of the issue’s scope only', () => {
    expect(as([{ role: 'developer', scope: 'default.default' }], issue)).toContain('Request an exemption');
    expect(as([{ role: 'developer', scope: 'default' }], issue)).toContain('Request an exemption');
    expect(as([{ role: 'developer', scope: 'acme.pay' }], issue)).toBe('');
    expect(as([{ role: 'viewer', scope: 'account' }], issue)).toBe('');
  });

  it('shows a pending request as text, with no second request and no unsafe link', () => {
    const html = as([{ role: 'developer', scope: 'account' }], { ...issue, exemption: pending });
    expect(html).toContain('Exemption requested, waiting for a decision');
    expect(html).toContain('Fix unavailable');
    expect(html).toContain('No release yet &lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('Requested by &lt;b&gt;dana&lt;/b&gt;');
    expect(html).not.toContain('javascript:');
    expect(html).not.toContain('Request an exemption');
  });

  it('lets a rejected one be asked again', () => {
    const html = as([{ role: 'developer', scope: 'account' }], { ...issue, exemption: { ...pending, status: 'rejected', decidedBy: 'sec', decidedAt: '2026-12-01T00:00:00.000Z' } });
    expect(html).toContain('Exemption rejected');
    expect(html).toContain('decided by sec');
    expect(html).toContain('Request an exemption');
  });
});
