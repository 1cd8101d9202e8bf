import { queryString } from '../api/client.js';

/** What the upload form sends with a report (POST /api/scans's query). */
export interface UploadFields {
  target: string;
  type: string;
  variant: string;
  scope: string;
  format: string;
  baseline: boolean;
  commit: string;
}

export const TARGET_TYPES = ['repository', 'container', 'instance', 'configuration'] as const;
/** The report formats the server reads; empty lets it detect the format. */
export const REPORT_FORMATS = ['trivy', 'sarif', 'snyk', 'grype', 'aqua', 'osv', 'semgrep', 'gitleaks', 'checkov', 'generic'] as const;

/** What is missing before a report can go, in the words the form uses; empty when it can go. */
export function uploadProblems(fields: UploadFields, file: { size: number } | null): string[] {
  const problems: string[] = [];
  if (!file) problems.push('Choose a report file.');
  else if (file.size === 0) problems.push('The chosen file is empty.');
  if (fields.target.trim() === '') problems.push('Name the target the report is about, such as acme/payments.');
  if (fields.variant.trim() === '') problems.push('Name the variant scanned: a branch, tag or image tag.');
  if (fields.scope.trim() !== '' && !/^(account|[\w$-]+\.[\w$-]+)$/.test(fields.scope.trim())) problems.push(`The scope "${fields.scope.trim()}" is not valid: write ORG.PROJECT or account.`);
  return problems;
}

export function uploadPath(fields: UploadFields): string {
  return `/api/scans${queryString({
    target: fields.target.trim(),
    type: fields.type,
    variant: fields.variant.trim(),
    scope: fields.scope.trim() || undefined,
    format: fields.format || undefined,
    baseline: fields.baseline ? 'true' : undefined,
    commit: fields.commit.trim() || undefined,
  })}`;
}

/**
 * The target type a report suggests, from the format picked or the first bytes of the file: image
 * scanners' reports (Aqua, Grype or Trivy of an image) are about a container, IaC checks about a
 * configuration, code, secret and dependency scanners about a repository. Undefined when nothing
 * says (a gzip file, an unknown shape): the form then leaves the type as it is.
 */
export function suggestedTargetType(format: string, head: string): (typeof TARGET_TYPES)[number] | undefined {
  const text = head.slice(0, 65_536);
  const detected = format || detectedFormat(text);
  switch (detected) {
    case 'aqua':
      return 'container';
    case 'checkov':
      return 'configuration';
    case 'grype':
      return /"source"\s*:\s*\{\s*"type"\s*:\s*"(image|docker-archive|oci)/.test(text) ? 'container' : 'repository';
    case 'trivy':
      return /"ArtifactType"\s*:\s*"container_image"/.test(text) ? 'container' : /"ArtifactType"\s*:\s*"(filesystem|repository)"/.test(text) ? 'repository' : undefined;
    case 'sarif':
    case 'semgrep':
    case 'gitleaks':
    case 'snyk':
    case 'osv':
      return 'repository';
    default:
      return undefined;
  }
}

/** A cheap guess at a report's format from its first characters; the server detects it for real. */
function detectedFormat(text: string): string | undefined {
  if (/"\$schema"\s*:\s*"[^"]*sarif|"version"\s*:\s*"2\.1\.0"[\s\S]*"runs"/.test(text)) return 'sarif';
  if (/"SchemaVersion"\s*:|"ArtifactType"\s*:/.test(text)) return 'trivy';
  if (/"matches"\s*:/.test(text) && /"vulnerability"\s*:/.test(text)) return 'grype';
  if (/"image"\s*:/.test(text) && /"resources"\s*:|"vulnerability_summary"\s*:/.test(text)) return 'aqua';
  if (/"check_type"\s*:|"checkov_version"\s*:/.test(text)) return 'checkov';
  if (/"results"\s*:/.test(text) && /"check_id"\s*:/.test(text)) return 'semgrep';
  if (/"RuleID"\s*:/.test(text) && /"Secret"\s*:|"Match"\s*:/.test(text)) return 'gitleaks';
  if (/"results"\s*:/.test(text) && /"packages"\s*:/.test(text) && /"source"\s*:/.test(text)) return 'osv';
  if (/"vulnerabilities"\s*:/.test(text) && /"packageManager"\s*:/.test(text)) return 'snyk';
  return undefined;
}
