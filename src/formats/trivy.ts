import { InputError } from '../domain/errors.js';
import type { Finding, Occurrence, ParsedReport, ScanType } from '../domain/finding.js';
import {
  canonicalVulnerabilityId, licenseFingerprint, misconfigurationFingerprint, secretFingerprint, vulnerabilityFingerprint,
} from './fingerprint.js';
import { type ReportFormat, streamedReport } from './format.js';
import { distinct, nonEmpty, optional, positiveInteger, scalarDetails } from './finding-fields.js';
import { isObject, num, obj, str, strings, type JsonObject } from './json.js';
import { fingerprintPackageName } from './package-name.js';
import { severityFromScanner } from './scanner-severity.js';
import { secretSha256 } from './secret.js';
import { type Fields, ReportShape } from './shape.js';
import { isoTimestamp } from './timestamp.js';

/**
 * Trivy's JSON report (`--format json`, SchemaVersion 2) from `trivy image|fs|repo|config|sbom`,
 * and the `trivy k8s` report whose top-level lists hold Kubernetes resources that each wrap Results.
 *
 * Decisions:
 * - Vulnerability `Status`: every status is a finding (fixed, affected, will_not_fix, fix_deferred,
 *   end_of_life, under_investigation, unknown) except `not_affected`, which is the vendor saying the
 *   package is not vulnerable: it is counted as suppressed, like a VEX "not affected" statement.
 * - Misconfigurations: only `FAIL` (or no Status, as older Trivy wrote) is a finding; `EXCEPTION`
 *   (excepted by a Trivy policy) is counted as suppressed; `PASS` is not a problem at all.
 * - Scan type: a report whose results are all config checks is `iac` (`misconfig` for a cluster),
 *   all secrets `secret`, all licenses `license`; otherwise `container` for images and clusters
 *   with vulnerable images, `sca` for everything else (filesystems, repositories, SBOMs).
 */
export const trivy: ReportFormat = {
  name: 'trivy',
  title: 'Trivy JSON',
  producedBy: 'trivy image|fs|repo|config|sbom|k8s --format json',
  detect(doc) {
    if (isPre020Report(doc)) return true;
    if (!isObject(doc)) return false;
    if (typeof doc.SchemaVersion === 'number' && ('Results' in doc || 'ArtifactName' in doc || 'ArtifactType' in doc)) return true;
    return 'ClusterName' in doc && K8S_LISTS.some((key) => Array.isArray(doc[key]));
  },
  parse(doc) {
    if (isPre020Report(doc)) {
      throw new InputError(
        'This is the Trivy JSON of Trivy before 0.20 (a list of results without SchemaVersion), which Lantern does not read; ' +
          'expected SchemaVersion 2, which Trivy 0.20 and later write with --format json: re-run the scan with a newer Trivy.',
      );
    }
    const report = shape.object(doc, '', DOCUMENT);
    return isKubernetes(report) ? parseCluster(report) : parseArtifact(report);
  },
};

const K8S_LISTS = ['Vulnerabilities', 'Misconfigurations', 'Resources'] as const;
const SCANNER = 'trivy';
const shape = new ReportShape('Trivy report');

/** The fields of each Trivy object that the parser reads, and their types. */
const DOCUMENT: Fields = {
  SchemaVersion: 'number', ArtifactName: 'text', ArtifactType: 'text', CreatedAt: 'text', ClusterName: 'text',
  Metadata: 'object', Trivy: 'object', Results: 'objects', Vulnerabilities: 'objects', Misconfigurations: 'objects', Resources: 'objects',
};
const METADATA: Fields = { RepoTags: 'texts' };
const TRIVY: Fields = { Version: 'text' };
const RESOURCE: Fields = { Namespace: 'text', Kind: 'text', Name: 'text', Results: 'objects' };
const RESULT: Fields = { Target: 'text', Type: 'text', Vulnerabilities: 'objects', Misconfigurations: 'objects', Secrets: 'objects', Licenses: 'objects' };
const VULNERABILITY: Fields = {
  VulnerabilityID: 'text', VendorIDs: 'texts', PkgName: 'text', PkgID: 'text', PkgPath: 'text', InstalledVersion: 'text', FixedVersion: 'text',
  Status: 'text', Severity: 'text', SeveritySource: 'text', Title: 'text', Description: 'text', PrimaryURL: 'text', References: 'texts',
  CweIDs: 'texts', Layer: 'object', PkgIdentifier: 'object', CVSS: 'object',
};
const LAYER: Fields = { DiffID: 'text' };
const PKG_IDENTIFIER: Fields = { PURL: 'text' };
const CVSS_SOURCE: Fields = { V3Score: 'number', V40Score: 'number' };
const MISCONFIGURATION: Fields = {
  ID: 'text', AVDID: 'text', Status: 'text', Severity: 'text', Title: 'text', Description: 'text', Resolution: 'text', Message: 'text',
  PrimaryURL: 'text', References: 'texts', CauseMetadata: 'object',
};
const CAUSE: Fields = { Resource: 'text', Provider: 'text', Service: 'text', StartLine: 'number', EndLine: 'number', Code: 'object' };
const CODE: Fields = { Lines: 'objects' };
const CODE_LINE: Fields = { IsCause: 'boolean', Content: 'text' };
const SECRET: Fields = { RuleID: 'text', Category: 'text', Match: 'text', Severity: 'text', Title: 'text', StartLine: 'number', EndLine: 'number' };
const LICENSE: Fields = { Name: 'text', PkgName: 'text', FilePath: 'text', Severity: 'text', Link: 'text', Category: 'text', Confidence: 'number' };

