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
