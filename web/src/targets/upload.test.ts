import { describe, expect, it } from 'vitest';
import { suggestedTargetType, type UploadFields, uploadPath, uploadProblems } from './upload.js';

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

  it('suggests the target type from the format picked or the report’s first bytes', () => {
    expect(suggestedTargetType('', '{"SchemaVersion": 2, "ArtifactName": "registry.acme.io/pay:1.2", "ArtifactType": "container_image", "Results": []}')).toBe('container');
    expect(suggestedTargetType('', '{"SchemaVersion": 2, "ArtifactName": ".", "ArtifactType": "filesystem"}')).toBe('repository');
    expect(suggestedTargetType('', '{"matches": [{"vulnerability": {"id": "CVE-1"}}], "source": {"type": "image", "target": {}}}')).toBe('container');
    expect(suggestedTargetType('', '{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": []}')).toBe('repository');
    expect(suggestedTargetType('', '{"results": [{"check_id": "x"}], "errors": []}')).toBe('repository');
    expect(suggestedTargetType('checkov', '')).toBe('configuration');
    expect(suggestedTargetType('aqua', '')).toBe('container');
    // Nothing to tell by (gzip bytes, an unknown shape): no suggestion, the type stays as chosen.
    expect(suggestedTargetType('', '\u001f\u008b\u0008')).toBeUndefined();
    expect(suggestedTargetType('generic', '{"findings": []}')).toBeUndefined();
  });
});