/**
 * Trivy before 0.20 wrote its results as a bare list (`[{"Target", "Type", "Vulnerabilities"}]`).
 * It is recognised so that the user learns which Trivy to upgrade to, not that the file is unknown.
 */
function isPre020Report(doc: unknown): boolean {
  return Array.isArray(doc) && doc.length > 0 && doc.every((result) => isObject(result) && typeof result.Target === 'string' && ('Vulnerabilities' in result || 'Type' in result));
}

function isKubernetes(doc: JsonObject): boolean {
  return !('SchemaVersion' in doc) && 'ClusterName' in doc;
}

/** One Trivy `Result`, with the Kubernetes resource that wraps it in a cluster report. */
interface ResultPlace {
  result: JsonObject;
  path: string;
  resource?: string;
}

function parseArtifact(doc: JsonObject): ParsedReport {
  if (doc.SchemaVersion !== 2) {
    throw new InputError(`Unsupported Trivy SchemaVersion ${JSON.stringify(doc.SchemaVersion)}: expected 2 (Trivy 0.20 or later with --format json).`);
  }
  const results = shape.objects(doc.Results, 'Results');
  function* places(): Generator<ResultPlace> {
    for (let i = 0; i < results.length; i++) yield { result: results[i] as JsonObject, path: `Results[${i}]` };
  }
  const metadata = shape.optionalObject(doc.Metadata, 'Metadata', METADATA);
  const artifact = str(doc.ArtifactName) ?? strings(metadata?.RepoTags)[0];
  const artifactType = str(doc.ArtifactType);
  return report(doc, places(), artifact, (classes) => scanTypeOf(classes, artifactType === 'container_image' ? 'container' : 'sca', 'iac'));
}

function parseCluster(doc: JsonObject): ParsedReport {
  const lists = K8S_LISTS.map((key) => ({ key, entries: shape.objects(doc[key], key) }));
  function* places(): Generator<ResultPlace> {
    for (const { key, entries } of lists) {
      for (let i = 0; i < entries.length; i++) {
        const resource = shape.check(entries[i] as JsonObject, `${key}[${i}]`, RESOURCE);
        const address = [str(resource.Namespace), str(resource.Kind), str(resource.Name)].filter((p) => p !== undefined).join('/');
        const results = shape.objects(resource.Results, `${key}[${i}].Results`);
        for (let j = 0; j < results.length; j++) {
          yield { result: results[j] as JsonObject, path: `${key}[${i}].Results[${j}]`, ...(address ? { resource: address } : {}) };
        }
      }
    }
  }
  const kinds = (found: Set<string>) => scanTypeOf(found, found.has('vulnerability') ? 'container' : 'misconfig', 'misconfig');
  return report(doc, places(), str(doc.ClusterName), kinds);
}

function report(
  doc: JsonObject,
  places: Iterable<ResultPlace>,
  artifact: string | undefined,
  scanType: (kinds: Set<string>) => ScanType,
): ParsedReport {
  const scannedAt = isoTimestamp(str(doc.CreatedAt));
  const scannerVersion = str(shape.optionalObject(doc.Trivy, 'Trivy', TRIVY)?.Version);
  const header = {
    format: 'trivy',
    scanner: SCANNER,
    ...(scannerVersion ? { scannerVersion } : {}),
    scanType: scanType(new Set()),
    suppressed: 0,
    errors: [],
    ...(artifact ? { artifact } : {}),
    ...(scannedAt ? { scannedAt } : {}),
  };
  return streamedReport(header, function* (parsed) {
    const kinds = new Set<string>();
    for (const place of places) {
      for (const finding of readResult(place, parsed)) {
        kinds.add(finding.kind);
        yield finding;
      }
    }
    parsed.scanType = scanType(kinds);
  });
}

/** The scan type from the kinds of findings: one kind that names a scan type wins, else `other`. */
function scanTypeOf(kinds: Set<string>, other: ScanType, config: ScanType): ScanType {
  if (kinds.size !== 1) return other;
  if (kinds.has('misconfiguration')) return config;
  if (kinds.has('secret')) return 'secret';
  if (kinds.has('license')) return 'license';
  return other;
}

