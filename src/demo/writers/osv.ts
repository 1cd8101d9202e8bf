import type { Ecosystem } from '../advisories.js';
import type { DemoScan, PackageFinding } from '../scan.js';
import { GHSA, labelOf, NVD, publishedAt, purlOf, scoreOf } from './packages.js';

/** `osv-scanner --format json`: the lockfile's vulnerable packages, GitHub advisories grouped with their CVE. */
export function writeOsv(scan: DemoScan): unknown {
  const { target } = scan;
  const repository = target.repository;
  if (!repository) throw new Error(`The demo target ${target.name} is scanned by OSV-Scanner but has no repository.`);
  const byPackage = new Map<string, PackageFinding[]>();
  for (const finding of scan.packages) {
    const key = `${finding.advisory.package}@${finding.advisory.installed}`;
    byPackage.set(key, [...(byPackage.get(key) ?? []), finding]);
  }
  const ecosystem = scan.packages[0]?.ecosystem ?? target.ecosystems?.[0] ?? 'npm';
  const checkout = `/harness/${target.name.split('/').pop() ?? target.name}`;
  return {
    results: [
      {
        source: { path: `${checkout}/${repository.manifests[ecosystem] ?? 'package-lock.json'}`, type: 'lockfile' },
        packages: [...byPackage.values()].map((findings) => {
          const first = findings[0] as PackageFinding;
          return {
            package: { name: first.advisory.package, version: first.advisory.installed, ecosystem: ECOSYSTEMS[first.ecosystem] },
            vulnerabilities: findings.map(record),
            groups: findings.map(({ advisory }) => ({
              ids: [advisory.ghsa ?? advisory.cve],
              aliases: [advisory.cve, ...(advisory.ghsa ? [advisory.ghsa] : [])],
              max_severity: String(scoreOf(advisory)),
            })),
          };
        }),
      },
    ],
    experimental_config: { licenses: { summary: false, allowlist: null } },
  };
}

const ECOSYSTEMS: Record<Ecosystem, string> = { alpine: 'Alpine', debian: 'Debian', maven: 'Maven', npm: 'npm', pypi: 'PyPI', go: 'Go', 'go-stdlib': 'Go' };

function record(finding: PackageFinding) {
  const { advisory, ecosystem } = finding;
  const published = publishedAt(advisory);
  const id = advisory.ghsa ?? advisory.cve;
  return {
    modified: published,
    published,
    schema_version: '1.6.0',
    id,
    aliases: advisory.ghsa ? [advisory.cve] : [],
    summary: advisory.title,
    details: advisory.description,
    severity: [{ type: 'CVSS_V3', score: advisory.vector }],
    affected: [
      {
        package: { ecosystem: ECOSYSTEMS[ecosystem], name: advisory.package, purl: purlOf(finding).replace(/@[^@]*$/, '') },
        ranges: [{ type: ecosystem === 'pypi' ? 'ECOSYSTEM' : 'SEMVER', events: [{ introduced: '0' }, ...(advisory.fixed ? [{ fixed: advisory.fixed }] : [])] }],
        database_specific: { source: `https://github.com/github/advisory-database/blob/main/advisories/github-reviewed/${advisory.published.slice(0, 4)}/${advisory.published.slice(5, 7)}/${id}/${id}.json` },
      },
    ],
    references: [
      { type: 'ADVISORY', url: `${NVD}${advisory.cve}` },
      ...(advisory.ghsa ? [{ type: 'ADVISORY', url: `${GHSA}${advisory.ghsa}` }] : []),
    ],
    database_specific: {
      cwe_ids: advisory.cwe ? [advisory.cwe] : [],
      github_reviewed: true,
      github_reviewed_at: published,
      nvd_published_at: published,
      severity: labelOf(scoreOf(advisory)) === 'MEDIUM' ? 'MODERATE' : labelOf(scoreOf(advisory)),
    },
  };
}
