import { type Kysely, sql, type Updateable } from 'kysely';
import type { Finding, Occurrence } from '../domain/finding.js';
import { emptyCounts, type Severity, SEVERITIES, severityFromRank, severityRank, type SeverityCounts } from '../domain/severity.js';
import type { IssueDraft } from '../ingest/group.js';
import { batches, inValues } from './batches.js';
import { bulkInsertIds, bulkRun, updateById, type UpdatedColumn } from './bulk.js';
import type { Store } from './database.js';
import { isPostgres } from './row-locks.js';
import type { Database, IssueRow, IssueTable, ScanIssueTable, ScanTable } from './schema.js';
import { type RewrittenTerms, type ScanTermCounts, shiftScanTerms } from './scan-search-terms.js';
import { reusedStatement } from './reused-statement.js';
import { recordSearchTerms } from './search-terms.js';

type Db = Kysely<Database>;

/** What an issue row keeps as JSON: shown, never filtered or sorted on. */
export interface IssueDetails {
  aliases?: string[];
  cwes?: string[];
  references?: string[];
  tags?: string[];
  remediation?: string;
  ecosystem?: string;
  license?: string;
  /** What Lantern changed in the report's text on the way in (ingest/storable.ts). */
  notes?: string[];
}

function issueDetails(f: Finding): string {
  const details: IssueDetails = {};
  if (f.aliases?.length) details.aliases = f.aliases;
  if (f.cwes?.length) details.cwes = f.cwes;
  if (f.references?.length) details.references = f.references;
  if (f.tags?.length) details.tags = f.tags;
  if (f.remediation !== undefined) details.remediation = f.remediation;
  if (f.ecosystem !== undefined) details.ecosystem = f.ecosystem;
  if (f.license !== undefined) details.license = f.license;
  if (f.notes?.length) details.notes = f.notes;
  return JSON.stringify(details);
}

/** The columns of an issue that its findings describe; a rescan rewrites them only when they change. */
const CONTENT = ['kind', 'title', 'vulnerability_id', 'rule_id', 'package', 'installed_version', 'fixed_version', 'description', 'details'] as const;
type Content = Pick<IssueTable, (typeof CONTENT)[number]>;

/** What a rescan rewrites of an issue it changed: every content column, and when it was first seen. */
const REWRITTEN_COLUMNS = [...CONTENT.map((column) => [column, 'text'] as const), ['first_seen_at', 'text'], ['first_scan_id', 'integer']] as const satisfies ReadonlyArray<
  UpdatedColumn<(typeof CONTENT)[number] | 'first_seen_at' | 'first_scan_id'>
>;

function contentOf(f: Finding): Content {
  return {
    kind: f.kind,
    title: f.title,
    vulnerability_id: f.vulnerabilityId ?? null,
    rule_id: f.ruleId ?? null,
    package: f.package ?? null,
    installed_version: f.installedVersion ?? null,
    fixed_version: f.fixedVersion ?? null,
    description: f.description ?? null,
    details: issueDetails(f),
  };
}

/**
 * Whether a title is only what a parser made up for want of one (`CVE-… in lodash`, a bare id or
 * rule id): such a title never replaces one a scanner wrote for the same issue (Trivy's `Title`
 * stays when Grype, which has none, reports the same CVE later).
 */
function isStandInTitle(content: Pick<Content, 'title' | 'vulnerability_id' | 'rule_id' | 'package'>): boolean {
  const id = content.vulnerability_id ?? content.rule_id;
  return id !== null && (content.title === id || content.title === `${id} in ${content.package ?? ''}`);
}

/**
 * Stores the issues of one chunk of a scan in its target and returns their ids in draft order.
 * Issues the target already has (same fingerprint) are rewritten only where their content changed
 * (a field the new finding leaves empty keeps its old value) or where this scan saw them earlier
 * than any before; the rest are inserted. One lookup per chunk, no per-row upsert. Each issue's
 * searched columns, as written, are counted into `terms` (the scan's search terms), and other
 * current scans that have an issue whose terms changed count its new ones (store/scan-search-terms.ts).
 */
