import type { Advisory } from '../advisories.js';
import { stableHex } from '../random.js';
import type { DemoScan, PackageFinding } from '../scan.js';
import { GHSA, labelOf, NVD, publishedAt, scoreOf } from './packages.js';

/** `snyk test --json` of one Maven or npm project: markdown descriptions, dependency paths, upgrade advice. */
export function writeSnyk(scan: DemoScan): unknown {
  const { target, random } = scan;
  const repository = target.repository;
  if (!repository) throw new Error(`The demo target ${target.name} is scanned by Snyk but has no repository.`);
  const ecosystem = scan.packages[0]?.ecosystem ?? target.ecosystems?.[0] ?? 'npm';
  const packageManager = ecosystem === 'maven' ? 'maven' : 'npm';
  const manifest = repository.manifests[ecosystem] ?? 'package.json';
  const vulnerabilities = scan.packages.map((finding) => vulnerability(finding, repository.project, packageManager));
  const projectName = repository.project.replace(/@[^@]*$/, '');
  return {
    vulnerabilities,
    ok: vulnerabilities.length === 0,
    dependencyCount: random.int(140, 320),
    org: 'acme-pay',
    policy: '# Snyk (https://snyk.io) policy file, patches or ignores.\nversion: v1.25.0\nignore: {}\npatch: {}\n',
    isPrivate: true,
    licensesPolicy: { severities: {}, orgLicenseRules: {} },
    packageManager,
    ignoreSettings: { adminOnly: false, reasonRequired: false, disregardFilesystemIgnores: false },
    summary: `${vulnerabilities.length} vulnerable dependency path${vulnerabilities.length === 1 ? '' : 's'}`,
    filesystemPolicy: false,
    filtered: { ignore: [], patch: [] },
    uniqueCount: new Set(vulnerabilities.map((v) => v.id)).size,
    projectName,
    displayTargetFile: manifest,
    hasUnknownVersions: false,
    path: `/harness/${projectName.split(/[:/]/).pop() ?? projectName}`,
  };
}

/** Which direct dependency brings a transitive one in; packages not listed are direct dependencies. */
const PARENTS: Record<string, string> = {
  'org.springframework:spring-beans': 'org.springframework.boot:spring-boot-starter-web@2.6.3',
  'org.springframework:spring-web': 'org.springframework.boot:spring-boot-starter-web@2.6.3',
  'org.springframework:spring-expression': 'org.springframework.boot:spring-boot-starter-web@2.6.3',
  'com.fasterxml.jackson.core:jackson-databind': 'org.springframework.boot:spring-boot-starter-json@2.6.3',
  'ch.qos.logback:logback-classic': 'org.springframework.boot:spring-boot-starter-logging@2.6.3',
  'org.yaml:snakeyaml': 'org.springframework.boot:spring-boot-starter@2.6.3',
  qs: 'express@4.18.2',
  'path-to-regexp': 'express@4.18.2',
  'follow-redirects': 'axios@1.5.1',
  braces: 'chokidar@3.5.3',
  json5: '@babel/core@7.22.5',
  '@babel/traverse': '@babel/core@7.22.5',
  semver: 'jsonwebtoken@9.0.0',
  'tough-cookie': 'jsdom@20.0.3',
  ws: 'jsdom@20.0.3',
  postcss: 'autoprefixer@10.4.14',
  'node-fetch': 'twilio@3.84.1',
};

function vulnerability(finding: PackageFinding, project: string, packageManager: 'maven' | 'npm') {
  const { advisory } = finding;
  const score = scoreOf(advisory);
  const severity = labelOf(score).toLowerCase();
  const parent = PARENTS[advisory.package];
  const leaf = `${advisory.package}@${advisory.installed}`;
  const from = parent ? [project, parent, leaf] : [project, leaf];
  const upgradable = advisory.fixed !== undefined && parent === undefined;
  const disclosed = publishedAt(advisory);
  return {
    id: snykId(advisory, packageManager),
    title: advisory.title,
    CVSSv3: advisory.vector,
    credit: ['Unknown'],
    semver: { vulnerable: [advisory.fixed ? `<${advisory.fixed}` : '*'] },
    exploit: score >= 9 ? 'Mature' : 'Not Defined',
    fixedIn: advisory.fixed ? [advisory.fixed] : [],
    patches: [],
    insights: { triageAdvice: null },
    language: packageManager === 'maven' ? 'java' : 'js',
    severity,
    cvssScore: score,
    functions: [],
    malicious: false,
    isDisputed: false,
    moduleName: advisory.package,
    references: [
      { url: `${NVD}${advisory.cve}`, title: 'NVD' },
      ...(advisory.ghsa ? [{ url: `${GHSA}${advisory.ghsa}`, title: 'GitHub Advisory' }] : []),
    ],
    cvssDetails: [{ assigner: 'NVD', severity, cvssV3Vector: advisory.vector, cvssV3BaseScore: score, modificationTime: disclosed }],
    description: markdown(advisory),
    identifiers: { CVE: [advisory.cve], CWE: advisory.cwe ? [advisory.cwe] : [], ...(advisory.ghsa ? { GHSA: [advisory.ghsa] } : {}) },
    packageName: advisory.package,
    proprietary: false,
    creationTime: disclosed,
    functions_new: [],
    alternativeIds: [],
    disclosureTime: disclosed,
    packageManager,
    publicationTime: disclosed,
    modificationTime: disclosed,
    socialTrendAlert: false,
    severityWithCritical: severity,
    from,
    upgradePath: upgradable ? [false, `${advisory.package}@${advisory.fixed}`] : [],
    isUpgradable: upgradable,
    isPatchable: false,
    name: advisory.package,
    version: advisory.installed,
  };
}

/** Snyk's own id for an advisory: SNYK-JAVA-ORGYAMLSNAKEYAML-3152153. */
function snykId(advisory: Advisory, packageManager: 'maven' | 'npm'): string {
  const name = advisory.package.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  const number = Number.parseInt(stableHex(`snyk:${advisory.cve}:${advisory.package}`, 6), 16) % 6_000_000;
  return `SNYK-${packageManager === 'maven' ? 'JAVA' : 'JS'}-${name}-${1_000_000 + number}`;
}

/** Snyk writes its advisories as markdown with Overview, Remediation and References sections. */
function markdown(advisory: Advisory): string {
  return [
    '## Overview',
    '',
    `\`${advisory.package}\` is affected by **${advisory.title}**.`,
    '',
    advisory.description,
    '',
    '## Remediation',
    advisory.fixed ? `Upgrade \`${advisory.package}\` to version ${advisory.fixed} or higher.` : `There is no fixed version for \`${advisory.package}\`.`,
    '',
    '## References',
    `- [NVD](${NVD}${advisory.cve})`,
    ...(advisory.ghsa ? [`- [GitHub Advisory](${GHSA}${advisory.ghsa})`] : []),
  ].join('\n');
}
