import { describe, expect, it } from 'vitest';
import type { SummaryLink } from '../api/types.js';
import { adviceFor, annotationYaml, linkProblems, quotedValues, yamlScalar } from './link-advice.js';

const link = (patch: Partial<SummaryLink> = {}): SummaryLink => ({
  name: 'acme/ledger',
  scope: 'acme.pay',
  variant: null,
  origin: 'annotation',
  matched: false,
  targetId: null,
  variantShown: null,
  diagnostics: [],
  ...patch,
});

// Messages as src/catalog/matching.ts writes them.
describe('advice for link diagnostics', () => {
  it('target-not-found: ingest a scan, or fix the name', () => {
    const message = 'No target named "acme/ledger" exists in acme.pay, and none has a similar name: no scan of it has been ingested yet.';
    const advice = adviceFor(link(), { level: 'warning', code: 'target-not-found', message });
    expect(advice.title).toBe('No scans of “acme/ledger” yet');
    expect(advice.change).toContain("change the entry's name in catalog-info.yaml");
    expect(advice.command).toBe('lantern ingest REPORT --target acme/ledger --scope acme.pay --baseline');
    expect(advice.yaml).toContain('harness.io/sto-test-target:');

    const fromUrl = adviceFor(link({ origin: 'source-url', name: 'acme/payments' }), { level: 'warning', code: 'target-not-found', message });
    expect(fromUrl.title).toBe('The repository “acme/payments” has not been scanned');
    expect(fromUrl.change).toContain("repository URL links it to the repository target “acme/payments”");
    expect(fromUrl.command).toBe('lantern ingest REPORT --target acme/payments --scope acme.pay --baseline');
  });

  it('target-in-other-scope: set the scope the message names', () => {
    const message = 'No target named "acme/payments-config" exists at account level, but one does in default.default or in ops.tools; set the entry\'s scope to "default.default" or "ops.tools" to link it.';
    const advice = adviceFor(link({ name: 'acme/payments-config', scope: 'account' }), { level: 'warning', code: 'target-in-other-scope', message });
    expect(advice.title).toBe('“acme/payments-config” is scanned in another scope');
    expect(advice.change).toBe("Set the entry's scope to “default.default” or “ops.tools” in catalog-info.yaml:");
    expect(advice.yaml).toBe(['metadata:', '  annotations:', '    harness.io/sto-test-target:', '      - name: acme/payments-config', '        scope: default.default'].join('\n'));

    const noHint = adviceFor(link({ origin: 'source-url' }), { level: 'warning', code: 'target-in-other-scope', message: 'No target named "acme/ledger" exists in acme.pay, but one does at account level.' });
    expect(noHint.change).toContain('Add an entry for the target with the scope it is scanned in');
    expect(noHint.yaml).toContain('scope: ORG.PROJECT');
  });

  it('similar-target: suggest the nearest name, in its scope', () => {
    const message = 'No target named "acme/payments" exists in acme.pay; a target with a similar name does: "acme/payment" in ops.tools or "registry.acme.io/payments" in acme.pay.';
    const advice = adviceFor(link({ name: 'acme/payments' }), { level: 'warning', code: 'similar-target', message });
    expect(advice.title).toBe('No target named “acme/payments”; did you mean “acme/payment”?');
    expect(advice.yaml).toContain('- name: acme/payment\n        scope: ops.tools');

    const account = adviceFor(link({ name: 'acme/pay' }), { level: 'warning', code: 'similar-target', message: 'No target named "acme/pay" exists in acme.pay; a target with a similar name does: "acme/pay.git" at account level.' });
    expect(account.yaml).toContain('- name: acme/pay.git\n        scope: account');

    const fromUrl = adviceFor(link({ name: 'acme/payments', origin: 'source-url' }), { level: 'warning', code: 'similar-target', message });
    expect(fromUrl.change).toContain('link it explicitly');
  });

  it('variant-not-scanned: name a scanned variant, or set a baseline', () => {
    const named = adviceFor(link({ variant: 'develop' }), { level: 'warning', code: 'variant-not-scanned', message: 'The variant "develop" of target "acme/ledger" was never scanned; scanned variants: "main", "v1.2".' });
    expect(named.title).toBe('The variant “develop” of “acme/ledger” was never scanned');
    expect(named.change).toContain('(“main”, “v1.2”)');
    expect(named.yaml).toContain('variant: main');

    const nothing = adviceFor(link({ variant: 'develop' }), { level: 'warning', code: 'variant-not-scanned', message: 'The variant "develop" of target "acme/ledger" was never scanned, and the target has no scan yet.' });
    expect(nothing.change).toContain('No variant of the target has been scanned yet');
    expect(nothing.yaml).not.toContain('variant:');
    expect(nothing.command).toBe('lantern ingest REPORT --target acme/ledger --scope acme.pay --variant develop');
    expect(named.command).toBeUndefined();

    const baseline = adviceFor(link(), { level: 'warning', code: 'variant-not-scanned', message: 'The baseline "release" of target "acme/ledger" was never scanned; scanned variants: "main".' });
    expect(baseline.title).toBe('The baseline of “acme/ledger” was never scanned');
    expect(baseline.change).toContain("Set the target's baseline");
    expect(baseline.yaml).toContain('variant: main');
  });

  it('the remaining codes, and one it does not know', () => {
    const noScan = adviceFor(link(), { level: 'warning', code: 'no-baseline-no-scan', message: 'The target "acme/ledger" has no baseline and no scan yet.' });
    expect(noScan.title).toBe('“acme/ledger” has no scans yet');
    expect(noScan.yaml).toBeNull();
    expect(noScan.command).toBe('lantern ingest REPORT --target acme/ledger --scope acme.pay --baseline');
    expect(adviceFor(link({ origin: 'source-url' }), { level: 'warning', code: 'not-a-repository', message: 'x' }).title).toBe('The repository URL names a target that is not a repository');
    const folded = adviceFor(link({ matched: true }), { level: 'info', code: 'case-folded', message: 'The link names "acme/ledger" and the target is written "Acme/Ledger": they were matched ignoring case.' });
    expect(folded.change).toBe('Nothing to fix; to silence this note, write it as the target does: “Acme/Ledger”.');
    expect(adviceFor(link({ matched: true }), { level: 'info', code: 'baseline-note', message: 'No baseline set; showing "main".' }).title).toBe('No baseline set for “acme/ledger”');
    expect(adviceFor(link(), { level: 'error', code: 'something-new', message: 'x' })).toEqual({ title: 'This link has a problem', change: 'The message above says what Lantern found.', yaml: null });
  });

  it('writes YAML that reads back as the same values', () => {
    expect(yamlScalar('acme/payments')).toBe('acme/payments');
    expect(yamlScalar('registry.acme.io/payments:1.4')).toBe('registry.acme.io/payments:1.4');
    expect(yamlScalar('https://github.com/acme/pay')).toBe('https://github.com/acme/pay');
    for (const risky of ['yes', 'true', 'null', '1.2', '007', 'a b', '#x', 'ends:', '']) expect(yamlScalar(risky), risky).toBe(JSON.stringify(risky));
    expect(annotationYaml({ name: 'a', scope: 'account', variant: 'v1' })).toBe(['metadata:', '  annotations:', '    harness.io/sto-test-target:', '      - name: a', '        scope: account', '        variant: v1'].join('\n'));
  });

  it('reads quoted values as the server wrote them', () => {
    expect(quotedValues('a "b\\"c" and "d"')).toEqual(['b"c', 'd']);
  });

  it('splits links into those that show nothing and notes on matched ones', () => {
    const note = { level: 'info' as const, code: 'case-folded', message: 'm' };
    const result = linkProblems([link({ matched: true, diagnostics: [note] }), link({ name: 'x' }), link({ matched: true })]);
    expect(result.unmatched.map((l) => l.name)).toEqual(['x']);
    expect(result.notes).toEqual([{ link: expect.objectContaining({ matched: true }), diagnostic: note }]);
  });
});