/** The findings of one Result; skipped entries and suppressions are counted on the report. */
function* readResult(place: ResultPlace, parsed: ParsedReport): Generator<Finding> {
  const { path } = place;
  const result = shape.check(place.result, path, RESULT);
  const target = str(result.Target);
  const type = str(result.Type);
  const base: Occurrence = { ...(target ? { component: target } : {}), ...(place.resource ? { resource: place.resource } : {}) };

  const vulnerabilities = shape.objects(result.Vulnerabilities, `${path}.Vulnerabilities`);
  for (let i = 0; i < vulnerabilities.length; i++) {
    const where = `${path}.Vulnerabilities[${i}]`;
    const v = shape.check(vulnerabilities[i] as JsonObject, where, VULNERABILITY);
    if (str(v.Status)?.toLowerCase() === 'not_affected') {
      parsed.suppressed++;
      continue;
    }
    const finding = vulnerability(v, where, base, type);
    if (finding) yield finding;
    else parsed.errors.push(`Skipped ${path}.Vulnerabilities[${i}]: it has no VulnerabilityID.`);
  }

  const misconfigurations = shape.objects(result.Misconfigurations, `${path}.Misconfigurations`);
  for (let i = 0; i < misconfigurations.length; i++) {
    const where = `${path}.Misconfigurations[${i}]`;
    const m = shape.check(misconfigurations[i] as JsonObject, where, MISCONFIGURATION);
    const status = str(m.Status)?.toUpperCase();
    if (status === 'EXCEPTION') parsed.suppressed++;
    if (status !== undefined && status !== 'FAIL') continue;
    const finding = misconfiguration(m, where, base, { target, type, k8sResource: place.resource });
    if (finding) yield finding;
    else parsed.errors.push(`Skipped ${path}.Misconfigurations[${i}]: it has no ID.`);
  }

  const secrets = shape.objects(result.Secrets, `${path}.Secrets`);
  for (let i = 0; i < secrets.length; i++) yield secret(shape.check(secrets[i] as JsonObject, `${path}.Secrets[${i}]`, SECRET), base, target);

  const licenses = shape.objects(result.Licenses, `${path}.Licenses`);
  for (let i = 0; i < licenses.length; i++) {
    const finding = license(shape.check(licenses[i] as JsonObject, `${path}.Licenses[${i}]`, LICENSE), base);
    if (finding) yield finding;
    else parsed.errors.push(`Skipped ${path}.Licenses[${i}]: it has no Name.`);
  }
}

function vulnerability(v: JsonObject, path: string, base: Occurrence, type: string | undefined): Finding | undefined {
  const { id, aliases } = canonicalVulnerabilityId([str(v.VulnerabilityID), ...strings(v.VendorIDs)]);
  if (!id) return undefined;
  const pkg = str(v.PkgName);
  const installed = str(v.InstalledVersion);
  const fixed = str(v.FixedVersion);
  const label = str(v.Severity);
  const score = cvssScore(v, path);
  const layer = str(shape.optionalObject(v.Layer, `${path}.Layer`, LAYER)?.DiffID);
  const pkgPath = str(v.PkgPath);
  const purl = str(shape.optionalObject(v.PkgIdentifier, `${path}.PkgIdentifier`, PKG_IDENTIFIER)?.PURL);
  const details = scalarDetails({ status: str(v.Status), pkgId: str(v.PkgID), purl, severitySource: str(v.SeveritySource) });
  return {
    kind: 'vulnerability',
    fingerprint: vulnerabilityFingerprint({ vulnerabilityId: id, package: fingerprintPackageName(type, pkg), installedVersion: installed }),
    severity: severityFromScanner(label, score),
    ...optional({ scannerSeverity: label, score }),
    title: str(v.Title) ?? (pkg ? `${id} in ${pkg}` : id),
    ...optional({
      description: str(v.Description),
      remediation: fixed && pkg ? `Upgrade ${pkg} to ${fixed}.` : undefined,
      package: pkg,
      installedVersion: installed,
      fixedVersion: fixed,
      ecosystem: type,
    }),
    vulnerabilityId: id,
    ...nonEmpty({ aliases, cwes: strings(v.CweIDs), references: references(v) }),
    occurrence: { ...base, ...optional({ filePath: pkgPath, layer }), ...details },
  };
}

/**
 * The CVSS v3 base score of the vendor whose severity Trivy chose (`SeveritySource`), else NVD's;
 * kept as provenance only, since Trivy's label decides the severity.
 */
