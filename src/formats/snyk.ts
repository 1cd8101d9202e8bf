import { InputError } from '../domain/errors.js';
import type { Finding, Occurrence, ParsedReport } from '../domain/finding.js';
import { describeJson, distinct, nonEmpty, optional, scalarDetails } from './finding-fields.js';
import { canonicalVulnerabilityId, licenseFingerprint, vulnerabilityFingerprint } from './fingerprint.js';
import { type ReportFormat, streamedReport } from './format.js';
import { arr, isObject, num, obj, objects, str, strings, type JsonObject } from './json.js';
import { fingerprintPackageName } from './package-name.js';
import { severityFromScanner } from './scanner-severity.js';

/**
 * Snyk Open Source and Snyk Container JSON (`snyk test --json`, `snyk container test --json`): one
 * project object, or the array of them that `--all-projects` writes.
 *
 * Decisions:
 * - Severity: `severityWithCritical` when present (older CLIs keep `severity` at most `high` and
 *   put Snyk's real label there), else `severity`; `cvssScore` is provenance only.
 * - A vulnerability repeated once per dependency path (or per project) is one issue: the same
 *   fingerprint with one occurrence per path.
 * - Vulnerabilities the project's policy ignores (`filtered.ignore`) are counted as suppressed.
 * - Scan type `container` for a Snyk Container project (a `docker` section or a `docker-image|`
 *   project name), `sca` otherwise.
 */
export const snyk: ReportFormat = {
  name: 'snyk',
  title: 'Snyk Open Source JSON',
  producedBy: 'snyk test --json, snyk test --all-projects --json, snyk container test --json',
  detect(doc) {
    if (Array.isArray(doc)) return doc.length > 0 && doc.every(isObject) && doc.some(isProject);
    return isProject(doc);
  },
  parse(doc) {
    const values = Array.isArray(doc) ? doc : [doc];
    // First the projects (few), so that failures and the header are known before any finding.
    const projects: JsonObject[] = [];
    const errors: string[] = [];
    let suppressed = 0;
    values.forEach((value, i) => {
      const project = obj(value);
      if (!project) throw new InputError(`Snyk project ${i} is ${describeJson(value)}; expected a project object with "vulnerabilities".`);
      const failure = str(project.error);
      if (failure !== undefined && !Array.isArray(project.vulnerabilities)) {
        errors.push(`Snyk could not test ${str(project.path) ?? str(project.projectName) ?? `project ${i}`}: ${failure}`);
        return;
      }
      if (!Array.isArray(project.vulnerabilities)) {
        throw new InputError(`The "vulnerabilities" of Snyk project ${i} is ${describeJson(project.vulnerabilities)}; expected a list.`);
      }
      suppressed += arr(obj(project.filtered)?.ignore).length;
      projects.push(project);
    });
    // A report in which every project failed says nothing about vulnerabilities: not an empty scan.
    if (errors.length > 0 && projects.length === 0) throw new InputError(`The Snyk report holds only errors, no test results: ${errors.join(' ')}`);
    const paths = distinct(projects.map((p) => str(p.path)));
    const artifact = projects.length === 1 ? (str(projects[0]?.projectName) ?? paths[0]) : paths.length === 1 ? paths[0] : undefined;
    const header = {
      format: 'snyk',
      scanner: 'snyk',
      scanType: projects.some(isContainerProject) ? ('container' as const) : ('sca' as const),
      suppressed,
      errors,
      ...optional({ artifact }),
    };
    return streamedReport(header, function* (parsed) {
      for (const [i, project] of projects.entries()) {
        for (const vulnerability of objects(project.vulnerabilities)) {
          const finding = issue(vulnerability, project);
          if (finding) yield finding;
          else parsed.errors.push(`Skipped a vulnerability of ${projectLabel(project, i)} without an id.`);
        }
      }
    });
  },
};

function isProject(doc: unknown): boolean {
  if (!isObject(doc)) return false;
  if (Array.isArray(doc.vulnerabilities)) return 'packageManager' in doc || 'projectName' in doc || 'dependencyCount' in doc;
  // A project Snyk failed to test, as --all-projects writes it among the others.
  return typeof doc.ok === 'boolean' && typeof doc.error === 'string' && 'path' in doc;
}

function isContainerProject(project: JsonObject): boolean {
  return isObject(project.docker) || str(project.projectName)?.startsWith('docker-image|') === true;
}

function projectLabel(project: JsonObject, index: number): string {
  return str(project.projectName) ?? `project ${index}`;
}

function issue(v: JsonObject, project: JsonObject): Finding | undefined {
  const identifiers = obj(v.identifiers) ?? {};
  const otherIds = Object.entries(identifiers)
    .filter(([key]) => key.toUpperCase() !== 'CWE')
    .flatMap(([, ids]) => strings(ids));
  const { id, aliases } = canonicalVulnerabilityId([str(v.id), ...strings(identifiers.CVE), ...otherIds]);
  if (!id) return undefined;
  const pkg = str(v.packageName) ?? str(v.name);
  const installed = str(v.version);
  const ecosystem = str(v.packageManager) ?? str(project.packageManager);
  const label = str(v.severityWithCritical) ?? str(v.severity);
  const score = num(v.cvssScore);
  const fixedIn = strings(v.fixedIn);
  const fixed = fixedIn.length > 0 ? fixedIn.join(', ') : str(v.nearestFixedInVersion);
  const upgradeTo = arr(v.upgradePath).map(str).find((step) => step !== undefined);
  const occurrence: Occurrence = {
    ...optional({ component: str(project.displayTargetFile) ?? str(project.targetFile) ?? str(project.projectName) }),
    ...nonEmpty({ dependencyPath: strings(v.from) }),
    ...scalarDetails({
      project: str(project.projectName),
      upgradeTo,
      isUpgradable: typeof v.isUpgradable === 'boolean' ? v.isUpgradable : undefined,
      isPatchable: typeof v.isPatchable === 'boolean' ? v.isPatchable : undefined,
    }),
  };
  const common = {
    severity: severityFromScanner(label, score),
    ...optional({
      scannerSeverity: label,
      score,
      description: str(v.description),
      remediation: remediation(v, pkg, fixed, upgradeTo),
      package: pkg,
      installedVersion: installed,
      fixedVersion: fixed,
      ecosystem,
    }),
    ...nonEmpty({ cwes: strings(identifiers.CWE), references: distinct(objects(v.references).map((r) => str(r.url))) }),
    occurrence,
  };
  if (str(v.type) === 'license') {
    const license = str(v.license) ?? str(v.title) ?? id;
    return {
      kind: 'license',
      fingerprint: licenseFingerprint({ license, package: pkg, installedVersion: installed }),
      title: str(v.title) ?? `${license} license in ${pkg ?? 'a dependency'}`,
      license,
      ruleId: id,
      ...common,
    };
  }
  return {
    kind: 'vulnerability',
    fingerprint: vulnerabilityFingerprint({ vulnerabilityId: id, package: fingerprintPackageName(ecosystem, pkg), installedVersion: installed }),
    title: str(v.title) ?? id,
    vulnerabilityId: id,
    ...nonEmpty({ aliases }),
    ...common,
  };
}

function remediation(v: JsonObject, pkg: string | undefined, fixed: string | undefined, upgradeTo: string | undefined): string | undefined {
  if (v.isUpgradable === true && upgradeTo) return `Upgrade ${upgradeTo}.`;
  if (v.isPatchable === true) return 'Apply the Snyk patch (snyk protect).';
  if (fixed && pkg) return `Upgrade ${pkg} to ${fixed}.`;
  return undefined;
}
