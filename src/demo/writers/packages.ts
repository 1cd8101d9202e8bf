import { severityFromScore } from '../../domain/severity.js';
import { cvssBaseScore } from '../../formats/cvss.js';
import type { Advisory, Ecosystem } from '../advisories.js';
import { stableHex } from '../random.js';
import type { PackageFinding } from '../scan.js';
import type { Image } from '../target.js';

/** What the vulnerability writers say about packages and advisories, each in its scanner's words. */

/** The advisory's CVSS v3.1 base score, from its vector. */
export function scoreOf(advisory: Advisory): number {
  const score = cvssBaseScore(advisory.vector);
  if (score === undefined) throw new Error(`The demo advisory ${advisory.cve} has an invalid CVSS vector ${advisory.vector}.`);
  return score;
}

export type Label = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';

/** The scanner-style label of a score (DESIGN.md's bands). */
export function labelOf(score: number): Label {
  const severity = severityFromScore(score);
  return severity === 'critical' ? 'CRITICAL' : severity === 'high' ? 'HIGH' : severity === 'medium' ? 'MEDIUM' : 'LOW';
}

/** `High`, as Grype and ZAP write labels. */
export function titleCase(label: string): string {
  return `${label.charAt(0)}${label.slice(1).toLowerCase()}`;
}

export function isOsPackage(ecosystem: Ecosystem): boolean {
  return ecosystem === 'alpine' || ecosystem === 'debian';
}

/** The package URL of a finding's package, as SBOM-based scanners write it. */
export function purlOf({ advisory, ecosystem }: PackageFinding, image?: Image): string {
  const version = encodeURIComponent(advisory.installed);
  const distro = image ? `&distro=${image.os.family}-${image.os.version}` : '';
  switch (ecosystem) {
    case 'alpine':
      return `pkg:apk/alpine/${advisory.package}@${version}?arch=x86_64${distro}`;
    case 'debian':
      return `pkg:deb/debian/${advisory.package}@${version}?arch=amd64${distro}`;
    case 'maven': {
      const [group, artifact] = advisory.package.split(':');
      return `pkg:maven/${group}/${artifact}@${version}`;
    }
    case 'npm':
      return `pkg:npm/${advisory.package.replace('@', '%40')}@${version}`;
    case 'pypi':
      return `pkg:pypi/${advisory.package}@${version}`;
    case 'go':
      return `pkg:golang/${advisory.package}@${version}`;
    case 'go-stdlib':
      return `pkg:golang/stdlib@${version}`;
  }
}

export const NVD = 'https://nvd.nist.gov/vuln/detail/';
export const GHSA = 'https://github.com/advisories/';

export function referencesOf(advisory: Advisory): string[] {
  return [`${NVD}${advisory.cve}`, ...(advisory.ghsa ? [`${GHSA}${advisory.ghsa}`] : [])];
}

/** A time of day for an advisory's publication date, stable across reports. */
export function publishedAt(advisory: Advisory): string {
  const hex = stableHex(`${advisory.cve}:${advisory.package}`, 4);
  const minutes = Number.parseInt(hex, 16) % (24 * 60);
  return `${advisory.published}T${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00Z`;
}

/** A content digest that stays the same across scans for the same name (a base-image layer, a file). */
export function digestOf(name: string): string {
  return `sha256:${stableHex(name, 64)}`;
}

/** The scanned image reference: the target's repository and the variant as its tag. */
export function imageReference(target: { name: string }, variant: string): string {
  return `${target.name}:${variant}`;
}
