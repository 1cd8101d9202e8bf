import type { DemoScan } from '../scan.js';

/**
 * `gitleaks git --report-format json` (v8): every leak with its secret in clear, as Gitleaks
 * writes it. Lantern keeps only a masked form and a hash of each.
 */
export function writeGitleaks(scan: DemoScan): unknown {
  return scan.secrets.map(({ placement, secret }) => {
    const match = placement.context.replace('{secret}', secret).trim();
    const start = placement.context.indexOf('{secret}') + 1;
    const author = placement.author;
    const email = `${author.toLowerCase().replace(/[^a-z]+/g, '.')}@acme-pay.example`;
    return {
      Description: placement.rule.description,
      StartLine: placement.line,
      EndLine: placement.line + secret.split('\n').length - 1,
      StartColumn: start,
      EndColumn: start + secret.length - 1,
      Match: match,
      Secret: secret,
      File: placement.file,
      SymlinkFile: '',
      Commit: scan.commit,
      Entropy: 3.5 + (secret.length % 10) / 10,
      Author: author,
      Email: email,
      Date: scan.scannedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
      Message: placement.message,
      Tags: placement.rule.tags ?? [],
      RuleID: placement.rule.id,
      Fingerprint: `${scan.commit}:${placement.file}:${placement.rule.id}:${placement.line}`,
    };
  });
}
