/** Plain words for what scanners name in their own keys, and remediation said once. */

/** Labels for the keys parsers keep from reports (src/formats/*: occurrence `details`). */
const DETAIL_LABELS: Record<string, string> = {
  pkgId: 'Package id',
  purl: 'Package URL',
  severitySource: 'Severity from',
  status: 'Status',
  matcher: 'Matched by',
  fixState: 'Fix state',
  namespace: 'Advisory source',
  epss: 'EPSS (exploit probability)',
  epssPercentile: 'EPSS percentile',
  risk: 'Risk score',
  confidence: 'Confidence',
  likelihood: 'Likelihood',
  impact: 'Impact',
  message: 'Scanner message',
  project: 'Project',
  isUpgradable: 'Upgradable',
  isPatchable: 'Patchable',
  category: 'Category',
  provider: 'Provider',
  registry: 'Registry',
  image: 'Image',
  imageDigest: 'Image digest',
  service: 'Service',
  checkClass: 'Check class',
  guideline: 'Guideline',
};

/**
 * A human label for a scanner's key: a known one's label, else the key's words (`fix_state`,
 * `fixState` → "Fix state").
 */
export function detailLabel(key: string): string {
  const known = DETAIL_LABELS[key];
  if (known) return known;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .trim()
    .toLowerCase();
  return words === '' ? key : words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * What the Remediation section says: the upgrade to the fixed version, unless the scanner's own
 * remediation already names that version (Trivy and Grype write "Upgrade lodash to 4.17.21."),
 * then the scanner's text.
 */
export function remediationParts(issue: { remediation: string | null; fixedVersion: string | null; package: string | null }): { upgrade: { package: string; version: string } | null; text: string | null } {
  const text = issue.remediation?.trim() || null;
  const version = issue.fixedVersion?.trim() || null;
  const sameThing = text !== null && version !== null && version.split(/,\s*/).every((v) => text.includes(v));
  return { upgrade: version && issue.package && !sameThing ? { package: issue.package, version } : null, text };
}
