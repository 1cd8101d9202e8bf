import type { Counts, EntitySummary, Severity } from './types.js';

/** GET /api/insights/entities/:kind/:namespace/:name/rollup: a System's, Domain's or Group's members. */
export interface RollupMember {
  entityRef: string;
  kind: string;
  namespace: string;
  name: string;
  title: string | null;
  /** The system through which a domain holds this member; null for a direct member. */
  via: string | null;
  hasData: boolean;
  counts: Counts | null;
  links: number;
  unmatchedLinks: number;
  lastScanAt: string | null;
}

export interface EntityRollup {
  entityRef: string;
  kind: string;
  members: RollupMember[];
  /** The members' issues together, each issue once. */
  summary: EntitySummary;
}

/** GET /api/insights/issues?q=: where an issue is. */
export interface AffectedRow {
  issueId: number;
  severity: Severity;
  kind: string;
  title: string;
  vulnerabilityId: string | null;
  ruleId: string | null;
  package: string | null;
  installedVersion: string | null;
  fixedVersion: string | null;
  targetId: number;
  targetName: string;
  targetScope: string;
  targetType: string;
  variant: string;
  scanners: string[];
  exempted: boolean;
  entities: string[];
}

export interface AffectedEntity {
  entityRef: string;
  kind: string;
  namespace: string;
  name: string;
  title: string | null;
  owner: string | null;
  counts: Counts;
  targets: number;
}

export interface IssueSearch {
  q: string;
  counts: Counts;
  exempted: number;
  entities: AffectedEntity[];
  targets: number;
  variants: number;
  rows: AffectedRow[];
  truncated: boolean;
}
