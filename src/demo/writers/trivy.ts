import type { Ecosystem } from '../advisories.js';
import type { DemoScan, PackageFinding } from '../scan.js';
import type { Image } from '../target.js';
import { digestOf, imageReference, isOsPackage, labelOf, purlOf, publishedAt, referencesOf, scoreOf } from './packages.js';

/** `trivy image --format json` (SchemaVersion 2): one Result for the OS packages, one per language. */
export function writeTrivy(scan: DemoScan): unknown {
  const { target, random } = scan;
  const image = target.image;
  if (!image) throw new Error(`The demo target ${target.name} is scanned by Trivy but has no image.`);
  const reference = imageReference(target, scan.variant);
  const layers = [digestOf(`${image.os.family}-${image.os.version}`), digestOf(`${target.name}:runtime`), digestOf(`${target.name}:${scan.commit}`)];
  const results = new Map<string, { Target: string; Class: string; Type: string; Vulnerabilities: unknown[] }>();
  for (const finding of scan.packages) {
    const place = resultOf(finding.ecosystem, reference, image.os, image.paths[finding.ecosystem]);
    const result = results.get(place.Target) ?? { ...place, Vulnerabilities: [] };
    results.set(place.Target, result);
    const layer = isOsPackage(finding.ecosystem) ? layers[0] : layers[2];
    result.Vulnerabilities.push(vulnerability(finding, image.paths[finding.ecosystem], layer as string, image));
  }
  const imageId = digestOf(`${target.name}@${scan.commit}`);
  return {
    SchemaVersion: 2,
    CreatedAt: scan.scannedAt.toISOString(),
    ArtifactName: reference,
    ArtifactType: 'container_image',
    Metadata: {
      Size: random.int(90, 260) * 1_048_576,
      OS: { Family: image.os.family, Name: image.os.version },
      ImageID: imageId,
      DiffIDs: layers,
      RepoTags: [reference],
      RepoDigests: [`${target.name}@${digestOf(`${reference}@${scan.commit}`)}`],
      ImageConfig: {
        architecture: 'amd64',
        created: new Date(scan.scannedAt.getTime() - random.int(5, 40) * 60_000).toISOString(),
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: layers },
        config: { User: '10001', WorkingDir: '/app', Labels: { 'org.opencontainers.image.revision': scan.commit } },
      },
    },
    Results: [...results.values()],
  };
}

const LANGUAGE_RESULTS: Partial<Record<Ecosystem, { Target: string; Type: string }>> = {
  maven: { Target: 'Java', Type: 'jar' },
  npm: { Target: 'Node.js', Type: 'node-pkg' },
  pypi: { Target: 'Python', Type: 'python-pkg' },
};

function resultOf(ecosystem: Ecosystem, reference: string, os: { family: string; version: string }, path: string | undefined) {
  if (isOsPackage(ecosystem)) return { Target: `${reference} (${os.family} ${os.version})`, Class: 'os-pkgs', Type: os.family };
  // Go binaries are one Result per binary, named by its path.
  const language = LANGUAGE_RESULTS[ecosystem] ?? { Target: path ?? 'binary', Type: 'gobinary' };
  return { ...language, Class: 'lang-pkgs' };
}

const VENDOR_SEVERITY = { LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 } as const;

function vulnerability(finding: PackageFinding, path: string | undefined, layer: string, image: Image) {
  const { advisory, ecosystem } = finding;
  const score = scoreOf(advisory);
  const label = labelOf(score);
  const source = isOsPackage(ecosystem) ? (ecosystem === 'alpine' ? 'nvd' : 'debian') : ecosystem === 'go-stdlib' ? 'nvd' : 'ghsa';
  const pkgPath = ecosystem === 'npm' && path ? `${path}/${advisory.package}/package.json` : isOsPackage(ecosystem) ? undefined : path;
  return {
    VulnerabilityID: advisory.cve,
    PkgID: `${advisory.package}@${advisory.installed}`,
    PkgName: advisory.package,
    ...(pkgPath ? { PkgPath: pkgPath } : {}),
    PkgIdentifier: { PURL: purlOf(finding, isOsPackage(ecosystem) ? image : undefined) },
    InstalledVersion: advisory.installed,
    ...(advisory.fixed ? { FixedVersion: advisory.fixed } : {}),
    Status: advisory.fixed ? 'fixed' : 'affected',
    Layer: { DiffID: layer },
    SeveritySource: source,
    PrimaryURL: `https://avd.aquasec.com/nvd/${advisory.cve.toLowerCase()}`,
    DataSource: DATA_SOURCES[ecosystem],
    Title: advisory.title,
    Description: advisory.description,
    Severity: label,
    ...(advisory.cwe ? { CweIDs: [advisory.cwe] } : {}),
    VendorSeverity: { nvd: VENDOR_SEVERITY[label], [source]: VENDOR_SEVERITY[label] },
    CVSS: { nvd: { V3Vector: advisory.vector, V3Score: score }, ...(source === 'ghsa' ? { ghsa: { V3Vector: advisory.vector, V3Score: score } } : {}) },
    References: referencesOf(advisory),
    PublishedDate: publishedAt(advisory),
    LastModifiedDate: publishedAt(advisory),
  };
}

const DATA_SOURCES: Record<Ecosystem, { ID: string; Name: string; URL: string }> = {
  alpine: { ID: 'alpine', Name: 'Alpine Secdb', URL: 'https://secdb.alpinelinux.org/' },
  debian: { ID: 'debian', Name: 'Debian Security Tracker', URL: 'https://salsa.debian.org/security-tracker-team/security-tracker' },
  maven: { ID: 'ghsa', Name: 'GitHub Security Advisory Maven', URL: 'https://github.com/advisories?query=type%3Areviewed+ecosystem%3Amaven' },
  npm: { ID: 'ghsa', Name: 'GitHub Security Advisory npm', URL: 'https://github.com/advisories?query=type%3Areviewed+ecosystem%3Anpm' },
  pypi: { ID: 'ghsa', Name: 'GitHub Security Advisory pip', URL: 'https://github.com/advisories?query=type%3Areviewed+ecosystem%3Apip' },
  go: { ID: 'ghsa', Name: 'GitHub Security Advisory Go', URL: 'https://github.com/advisories?query=type%3Areviewed+ecosystem%3Ago' },
  'go-stdlib': { ID: 'govulndb', Name: 'The Go Vulnerability Database', URL: 'https://pkg.go.dev/vuln/' },
};