export async function writeIssues(
  store: Store,
  trx: Db,
  targetId: number,
  scanId: number,
  seenAt: string,
  drafts: readonly IssueDraft[],
  terms: ScanTermCounts,
  options: {
    newTarget?: boolean;
    written?: Map<number, PriorityInputs>;
    /** The priority parts of the issues to insert, written with them (insights/priority-order.ts partsOfNewIssues). */
    partsOf?: (issues: readonly NewIssue[]) => Promise<ReadonlyArray<{ head: string; tail: string }>>;
    /** Receives the ids of the issues inserted with their parts. */
    inserted?: Set<number>;
  } = {},
): Promise<number[]> {
  if (drafts.length === 0) return [];
  const contents = drafts.map((d) => contentOf(d.finding));
  // A target created in this transaction has only the issues this scan writes, each once.
  const existing = options.newTarget
    ? []
    : await trx
        .selectFrom('issues')
        .select(['id', 'fingerprint', 'first_seen_at', 'first_scan_id', 'priority_head', 'priority_tail', ...CONTENT])
        .where('target_id', '=', targetId)
        .where(
          'fingerprint',
          'in',
          drafts.map((d) => d.finding.fingerprint),
        )
        .execute();
  const byFingerprint = new Map(existing.map((row) => [row.fingerprint, row]));

  const ids: number[] = new Array(drafts.length);
  const fresh: number[] = [];
  const rewritten: Array<{ id: number } & Content & Pick<IssueTable, 'first_seen_at' | 'first_scan_id'>> = [];
  const retermed: RewrittenTerms[] = [];
  for (let i = 0; i < drafts.length; i++) {
    const old = byFingerprint.get((drafts[i] as IssueDraft).finding.fingerprint);
    if (!old) {
      fresh.push(i);
      terms.add(contents[i] as Content);
      continue;
    }
    ids[i] = old.id;
    const content = contents[i] as Content;
    const merged = { ...content };
    let changed = false;
    const keepTitle = isStandInTitle(content) && !isStandInTitle(old);
    for (const column of CONTENT) {
      // A scanner's own title is kept over a stand-in another scanner made up for the same issue.
      const value = column === 'title' && keepTitle ? old.title : (content[column] ?? old[column]);
      (merged as Record<string, string | null>)[column] = value;
      changed ||= value !== old[column];
    }
    const earlier = seenAt < old.first_seen_at;
    if (changed || earlier) rewritten.push({ id: old.id, ...merged, first_seen_at: earlier ? seenAt : old.first_seen_at, first_scan_id: earlier ? scanId : old.first_scan_id });
    options.written?.set(old.id, priorityInputs(merged, old.priority_head, old.priority_tail));
    terms.add(merged);
    if (changed) retermed.push({ id: old.id, before: old, after: merged });
  }
  await updateById(trx, 'issues', REWRITTEN_COLUMNS, rewritten);
  await shiftScanTerms(store, trx, scanId, retermed);

  const parts = options.partsOf ? await options.partsOf(fresh.map((i) => ({ ...(contents[i] as Content), places: (drafts[i] as IssueDraft).occurrences }))) : [];
  const freshIds = await bulkInsertIds(store, trx, 'issues', fresh.length, (k) => {
    const i = fresh[k] as number;
    return {
      target_id: targetId,
      fingerprint: (drafts[i] as IssueDraft).finding.fingerprint,
      ...(contents[i] as Content),
      first_seen_at: seenAt,
      first_scan_id: scanId,
      priority_head: parts[k]?.head ?? null,
      priority_tail: parts[k]?.tail ?? null,
    };
  });
  fresh.forEach((i, k) => {
    ids[i] = freshIds[k] as number;
    const part = parts[k];
    options.written?.set(ids[i], priorityInputs(contents[i] as Content, part?.head ?? null, part?.tail ?? null));
    if (part) options.inserted?.add(ids[i]);
  });
  await recordSearchTerms(store, trx, [...rewritten, ...fresh.map((i) => ({ id: ids[i] as number, ...(contents[i] as Content) }))]);
  return ids;
}

