import { api } from '../api/client.js';
import type { IssuePage, IssueRow } from '../api/types.js';
import type { ExportColumn } from '../export/export.js';
import type { EntityName } from '../routing/routes.js';
import { type IssueQuery, issuesPath } from './issue-query.js';

/** The API's largest page: an export reads the filtered issues in as few requests as it can. */
const EXPORT_PAGE = 500;

/** Every issue the tab's filters select, all pages, in the tab's order. */
export async function allIssues(entity: EntityName, query: IssueQuery): Promise<IssueRow[]> {
  const rows: IssueRow[] = [];
  let cursor: string | null = null;
  do {
    const page: IssuePage = await api.get<IssuePage>(issuesPath(entity, { ...query, cursor, issue: null }, EXPORT_PAGE));
    rows.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return rows;
}

/** The columns of an issue export: what the list shows, and the identifiers behind it. Secrets are only ever masked here, as in the API. */
export const ISSUE_EXPORT: ExportColumn<IssueRow>[] = [
  { key: 'id', value: (i) => i.id },
  { key: 'severity', value: (i) => i.severity },
  { key: 'kind', value: (i) => i.kind },
  { key: 'title', value: (i) => i.title },
  { key: 'vulnerabilityId', value: (i) => i.vulnerabilityId },
  { key: 'ruleId', value: (i) => i.ruleId },
  { key: 'package', value: (i) => i.package },
  { key: 'installedVersion', value: (i) => i.installedVersion },
  { key: 'fixedVersion', value: (i) => i.fixedVersion },
  { key: 'file', value: (i) => i.location?.filePath ?? null },
  { key: 'startLine', value: (i) => i.location?.startLine ?? null },
  { key: 'target', value: (i) => i.targetName },
  { key: 'variant', value: (i) => i.variant },
  { key: 'scanners', value: (i) => i.scanners.join(' ') },
  { key: 'new', value: (i) => i.new },
  { key: 'firstSeenAt', value: (i) => i.firstSeenAt },
  { key: 'lastSeenAt', value: (i) => i.lastSeenAt },
  // KEV state as the API says it: never-enriched (unknown) stays apart from not-listed.
  { key: 'kev', value: (i) => i.kev?.state ?? null },
  { key: 'kevDueDate', value: (i) => i.kev?.dueDate ?? null },
  { key: 'epss', value: (i) => i.epss?.score ?? null },
  { key: 'epssPercentile', value: (i) => i.epss?.percentile ?? null },
  { key: 'sla', value: (i) => i.sla?.state ?? null },
  { key: 'slaDueDate', value: (i) => i.sla?.dueDate ?? null },
  { key: 'priorityReason', value: (i) => i.priorityReason ?? null },
];
