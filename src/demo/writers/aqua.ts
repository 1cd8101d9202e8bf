import type { Ecosystem } from '../advisories.js';
import { stableHex } from '../random.js';
import type { DemoScan } from '../scan.js';
import type { Image } from '../target.js';
import { digestOf, imageReference, isOsPackage, labelOf, NVD, scoreOf } from './packages.js';

/** The Aqua scanner CLI's JSON (`scannercli scan --local IMAGE --jsonfile`): one resource per package. */
export function writeAqua(scan: DemoScan): unknown {
  const { target, random } = scan;
  const image = target.image;
  if (!image) throw new Error(`The demo target ${target.name} is scanned by Aqua but has no image.`);
  const reference = imageReference(target, scan.variant);
  const resources = new Map<string, { resource: Record<string, unknown>; scanned: boolean; vulnerabilities: unknown[] }>();
  const counts = { critical: 0, high: 0, medium: 0, low: 0 };
  let maxScore = 0;
  for (const { advisory, ecosystem } of scan.packages) {
    const key = `${advisory.package}@${advisory.installed}`;
    const entry = resources.get(key) ?? { resource: resourceOf(advisory.package, advisory.installed, ecosystem, image), scanned: true, vulnerabilities: [] as unknown[] };
    resources.set(key, entry);
    const score = scoreOf(advisory);
    const label = labelOf(score).toLowerCase() as keyof typeof counts;
    counts[label]++;
    maxScore = Math.max(maxScore, score);
    entry.vulnerabilities.push({
      name: advisory.cve,
      description: advisory.description,
      nvd_score_v3: score,
      nvd_vectors_v3: advisory.vector,
      nvd_severity_v3: label,
      nvd_url: `${NVD}${advisory.cve}`,
      vendor_score_v3: score,
      vendor_vectors_v3: advisory.vector,
      vendor_severity_v3: label,
      ...(isOsPackage(ecosystem) ? { vendor_url: `https://security-tracker.debian.org/tracker/${advisory.cve}` } : {}),
      publish_date: advisory.published,
      modification_date: advisory.published,
      ...(advisory.fixed
        ? { fix_version: advisory.fixed, solution: `Upgrade package ${advisory.package} to version ${advisory.fixed} or above.` }
        : { solution: 'No fix is available from the vendor yet.' }),
      aqua_score: score,
      aqua_severity: label,
      aqua_vectors: advisory.vector,
      aqua_scoring_system: 'CVSS V3',
      heuristic_ref_id: Number.parseInt(stableHex(advisory.cve, 6), 16),
    });
  }
  const total = counts.critical + counts.high + counts.medium + counts.low;
  const started = Math.floor(scan.scannedAt.getTime() / 1000);
  return {
    image: reference,
    scan_started: { seconds: started, nanos: random.int(0, 999_999) * 1000 },
    scan_duration: random.int(18, 75),
    image_size: random.int(120, 420) * 1_048_576,
    digest: digestOf(`${reference}@${scan.commit}`).slice('sha256:'.length),
    os: image.os.family,
    version: image.os.version,
    resources: [...resources.values()],
    image_assurance_results: {
      disallowed: counts.critical > 0,
      audit_required: counts.critical > 0,
      policy_failures: counts.critical > 0 ? [{ policy_id: 1, policy_name: 'Default', blocking: true, controls: ['max_severity'] }] : [],
      checks_performed: [{ failed: counts.critical > 0, policy_id: 1, policy_name: 'Default', control: 'max_severity', maximum_severity_allowed: 'high', maximum_severity_found: counts.critical > 0 ? 'critical' : 'high' }],
    },
    vulnerability_summary: { total, ...counts, negligible: 0, sensitive: 0, malware: 0, score_average: total === 0 ? 0 : Number((maxScore * 0.72).toFixed(2)), max_score: maxScore },
    scan_options: { scan_executables: true, show_will_not_fix: true, strict_scan: false, scan_malware: false, scan_files: true, manual_pull_fallback: true, dockerless: true },
    initiating_user: 'ci-scanner',
    pull_name: reference,
    changed_result: false,
    scanned_image_platform: 'amd64::linux:',
  };
}

const FORMATS: Partial<Record<Ecosystem, string>> = { alpine: 'apk', debian: 'deb', pypi: 'python', npm: 'npm', maven: 'jar', go: 'go' };

function resourceOf(name: string, version: string, ecosystem: Ecosystem, image: Image) {
  const os = isOsPackage(ecosystem);
  const path = image.paths[ecosystem];
  return {
    format: FORMATS[ecosystem] ?? 'package',
    name,
    version,
    arch: os ? 'amd64' : '',
    cpe: os ? `pkg:/${image.os.family}:${image.os.version}:${name}:${version}` : `cpe:/a:${name}:${name}:${version}`,
    ...(path ? { path: `/${path}/${name}-${version}.dist-info/METADATA` } : {}),
  };
}