/** An issue writeIssues is about to insert: its columns, and its occurrences in this scan (whose places may carry a scanner's EPSS). */
export type NewIssue = Content & { places: readonly Occurrence[] };

/**
 * What the priority order reads of an issue (insights/priority-order.ts refreshPriorityKeys), as
 * writeIssues left it: given `written`, it records each issue's, so that they are not read back.
 */
export interface PriorityInputs {
  vulnerability_id: string | null;
  rule_id: string | null;
  fixed_version: string | null;
  priority_head: string | null;
  priority_tail: string | null;
  details: string;
}

function priorityInputs(content: Content, head: string | null, tail: string | null): PriorityInputs {
  return { vulnerability_id: content.vulnerability_id, rule_id: content.rule_id, fixed_version: content.fixed_version, priority_head: head, priority_tail: tail, details: content.details };
}

/**
 * Records which issues a scan reported and how severe it said each was. An issue met again in a
 * later chunk of the same report keeps the worse severity (with that severity's label and score)
 * and adds its occurrences. An issue is new unless it is among `common`, the ones the compared
 * scan also had (commonIssues): written once as it stays, not written new and then corrected.
 */
export async function upsertScanIssues(
  store: Store,
  trx: Db,
  scanId: number,
  drafts: readonly IssueDraft[],
  issueIds: readonly number[],
  common: ReadonlySet<number> = new Set(),
): Promise<void> {
  const rowAt = (i: number) => {
    const { finding, occurrences } = drafts[i] as IssueDraft;
    return {
      scan_id: scanId,
      issue_id: issueIds[i] as number,
      severity: severityRank(finding.severity),
      scanner_severity: finding.scannerSeverity ?? null,
      score: finding.score ?? null,
      occurrences: occurrences.length,
      is_new: common.has(issueIds[i] as number) ? 0 : 1,
    };
  };
  const worse = sql`excluded.severity > scan_issues.severity`;
  await bulkRun(store, trx, drafts.length, rowAt, (db, batch) =>
    db
      .insertInto('scan_issues')
      .values(batch)
      .onConflict((oc) =>
        oc.columns(['scan_id', 'issue_id']).doUpdateSet({
          severity: sql`case when ${worse} then excluded.severity else scan_issues.severity end`,
          scanner_severity: sql`case when ${worse} then excluded.scanner_severity else scan_issues.scanner_severity end`,
          score: sql`case when ${worse} then excluded.score else scan_issues.score end`,
          occurrences: sql`scan_issues.occurrences + excluded.occurrences`,
        }),
      ),
  );
}

/**
 * Of these issues, the ones the compared scan also had (DESIGN.md: common, the others new): read
 * through the scan's key before its rows are written, so that each is written once as it stays.
 * (An update after the writes marked them instead, which wrote every common row of a rescan twice.)
 */
export async function commonIssues(trx: Db, comparedScanId: number, issueIds: readonly number[]): Promise<Set<number>> {
  if (issueIds.length === 0) return new Set();
  const rows = await trx
    .selectFrom('scan_issues')
    .select('issue_id')
    .where('scan_id', '=', comparedScanId)
    .where(inValues(trx, 'issue_id', [...new Set(issueIds)]))
    .execute();
  return new Set(rows.map((row) => row.issue_id));
}

/** What an ingest stores on its scan once its issues are written. */
export type ScanFinish = Required<Pick<Updateable<ScanTable>, 'occurrences' | 'compared_scan_id' | 'scan_type' | 'suppressed' | 'errors'>>;

