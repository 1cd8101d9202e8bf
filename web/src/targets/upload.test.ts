import { describe, expect, it } from 'vitest';
import { type UploadFields, uploadPath, uploadProblems } from './upload.js';

const fields = (patch: Partial<UploadFields> = {}): UploadFields => ({ target: 'acme/payments', type: 'repository', variant: 'main', scope: '', format: '', baseline: false, commit: '', ...patch });

describe('report upload', () => {
  it('names everything missing before sending', () => {
    expect(uploadProblems(fields(), { size: 10 })).toEqual([]);
    expect(uploadProblems(fields({ target: ' ', variant: '' }), null)).toEqual([
      'Choose a report file.',
      'Name the target the report is about, such as acme/payments.',
      'Name the variant scanned: a branch, tag or image tag.',
    ]);
    expect(uploadProblems(fields(), { size: 0 })).toEqual(['The chosen file is empty.']);
    expect(uploadProblems(fields({ scope: 'a.b.c' }), { size: 1 })).toEqual(['The scope "a.b.c" is not valid: write ORG.PROJECT or account.']);
    expect(uploadProblems(fields({ scope: 'account' }), { size: 1 })).toEqual([]);
    expect(uploadProblems(fields({ scope: 'acme.pay' }), { size: 1 })).toEqual([]);
  });

  it('sends the fields as POST /api/scans query parameters', () => {
    expect(uploadPath(fields())).toBe('/api/scans?target=acme%2Fpayments&type=repository&variant=main');
    expect(uploadPath(fields({ target: ' registry.acme.io/pay:1.2 ', type: 'container', variant: '1.2', scope: 'acme.pay', format: 'trivy', baseline: true, commit: 'abc' }))).toBe(
      '/api/scans?target=registry.acme.io%2Fpay%3A1.2&type=container&variant=1.2&scope=acme.pay&format=trivy&baseline=true&commit=abc',
    );
  });
});
