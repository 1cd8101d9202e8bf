import { createHash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import { chooseBaseline } from '../domain/baseline.js';
import { InputError } from '../domain/errors.js';
import type { Finding } from '../domain/finding.js';
import { formatScope, type Scope } from '../domain/scope.js';
import { emptyCounts, type SeverityCounts } from '../domain/severity.js';
import { isTargetType, TARGET_TYPES, type TargetType } from '../domain/target.js';
import { parseWebAddress } from '../domain/web-address.js';
import { parseReport } from '../formats/index.js';
import { type NewIssueInputs, partsOfNewIssues, refreshPriorityKeys } from '../insights/priority-order.js';
import type { Store } from '../store/database.js';
import { commonIssues, insertOccurrences, type PriorityInputs, recordScanTally, writeIssues, upsertScanIssues } from '../store/issues.js';
import type { Database, ScanRow, VariantRow } from '../store/schema.js';
import { retireScanTerms, ScanTermCounts, writeScanTerms } from '../store/scan-search-terms.js';
import { countsOf, insertScan, latestScanBefore } from '../store/scans.js';
import { advanceSlaClocks } from '../store/sla-clocks.js';
import { ensureTarget, ensureVariant, findTargetWithReport, setBaseline, variantInfo, variantsOf } from '../store/targets.js';
import { groupFindings, type IssueDraft } from './group.js';
import { storableFinding, storableHeader } from './storable.js';

export interface IngestRequest {
  /** The report's bytes, as read from a file or a request body. */
  report: Uint8Array;
  /** Names the report in messages: a file path or "request body". */
  source: string;
  target: string;
  targetType: TargetType;
  variant: string;
  scope: Scope;
  /** A registry name that overrides format detection. */
  format?: string | undefined;
  /** Make this variant the target's baseline. */
  baseline?: boolean | undefined;
  commit?: string | undefined;
  branch?: string | undefined;
  pipelineUrl?: string | undefined;
  /** When the scan ran (ISO 8601); defaults to now. */
  scannedAt?: string | undefined;
}

/** What `lantern ingest --json` prints and `POST /api/scans` answers. */
export interface IngestResult {
  scanId: number;
  target: string;
  scope: string;
  variant: string;
  scanner: string;
  format: string;
  counts: SeverityCounts;
  new: number;
  common: number;
  remediated: number;
  /** The scan new/common/remediated were computed against, if there was one. */
  comparedScanId: number | null;
  /** True when these exact report bytes were already ingested for this variant: nothing was written. */
  duplicate: boolean;
  suppressed: number;
  errors: string[];
}

/**
 * Runs inside the ingest transaction after the scan is written (link resolution, summaries,
 * scorecards). It must change nothing outside the database: the transaction may be run again.
 */
export type AfterIngest = (trx: Kysely<Database>, scan: IngestedScan) => Promise<void>;

/** The scan an after-ingest hook is told about. */
export interface IngestedScan {
  targetId: number;
  /** The target's name and scope, as the ingest read them while holding the target. */
  target: { name: string; scope: string };
  scanId: number;
  scannedAt: string;
  /** True when this ingest created the target: it had no scan, issue or link before. */
  newTarget: boolean;
  /**
   * True when the scan replaced an earlier one of its variant by its scanner: only then may it have
   * fixed issues, and closed their SLA clocks (store/sla-clocks.ts).
   */
  replacedScan: boolean;
}

const MAX_NAME = 512;
/** Findings grouped and written together: large enough for multi-row statements, small enough to bound memory. */
const CHUNK = 250;

/**
 * Ingests one report as one transaction: create what is missing (org, project, target, variant),
 * record the scan, then stream the findings in chunks (upsert issues, scan membership and
 * occurrences), and finally compute new/common/remediated against the comparison scan. A report
 * that turns out malformed halfway rolls the whole transaction back. The same report bytes for the
 * same variant return the existing scan and write nothing.
 */
export async function ingestReport(store: Store, request: IngestRequest, afterIngest: readonly AfterIngest[] = []): Promise<IngestResult> {
  validate(request);
  const reportSha256 = await sha256(request.report);
  // Detection and the report's header are read now, before any write; findings as they are stored.
  const parse = () => storableHeader(parseReport(request.report, { source: request.source, format: request.format }));
  let report = parse();
  let attempts = 0;
  const now = new Date().toISOString();
  const scannedAt = request.scannedAt ? new Date(request.scannedAt).toISOString() : now;

  // Everything below writes only to the database (the hooks too), so on PostgreSQL a transaction
  // that lost a race to a concurrent ingest is run again; its findings can be read once: parse again.
  return store.transaction(async (trx) => {
    if (attempts++ > 0) report = parse();
    const found = await findTargetWithReport(trx, request.scope, request.target, request.variant, reportSha256);
    const existingTarget = found?.target;
    if (existingTarget) requireSameType(existingTarget, request);
    const duplicate = found?.reportScanId != null ? await trx.selectFrom('scans').selectAll().where('id', '=', found.reportScanId).executeTakeFirst() : undefined;
    if (duplicate && existingTarget) return resultOf(duplicate, existingTarget.name, request, true);

    const { target, created: newTarget } = await ensureTarget(store, trx, request.scope, request.target, request.targetType, now, {
      missing: !existingTarget,
      baselineVariant: request.baseline ? request.variant : undefined,
    });
    // Again: another ingest may have created the target since it was looked up.
    requireSameType(target, request);
    if (request.baseline && !newTarget) {
      await setBaseline(trx, target.id, { variant: request.variant });
      target.baseline_variant = request.variant;
      target.baseline_regex = null;
    }
    // The target's variants as they were before this scan, for its baseline (comparisonScan): read
    // while holding the target, which every ingest takes first (ensureTarget), so no other ingest
    // adds one or marks one scanned meanwhile. A rescan finds its variant among them.
    const before = newTarget ? [] : await variantsOf(trx, target.id);
    // A target this transaction created has no other variant whose baseline choice its scan date
    // could change: the variant starts with it, and is not updated below for it.
    const { variant, created: newVariant } = await ensureVariant(trx, target.id, request.variant, now, newTarget ? scannedAt : null, before);
    const variants = newVariant ? [...before, variant] : before;
    const scanId = await insertScan(trx, {
      target_id: target.id,
      variant_id: variant.id,
      scanner: report.scanner,
      scanner_version: report.scannerVersion ?? null,
      format: report.format,
      scan_type: report.scanType,
      report_sha256: reportSha256,
      report_bytes: request.report.byteLength,
      artifact: report.artifact ?? null,
      commit_sha: request.commit ?? null,
      branch: request.branch ?? null,
      pipeline_url: request.pipelineUrl ?? null,
      scanned_at: scannedAt,
      reported_at: report.scannedAt ?? null,
      ingested_at: now,
      ...emptyCounts(),
      occurrences: 0,
      new_count: 0,
      common_count: 0,
      remediated_count: 0,
      compared_scan_id: null,
      suppressed: 0,
      errors: '[]',
    });

    // The scan this one replaces as its variant's current state by this scanner no longer counts its search terms.
    // A variant this transaction created has no earlier scan. The scan read here is also the one SLA
    // clocks compare with, and the comparison scan when the variant is compared with itself.
    const replaced = newVariant ? undefined : await latestScanBefore(trx, variant.id, report.scanner, scanId);
    if (replaced) await retireScanTerms(trx, replaced.id);
    const terms = new ScanTermCounts();
    // The scan this one is compared with: its issues that this scan reports again are common, the
    // others new (DESIGN.md), which each chunk's rows are written with.
    const comparison = await comparisonScan(trx, target, variants, variant, report.scanner, scanId, replaced);

    // Issue ids of this scan by fingerprint: an issue met again in a later chunk is not upserted twice.
    const known = new Map<string, number>();
    // What the priority order reads of each, as written: not read back below.
    const written = new Map<number, PriorityInputs>();
    // New issues get their priority parts with their insert, from the occurrences of their chunk;
    // one met again in a later chunk has more, and is computed again at the end.
    const settled = new Set<number>();
    const partsOf = (issues: readonly NewIssueInputs[]) => partsOfNewIssues(trx, issues);
    let occurrences = 0;
    for (const chunk of chunks(storableFindings(report.findings), CHUNK)) {
      const drafts = groupFindings(chunk);
      const fresh: IssueDraft[] = [];
      for (const d of drafts) {
        const id = known.get(d.finding.fingerprint);
        if (id === undefined) fresh.push(d);
        else settled.delete(id);
      }
      // A target this transaction created has no issues yet: none to look for.
      const freshIds = await writeIssues(store, trx, target.id, scanId, scannedAt, fresh, terms, { newTarget, written, partsOf, inserted: settled });
      fresh.forEach((d, i) => known.set(d.finding.fingerprint, freshIds[i] as number));
      const ids = drafts.map((d) => known.get(d.finding.fingerprint) as number);
      await upsertScanIssues(store, trx, scanId, drafts, ids, comparison ? await commonIssues(trx, comparison.id, ids) : undefined);
      occurrences += await insertOccurrences(store, trx, scanId, drafts, ids);
      // On SQLite every statement above ran synchronously: let other requests in between chunks.
      await nextTurn();
    }

    await writeScanTerms(store, trx, { id: scanId, variantId: variant.id }, terms);

    // The summary a parser fills while its findings are read is final now.
    storableHeader(report);
    const { counts, ...tally } = await recordScanTally(trx, scanId, comparison?.total ?? 0, {
      occurrences,
      compared_scan_id: comparison?.id ?? null,
      scan_type: report.scanType,
      suppressed: report.suppressed,
      errors: JSON.stringify(report.errors),
    });
    if (variant.last_scan_at === null || variant.last_scan_at < scannedAt) {
      await trx.updateTable('variants').set({ last_scan_at: scannedAt }).where('id', '=', variant.id).execute();
    }
    await advanceSlaClocks(trx, { id: scanId, variantId: variant.id, scanner: report.scanner, scannedAt }, replaced);
    // The scan's issues take their place in the priority order: new ones, rewritten ones, and any a
    // new occurrence gave a scanner's EPSS.
    // Those that got theirs with their insert, from all their occurrences, are left out.
    await refreshPriorityKeys(trx, [...new Set(known.values())].filter((id) => !settled.has(id)), written);
    for (const hook of afterIngest) await hook(trx, { targetId: target.id, target: { name: target.name, scope: target.scope }, scanId, scannedAt, newTarget, replacedScan: replaced !== undefined });

    return {
      scanId,
      target: target.name,
      scope: formatScope(request.scope),
      variant: variant.name,
      scanner: report.scanner,
      format: report.format,
      counts,
      new: tally.new_count,
      common: tally.common_count,
      remediated: tally.remediated_count,
      comparedScanId: comparison?.id ?? null,
      duplicate: false,
      suppressed: report.suppressed,
      errors: report.errors,
    };
  }, { retry: true });
}

function* storableFindings(findings: Iterable<Finding>): Generator<Finding> {
  for (const finding of findings) yield storableFinding(finding);
}

const HASH_SLICE = 8 * 1024 * 1024;

/** The report's SHA-256, a slice at a time: hashing 500 MB at once would hold the event loop for a second. */
async function sha256(bytes: Uint8Array): Promise<string> {
  const hash = createHash('sha256');
  for (let start = 0; start < bytes.byteLength; start += HASH_SLICE) {
    hash.update(bytes.subarray(start, start + HASH_SLICE));
    await nextTurn();
  }
  return hash.digest('hex');
}

function* chunks<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let chunk: T[] = [];
  for (const item of items) {
    chunk.push(item);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * DESIGN.md (New, common, remediated): the same scanner's latest earlier scan of the baseline when
 * the scanned variant is not the baseline, else of the same variant. The baseline is chosen from
 * the variants as they were before this scan: the scanned one not yet marked as scanned at its
 * time. `rows` are the target's variants, the scanned one included, and `replaced` the scanned
 * variant's own latest earlier scan, both already read.
 */
async function comparisonScan(
  trx: Kysely<Database>,
  target: { id: number; baseline_variant: string | null; baseline_regex: string | null },
  rows: readonly VariantRow[],
  scanned: VariantRow,
  scanner: string,
  scanId: number,
  replaced: ScanRow | undefined,
): Promise<ScanRow | undefined> {
  const baseline = chooseBaseline({ baselineVariant: target.baseline_variant, baselineRegex: target.baseline_regex }, rows.map(variantInfo));
  const compareWith = baseline.variant ?? scanned.name;
  if (compareWith === scanned.name) return replaced;
  const row = rows.find((v) => v.name === compareWith);
  return row ? latestScanBefore(trx, row.id, scanner, scanId) : undefined;
}

function resultOf(scan: ScanRow, targetName: string, request: IngestRequest, duplicate: boolean): IngestResult {
  return {
    scanId: scan.id,
    target: targetName,
    scope: formatScope(request.scope),
    variant: request.variant,
    scanner: scan.scanner,
    format: scan.format,
    counts: countsOf(scan),
    new: scan.new_count,
    common: scan.common_count,
    remediated: scan.remediated_count,
    comparedScanId: scan.compared_scan_id,
    duplicate,
    suppressed: scan.suppressed,
    errors: JSON.parse(scan.errors) as string[],
  };
}

/** A target keeps the type it was created with: a different one is most often the wrong target name. */
function requireSameType(target: { name: string; scope: string; type: string }, request: IngestRequest): void {
  if (target.type === request.targetType) return;
  throw new InputError(
    `Target ${JSON.stringify(target.name)} in ${target.scope} is a ${target.type} target, not a ${request.targetType} one: give the type ${target.type}, or another target name for the ${request.targetType}.`,
  );
}

function validate(request: IngestRequest): void {
  const name = (what: string, value: string) => {
    if (value.trim() === '' || value.length > MAX_NAME) {
      throw new InputError(`Invalid ${what} ${JSON.stringify(value.slice(0, 60))}: expected a non-empty name of at most ${MAX_NAME} characters.`);
    }
  };
  name('target name', request.target);
  name('variant name', request.variant);
  if (!isTargetType(request.targetType)) {
    throw new InputError(`Invalid target type ${JSON.stringify(request.targetType)}: expected one of ${TARGET_TYPES.join(', ')}.`);
  }
  if (request.scannedAt !== undefined && Number.isNaN(Date.parse(request.scannedAt))) {
    throw new InputError(`Invalid scan time ${JSON.stringify(request.scannedAt)}: expected an ISO 8601 date, e.g. 2026-11-22T10:00:00Z.`);
  }
  if (request.pipelineUrl !== undefined) parseWebAddress(request.pipelineUrl, 'pipeline URL');
}
