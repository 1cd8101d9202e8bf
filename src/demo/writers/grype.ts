import type { Ecosystem } from '../advisories.js';
import { stableHex } from '../random.js';
import type { DemoScan, PackageFinding } from '../scan.js';
import { digestOf, GHSA, imageReference, isOsPackage, labelOf, NVD, purlOf, scoreOf, titleCase } from './packages.js';

/**
 * `grype IMAGE -o json`. Grype's database is not Trivy's: it misses a few of the advisories Trivy
 * reports, and rates Debian's "unimportant" ones Negligible. Language packages match GitHub
 * advisories (the GHSA id, with the CVE as a related vulnerability).
 */
export function writeGrype(scan: DemoScan): unknown {
  const { target, random } = scan;
  const image = target.image;
  if (!image) throw new Error(`The demo target ${target.name} is scanned by Grype but has no image.`);
  const reference = imageReference(target, scan.variant);
  const osLayer = digestOf(`${image.os.family}-${image.os.version}`);
  const appLayer = digestOf(`${target.name}:${scan.commit}`);
  const seen = scan.packages.filter((f) => !missedByGrype(f));
  const distro = { type: image.os.family, version: image.os.version };
  return {
    matches: seen.map((finding) => {
      const { advisory, ecosystem } = finding;
      const os = isOsPackage(ecosystem);
      const path = os ? (ecosystem === 'alpine' ? '/lib/apk/db/installed' : `/var/lib/dpkg/status.d/${advisory.package}`) : `/${image.paths[ecosystem] ?? 'app'}`;
      const vulnerability = record(finding, os ? namespaceOf(ecosystem, image.os.version) : `github:language:${LANGUAGES[ecosystem]}`, !os);
      return {
        vulnerability: { ...vulnerability, fix: advisory.fixed ? { versions: [advisory.fixed], state: 'fixed' } : { versions: [], state: ecosystem === 'debian' ? 'wont-fix' : 'not-fixed' }, advisories: [] },
        relatedVulnerabilities: os || !advisory.ghsa ? [] : [record(finding, 'nvd:cpe', false)],
        matchDetails: [
          {
            type: 'exact-direct-match',
            matcher: `${MATCHERS[ecosystem]}-matcher`,
            searchedBy: os
              ? { distro, namespace: namespaceOf(ecosystem, image.os.version), package: { name: advisory.package, version: advisory.installed } }
              : { language: LANGUAGES[ecosystem], namespace: `github:language:${LANGUAGES[ecosystem]}`, package: { name: advisory.package, version: advisory.installed } },
            found: { vulnerabilityID: vulnerability.id, versionConstraint: advisory.fixed ? `< ${advisory.fixed}` : 'none (unknown)' },
          },
        ],
        artifact: {
          id: stableHex(`${target.name}:${advisory.package}@${advisory.installed}`, 16),
          name: ecosystem === 'maven' ? advisory.package.split(':')[1] : advisory.package,
          version: advisory.installed,
          type: ARTIFACT_TYPES[ecosystem],
          locations: [{ path, layerID: os ? osLayer : appLayer }],
          language: os ? '' : LANGUAGES[ecosystem],
          licenses: [],
          cpes: [],
          purl: purlOf(finding, os ? image : undefined),
        },
      };
    }),
    source: {
      type: 'image',
      target: {
        userInput: reference,
        imageID: digestOf(`${target.name}@${scan.commit}`),
        manifestDigest: digestOf(`${reference}@${scan.commit}`),
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        tags: [reference],
        imageSize: random.int(90, 260) * 1_048_576,
        repoDigests: [`${target.name}@${digestOf(`${reference}@${scan.commit}`)}`],
        architecture: 'amd64',
        os: 'linux',
      },
    },
    distro: { name: image.os.family, version: image.os.version, idLike: image.os.family === 'debian' ? [] : ['alpine'] },
    descriptor: {
      name: 'grype',
      version: '0.74.7',
      db: { built: new Date(scan.scannedAt.getTime() - random.int(2, 20) * 3_600_000).toISOString(), schemaVersion: 5, location: '/root/.cache/grype/db/5', error: null },
      timestamp: scan.scannedAt.toISOString(),
    },
  };
}

/** A deterministic few of what Trivy finds: about one advisory in five. */
function missedByGrype({ advisory }: PackageFinding): boolean {
  return Number.parseInt(stableHex(`grype:${advisory.cve}:${advisory.package}`, 2), 16) < 50;
}

/** Debian's "unimportant" advisories, which Grype labels Negligible. */
const NEGLIGIBLE = new Set(['CVE-2011-3374', 'CVE-2022-27943']);

function record(finding: PackageFinding, namespace: string, asGhsa: boolean) {
  const { advisory } = finding;
  const score = scoreOf(advisory);
  const id = asGhsa && advisory.ghsa ? advisory.ghsa : advisory.cve;
  const label = NEGLIGIBLE.has(advisory.cve) ? 'Negligible' : titleCase(labelOf(score));
  return {
    id,
    dataSource: id.startsWith('GHSA') ? `${GHSA}${id}` : `${NVD}${id}`,
    namespace,
    severity: label,
    urls: id.startsWith('GHSA') ? [`${GHSA}${id}`] : [`${NVD}${id}`],
    description: advisory.title,
    cvss: [
      {
        source: id.startsWith('GHSA') ? 'security-advisories@github.com' : 'nvd@nist.gov',
        type: id.startsWith('GHSA') ? 'Secondary' : 'Primary',
        version: '3.1',
        vector: advisory.vector,
        metrics: { baseScore: score },
        vendorMetadata: {},
      },
    ],
  };
}

function namespaceOf(ecosystem: Ecosystem, version: string): string {
  return ecosystem === 'alpine' ? `alpine:distro:alpine:${version.split('.').slice(0, 2).join('.')}` : `debian:distro:debian:${version.split('.')[0]}`;
}

const LANGUAGES: Record<Ecosystem, string> = { alpine: '', debian: '', maven: 'java', npm: 'javascript', pypi: 'python', go: 'go', 'go-stdlib': 'go' };
const MATCHERS: Record<Ecosystem, string> = { alpine: 'apk', debian: 'dpkg', maven: 'java', npm: 'javascript', pypi: 'python', go: 'go-module', 'go-stdlib': 'stock' };
const ARTIFACT_TYPES: Record<Ecosystem, string> = { alpine: 'apk', debian: 'deb', maven: 'java-archive', npm: 'npm', pypi: 'python', go: 'go-module', 'go-stdlib': 'go-module' };