function cvssScore(v: JsonObject, path: string): number | undefined {
  const cvss = obj(v.CVSS);
  if (!cvss) return undefined;
  const source = str(v.SeveritySource);
  const vendor = source ? shape.optionalObject(cvss[source], `${path}.CVSS.${source}`, CVSS_SOURCE) : undefined;
  const nvd = shape.optionalObject(cvss.nvd, `${path}.CVSS.nvd`, CVSS_SOURCE);
  return num(vendor?.V3Score) ?? num(nvd?.V3Score) ?? num(vendor?.V40Score) ?? num(nvd?.V40Score);
}

function misconfiguration(
  m: JsonObject,
  path: string,
  base: Occurrence,
  { target, type, k8sResource }: { target: string | undefined; type: string | undefined; k8sResource: string | undefined },
): Finding | undefined {
  const checkId = str(m.ID) ?? str(m.AVDID);
  if (!checkId) return undefined;
  const cause = shape.optionalObject(m.CauseMetadata, `${path}.CauseMetadata`, CAUSE) ?? {};
  const resource = k8sResource ?? str(cause.Resource);
  const label = str(m.Severity);
  const startLine = positiveInteger(cause.StartLine);
  const endLine = positiveInteger(cause.EndLine);
  const code = shape.optionalObject(cause.Code, `${path}.CauseMetadata.Code`, CODE);
  const snippet = shape
    .objects(code?.Lines, `${path}.CauseMetadata.Code.Lines`)
    .map((line, i) => shape.check(line, `${path}.CauseMetadata.Code.Lines[${i}]`, CODE_LINE))
    .filter((line) => line.IsCause === true && typeof line.Content === 'string')
    .map((line) => line.Content as string)
    .join('\n');
  return {
    kind: 'misconfiguration',
    fingerprint: misconfigurationFingerprint({ scanner: SCANNER, checkId, filePath: target, resource }),
    // DESIGN.md: IaC checks without a severity are medium.
    severity: severityFromScanner(label, undefined, 'medium'),
    ...optional({ scannerSeverity: label }),
    title: str(m.Title) ?? checkId,
    ...optional({ description: str(m.Description), remediation: str(m.Resolution), ecosystem: type }),
    ruleId: checkId,
    ...nonEmpty({ references: references(m) }),
    occurrence: {
      ...base,
      // A cluster report's Target is `Kind/name`, not a file.
      ...optional({ filePath: k8sResource ? undefined : target, startLine, endLine, resource, snippet: snippet || undefined }),
      ...scalarDetails({ message: str(m.Message), provider: str(cause.Provider), service: str(cause.Service) }),
    },
  };
}

/**
 * Trivy never gives the raw secret: `Match` and `Code` are already masked with `*`. The fingerprint
 * hashes the masked `Match` line in the secret's place (rule and file are added by
 * secretFingerprint): it identifies the same secret across scans while holding nothing in clear.
 * A `Match` without Trivy's mask is not stored anywhere, in case a tool version ever writes one.
 */
function secret(s: JsonObject, base: Occurrence, target: string | undefined): Finding {
  const ruleId = str(s.RuleID) ?? str(s.Category) ?? 'secret';
  const match = str(s.Match);
  const label = str(s.Severity);
  const startLine = positiveInteger(s.StartLine);
  const endLine = positiveInteger(s.EndLine);
  return {
    kind: 'secret',
    fingerprint: secretFingerprint({ ruleId, filePath: target, secretSha256: secretSha256(match ?? '') }),
    // DESIGN.md: secrets without a severity are high.
    severity: severityFromScanner(label, undefined, 'high'),
    ...optional({ scannerSeverity: label }),
    title: str(s.Title) ?? ruleId,
    ruleId,
    occurrence: {
      ...base,
      ...optional({ filePath: target, startLine, endLine, snippet: match?.includes('*') ? match : undefined }),
      ...scalarDetails({ category: str(s.Category) }),
    },
  };
}

function license(l: JsonObject, base: Occurrence): Finding | undefined {
  const name = str(l.Name);
  if (!name) return undefined;
  const pkg = str(l.PkgName);
  const filePath = str(l.FilePath);
  const label = str(l.Severity);
  const link = str(l.Link);
  return {
    kind: 'license',
    // Loose-file licenses have no package: the file stands in for it, so two files are two issues.
    fingerprint: licenseFingerprint({ license: name, package: pkg ?? filePath }),
    severity: severityFromScanner(label, undefined),
    ...optional({ scannerSeverity: label }),
    title: `${name} license in ${pkg ?? filePath ?? 'an unnamed package'}`,
    license: name,
    ...optional({ package: pkg }),
    ...nonEmpty({ references: link ? [link] : [] }),
    occurrence: { ...base, ...optional({ filePath }), ...scalarDetails({ category: str(l.Category), confidence: num(l.Confidence) }) },
  };
}

function references(entry: JsonObject): string[] {
  return distinct([str(entry.PrimaryURL), ...strings(entry.References)]);
}