/** recordScanTally's statement, compiled once: building it was a twentieth of the Node CPU of an ingest. */
const scanTally = reusedStatement(
  (db: Db, scanId: number, comparedTotal: number, occurrences: number, comparedScanId: number | null, scanType: string, suppressed: number, errors: string) => {
    const tally = db
      .selectFrom('scan_issues')
      .select((eb) => [
        ...SEVERITIES.map((severity) => eb.fn.coalesce(eb.fn.sum<number>(eb.case().when('severity', '=', severityRank(severity)).then(1).else(0).end()), eb.lit(0)).as(severity)),
        eb.fn.countAll<number>().as('total'),
        eb.fn.coalesce(eb.fn.sum<number>('is_new'), eb.lit(0)).as('fresh'),
      ])
      .where('scan_id', '=', scanId);
    return db
      .updateTable('scans')
      .from(tally.as('t'))
      .set((eb) => ({
        occurrences,
        compared_scan_id: comparedScanId,
        scan_type: scanType,
        suppressed,
        errors,
        ...Object.fromEntries(SEVERITIES.map((severity) => [severity, eb.ref(`t.${severity}`)])),
        total: eb.ref('t.total'),
        new_count: eb.ref('t.fresh'),
        common_count: sql<number>`t.total - t.fresh`,
        remediated_count: sql<number>`${comparedTotal} - (t.total - t.fresh)`,
      }))
      .where('scans.id', '=', scanId)
      .returning(['scans.critical', 'scans.high', 'scans.medium', 'scans.low', 'scans.info', 'scans.total', 'scans.new_count', 'scans.common_count', 'scans.remediated_count']);
  },
);

/**
 * Counts a scan's issues per severity and how many of them are new, and stores the counts on the
 * scan with `finish`, in one statement: common are those not new, remediated those of the
 * comparison scan's `comparedTotal` that are not common. Returns what it stored.
 */
export async function recordScanTally(
  trx: Db,
  scanId: number,
  comparedTotal: number,
  finish: ScanFinish,
): Promise<{ counts: SeverityCounts; new_count: number; common_count: number; remediated_count: number }> {
  const { rows } = await scanTally(trx, scanId, comparedTotal, finish.occurrences, finish.compared_scan_id, finish.scan_type, finish.suppressed, finish.errors);
  const row = rows[0];
  if (!row) throw new Error(`recordScanTally: no scan ${scanId}`);
  const counts = emptyCounts();
  for (const key of [...SEVERITIES, 'total'] as const) counts[key] = Number(row[key]);
  return { counts, new_count: Number(row.new_count), common_count: Number(row.common_count), remediated_count: Number(row.remediated_count) };
}

/** Inserts every occurrence of the drafts; returns how many. */
export async function insertOccurrences(
  store: Store,
  trx: Db,
  scanId: number,
  drafts: readonly IssueDraft[],
  issueIds: readonly number[],
): Promise<number> {
  // Occurrence i of the flattened list is occurrence `slot[i]` of draft `owner[i]`.
  const owner: number[] = [];
  const slot: number[] = [];
  drafts.forEach(({ occurrences }, d) => {
    for (let o = 0; o < occurrences.length; o++) {
      owner.push(d);
      slot.push(o);
    }
  });
  const rowAt = (i: number) => {
    const d = owner[i] as number;
    const { filePath, startLine, endLine, baseId, ...place } = (drafts[d] as IssueDraft).occurrences[slot[i] as number] as Occurrence;
    return {
      scan_id: scanId,
      issue_id: issueIds[d] as number,
      file_path: filePath ?? null,
      start_line: startLine ?? null,
      end_line: endLine ?? null,
      base_id: baseId ?? null,
      place: JSON.stringify(place),
    };
  };
  await bulkRun(store, trx, owner.length, rowAt, (db, batch) => db.insertInto('occurrences').values(batch));
  return owner.length;
}

/** An issue in a list: what the CLI prints, the API answers, and the UI's tables show. */
export interface IssueListing {
  id: number;
  targetId: number;
  fingerprint: string;
  kind: string;
  /** The worst severity the scans in question give it. */
  severity: Severity;
  title: string;
  vulnerabilityId: string | null;
  ruleId: string | null;
  package: string | null;
  installedVersion: string | null;
  fixedVersion: string | null;
  scanners: string[];
  /** Occurrences over the scans in question. */
  occurrences: number;
  /** True when no scan in question had it in its comparison scan. */
  new: boolean;
  firstSeenAt: string;
  /** When the latest scan in question that reports it ran. */
  lastSeenAt: string;
}

