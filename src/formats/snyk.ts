import type { Finding, Occurrence, ParsedReport } from '../domain/finding.js';
import { distinct, nonEmpty, optional, scalarDetails } from './finding-fields.js';
import { canonicalVulnerabilityId, licenseFingerprint, vulnerabilityFingerprint } from './fingerprint.js';
import { type ReportFormat, streamedReport } from './format.js';
import { InputError } from '../domain/errors.js';
import { arr, isObject, num, obj, objects, str, strings, type JsonObject } from './json.js';
import { fingerprintPackageName } from './package-name.js';
import { severityFromScanner } from './scanner-severity.js';
import { type Fields, fieldPath, ReportShape } from './shape.js';

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
    const where = (i: number) => (Array.isArray(doc) ? `[${i}]` : '');
    values.forEach((value, i) => {
      const project = shape.object(value, where(i), PROJECT);
      const failure = str(project.error);
      if (failure !== undefined && (project.vulnerabilities === undefined || project.vulnerabilities === null)) {
        errors.push(`Snyk could not test ${str(project.path) ?? str(project.projectName) ?? `project ${i}`}: ${failure}`);
        return;
      }
      shape.list(project.vulnerabilities, fieldPath(where(i), 'vulnerabilities'));
      suppressed += arr(shape.optionalObject(project.filtered, fieldPath(where(i), 'filtered'), FILTERED)?.ignore).length;
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
        const path = fieldPath(where(values.indexOf(project)), 'vulnerabilities');
        const vulnerabilities = shape.objects(project.vulnerabilities, path);
        for (let v = 0; v < vulnerabilities.length; v++) {
          const finding = issue(shape.check(vulnerabilities[v] as JsonObject, `${path}[${v}]`, VULNERABILITY), `${path}[${v}]`, project);
          if (finding) yield finding;
          else parsed.errors.push(`Skipped a vulnerability of ${projectLabel(project, i)} without an id.`);
        }
      }
    });
  },
};

const shape = new ReportShape('Snyk report');

/** The fields of each Snyk object that the parser reads, and their types. */
const PROJECT: Fields = {
  vulnerabilities: 'list', error: 'text', path: 'text', projectName: 'text', packageManager: 'text', displayTargetFile: 'text', targetFile: 'text',
  filtered: 'object', docker: 'object',
};
const FILTERED: Fields = { ignore: 'list' };
const VULNERABILITY: Fields = {
  id: 'text', identifiers: 'object', packageName: 'text', name: 'text', version: 'text', packageManager: 'text', severity: 'text',
  severityWithCritical: 'text', cvssScore: 'number', fixedIn: 'texts', nearestFixedInVersion: 'text', upgradePath: 'list', from: 'texts',
  isUpgradable: 'boolean', isPatchable: 'boolean', description: 'text', title: 'text', type: 'text', license: 'text', references: 'objects',
};
const REFERENCE: Fields = { url: 'text' };

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

function issue(v: JsonObject, path: string, project: JsonObject): Finding | undefined {
  const identifiers = obj(v.identifiers) ?? {};
  for (const key in identifiers) shape.check(identifiers, `${path}.identifiers`, { [key]: 'texts' });
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
    ...nonEmpty({ cwes: strings(identifiers.CWE), references: distinct(objects(v.references).map((r, i) => str(shape.check(r, `${path}.references[${i}]`, REFERENCE).url))) }),
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