/** One issue as one scan reported it: the issue's columns, and what that scan said of it. */
export type ScanIssueRow = Pick<IssueRow, 'id' | 'target_id' | 'fingerprint' | 'kind' | 'title' | 'vulnerability_id' | 'rule_id' | 'package' | 'installed_version' | 'fixed_version' | 'first_seen_at'> &
  Pick<ScanIssueTable, 'scan_id' | 'severity' | 'occurrences' | 'is_new'> & { scanner: string; scanned_at: string };

/** What an issue list needs of each (scan, issue) pair. */
export const SCAN_ISSUE_COLUMNS = [
  'issues.id',
  'issues.target_id',
  'issues.fingerprint',
  'issues.kind',
  'issues.title',
  'issues.vulnerability_id',
  'issues.rule_id',
  'issues.package',
  'issues.installed_version',
  'issues.fixed_version',
  'issues.first_seen_at',
  'scans.id as scan_id',
  'scans.scanner',
  'scans.scanned_at',
  'scan_issues.severity',
  'scan_issues.occurrences',
  'scan_issues.is_new',
] as const;

/** Every (scan, issue) pair of the given scans with what an issue list needs. */
export function scanIssueRows(db: Db, scanIds: readonly number[]): Promise<ScanIssueRow[]> {
  if (scanIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('scan_issues')
    .innerJoin('scans', 'scans.id', 'scan_issues.scan_id')
    .innerJoin('issues', 'issues.id', 'scan_issues.issue_id')
    .select(SCAN_ISSUE_COLUMNS)
    .where('scan_issues.scan_id', 'in', scanIds)
    .execute();
}

/**
 * One listing per issue of the rows: the worst severity any scan gives it, the scanners that
 * report it, its occurrences added up; new only when no scan had it in its comparison scan.
 */
export function aggregateIssues(rows: readonly ScanIssueRow[]): IssueListing[] {
  const byId = new Map<number, IssueListing & { rank: number }>();
  for (const r of rows) {
    const issue = byId.get(r.id);
    if (issue) {
      if (r.severity > issue.rank) {
        issue.rank = r.severity;
        issue.severity = severityFromRank(r.severity);
      }
      if (!issue.scanners.includes(r.scanner)) issue.scanners.push(r.scanner);
      issue.occurrences += r.occurrences;
      issue.new &&= r.is_new === 1;
      if (r.scanned_at > issue.lastSeenAt) issue.lastSeenAt = r.scanned_at;
      continue;
    }
    byId.set(r.id, {
      id: r.id,
      targetId: r.target_id,
      fingerprint: r.fingerprint,
      kind: r.kind,
      severity: severityFromRank(r.severity),
      rank: r.severity,
      title: r.title,
      vulnerabilityId: r.vulnerability_id,
      ruleId: r.rule_id,
      package: r.package,
      installedVersion: r.installed_version,
      fixedVersion: r.fixed_version,
      scanners: [r.scanner],
      occurrences: r.occurrences,
      new: r.is_new === 1,
      firstSeenAt: r.first_seen_at,
      lastSeenAt: r.scanned_at,
    });
  }
  return [...byId.values()].map(({ rank: _rank, ...issue }) => ({ ...issue, scanners: issue.scanners.sort() })).sort(worstFirst);
}

/** The issues of the given scans (for a variant's current state: store/scans.ts currentScanIds), worst first. */
export async function issuesOfScans(db: Db, scanIds: readonly number[]): Promise<IssueListing[]> {
  return aggregateIssues(await scanIssueRows(db, scanIds));
}

/** Where an issue was found: its first file by path, the first line there, and in how many files. */
export interface IssuePlace {
  file: string;
  line: number | null;
  files: number;
}

/** The place of each of these issues that has a file in the given scans' occurrences. */
export async function issuePlaces(db: Db, scanIds: readonly number[], issueIds: readonly number[]): Promise<Map<number, IssuePlace>> {
  const out = new Map<number, IssuePlace>();
  if (scanIds.length === 0) return out;
  for (const batch of batches(issueIds)) {
    const rows = await db
      .selectFrom('occurrences')
      .select((eb) => ['issue_id', 'file_path', eb.fn.min('start_line').as('line')])
      .where('issue_id', 'in', batch)
      .where('scan_id', 'in', scanIds)
      .where('file_path', 'is not', null)
      .groupBy(['issue_id', 'file_path'])
      .orderBy('issue_id')
      .orderBy('file_path')
      .execute();
    for (const r of rows) {
      const place = out.get(r.issue_id);
      if (place) place.files++;
      else out.set(r.issue_id, { file: r.file_path as string, line: r.line, files: 1 });
    }
  }
  return out;
}

/** Worst severity first, then by identifier. */
export function worstFirst(a: IssueListing, b: IssueListing): number {
  return severityRank(b.severity) - severityRank(a.severity) || (a.vulnerabilityId ?? a.ruleId ?? a.title).localeCompare(b.vulnerabilityId ?? b.ruleId ?? b.title);
}

/** A scan's issues split as DESIGN.md counts them: new, common, and remediated since the comparison scan. */
export async function scanIssueSplit(db: Db, scan: { id: number; compared_scan_id: number | null }): Promise<{ new: IssueListing[]; common: IssueListing[]; remediated: IssueListing[] }> {
  const issues = await issuesOfScans(db, [scan.id]);
  const present = new Set(issues.map((i) => i.id));
  const compared = scan.compared_scan_id === null ? [] : await issuesOfScans(db, [scan.compared_scan_id]);
  return {
    new: issues.filter((i) => i.new),
    common: issues.filter((i) => !i.new),
    remediated: compared.filter((i) => !present.has(i.id)),
  };
}

/**
 * The issue details that may hold an alias that is a CVE (details are written with their aliases
 * first): the others are not read (nor parsed) to find an issue's CVE ids. Each store's LIKE, as
 * its own: SQLite's ignores case.
 */
export const ALIASES_PREFIX = '{"aliases":[%';
export const ALIASES_CVE = '%CVE-%';

/**
 * aliasDetailsOf() of details held in memory, as the store's LIKE would answer it: PostgreSQL's is
 * case-sensitive, SQLite's ignores the case of ASCII letters.
 */
export function aliasDetailsIn(details: string, postgres: boolean): string | null {
  const fold = (text: string) => (postgres ? text : text.replace(/[A-Z]/g, (c) => c.toLowerCase()));
  const text = fold(details);
  return text.startsWith(fold(ALIASES_PREFIX.slice(0, -1))) && text.includes(fold(ALIASES_CVE.slice(1, -1))) ? details : null;
}

/** The issue's details where they may name a CVE alias, else null: a page's `alias_details`. */
export function aliasDetailsOf() {
  return sql<string | null>`case when issues.details like ${ALIASES_PREFIX} and issues.details like ${ALIASES_CVE} then issues.details end`;
}

/** A page's row with the issue's details where they may name a CVE alias, else null. */
export type ScanIssueRowWithAliases = ScanIssueRow & { alias_details: string | null };

/**
 * The rows of scanIssueRows for only these issues: a page's, read through the (issue_id, scan_id)
 * index. With `aliases`, each row also carries the issue's details where they may name a CVE
 * alias, so that the page is matched with the feeds without reading its issues again.
 */
export async function scanIssueRowsOf(db: Db, scanIds: readonly number[], issueIds: readonly number[]): Promise<ScanIssueRow[]>;
export async function scanIssueRowsOf(db: Db, scanIds: readonly number[], issueIds: readonly number[], aliases: true): Promise<ScanIssueRowWithAliases[]>;
export async function scanIssueRowsOf(db: Db, scanIds: readonly number[], issueIds: readonly number[], aliases = false): Promise<ScanIssueRow[]> {
  const rows: ScanIssueRow[] = [];
  if (scanIds.length === 0) return rows;
  const aliasDetails = aliasDetailsOf();
  for (const batch of batches(issueIds)) {
    const query = db
      .selectFrom('scan_issues')
      .innerJoin('scans', 'scans.id', 'scan_issues.scan_id')
      .innerJoin('issues', 'issues.id', 'scan_issues.issue_id')
      .select(SCAN_ISSUE_COLUMNS)
      .where('scan_issues.issue_id', 'in', batch)
      .where('scan_issues.scan_id', 'in', scanIds);
    rows.push(...(await (aliases ? query.select(aliasDetails.as('alias_details')) : query).execute()));
  }
  return rows;
}

/** An issue's identifier as issue lists order it: vulnerability id, else rule id, lower-cased (migrations/0011 indexes it per target). */
function identifierKey(db: Db) {
  return isPostgres(db) ? sql<string>`lower(coalesce(issues.vulnerability_id, issues.rule_id, '')) collate "C"` : sql<string>`lower(coalesce(issues.vulnerability_id, issues.rule_id, ''))`;
}

export interface IdentifiedIssue {
  id: number;
  vulnerability_id: string | null;
  rule_id: string | null;
}

/** A target's issues in identifier order, then id, after (key, id) when given: at most `limit`, each with its key as the index has it. */
export function issuesInIdentifierOrder(db: Db, targetId: number, after: { key: string; id: number } | undefined, limit: number): Promise<Array<IdentifiedIssue & { sort_key: string }>> {
  const key = identifierKey(db);
  let query = db.selectFrom('issues').select(['issues.id', 'issues.vulnerability_id', 'issues.rule_id', key.as('sort_key')]).where('issues.target_id', '=', targetId);
  if (after) query = query.where(sql<boolean>`(${key}, issues.id) > (${after.key}, ${after.id})`);
  return query.orderBy(key).orderBy('issues.id').limit(limit).execute();
}

/** The issues of these scans that one of them gives this severity (the (scan_id, severity) index). */
export async function issueIdsAtSeverity(db: Db, scanIds: readonly number[], severity: number): Promise<number[]> {
  if (scanIds.length === 0) return [];
  const rows = await db.selectFrom('scan_issues').select('issue_id').distinct().where('scan_id', 'in', scanIds).where('severity', '=', severity).execute();
  return rows.map((r) => r.issue_id);
}

/** These issues' identifiers. */
export async function identifiedIssues(db: Db, issueIds: readonly number[]): Promise<IdentifiedIssue[]> {
  const out: IdentifiedIssue[] = [];
  for (const batch of batches(issueIds)) out.push(...(await db.selectFrom('issues').select(['id', 'vulnerability_id', 'rule_id']).where('id', 'in', batch).execute()));
  return out;
}

/**
 * The worst severity each of these issues has in these scans (absent: in none of them), through the
 * (issue_id, scan_id) index: the scans are compared row by row (`+ 0`, which no index matches). The
 * issues are a page's candidates, at most a few thousand, and the scans' other index read a huge
 * scan's every row (100 000) to check them: SQLite because its statistics give every scan the
 * average scan's rows, PostgreSQL once the candidates were a thousand or more.
 */
export async function worstSeverities(db: Db, scanIds: readonly number[], issueIds: readonly number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (scanIds.length === 0) return out;
  const scan = sql<number>`${sql.ref('scan_id')} + 0`;
  for (const batch of batches(issueIds)) {
    const rows = await db.selectFrom('scan_issues').select(['issue_id', 'severity']).where('issue_id', 'in', batch).where(scan, 'in', scanIds).execute();
    for (const row of rows) out.set(row.issue_id, Math.max(out.get(row.issue_id) ?? -1, row.severity));
  }
  return out;
}
