import type { Kysely } from 'kysely';
import { type Actor, authorize, forbidden, localActor } from './access/actor.js';
import { covers, inFilter, type Principal, roleAllows } from './access/roles.js';
import type { GrantRule } from './access/sign-in-grants.js';
import { createToken, type NewToken, revokeToken, TokenVerifier, tokenById, tokenGrant, tokenView, type TokenView } from './access/tokens.js';
import { Catalog } from './catalog/catalog.js';
import { LinkHintRefresher } from './catalog/link-hints.js';
import { relinkAfterScan, relinkTarget } from './catalog/link-resolution.js';
import type { CatalogReadOptions, LocationChangeHook, RegisterOptions, RefreshSummary } from './catalog/refresh.js';
import type { RefreshOutcome } from './catalog/catalog.js';
import { ConflictError, ForbiddenError, NotFoundError } from './domain/errors.js';
import { formatScope, type Scope } from './domain/scope.js';
import {
  cancel,
  checkComment,
  decide,
  type DecisionChange,
  type ExemptionEffect,
  exemptionEffect,
  type ExemptionRequest,
  exemptionScope,
  prepareDecision,
  prepareExemption,
  type PreparedExemption,
  prepareReopen,
  type RefreshEntities,
  remove,
  type ReopenChange,
  sweepExpired,
} from './insights/exemption-actions.js';
import { type ExemptionAction, type ExemptionListing, type ExemptionQuery, exemptionStatus, exemptionView, type ExemptionView } from './insights/exemptions.js';
import { approverEmails, personEmails } from './notifications/audience.js';
import { expiringMessages, failingCheckMessages, type KevChange, knownExploitedMessages, newIssueMessages, staleScanMessages } from './notifications/events.js';
import { channelsFor, DEFAULT_STALE_SCAN_DAYS, type NotificationConfig, type NotificationEvent, type NotificationMessage } from './notifications/notification.js';
import { type SenderOptions, sendDue } from './notifications/sender.js';
import { recordAudit } from './store/audit.js';
import { enqueueDeliveries } from './store/notification-deliveries.js';
import { findLocation } from './store/catalog-locations.js';
import { type ExemptionListRow, getExemption, getExemptionListing, insertExemption, listExemptions as listExemptionRows } from './store/exemptions.js';
import { getTargetById } from './store/targets.js';
import { entitiesShowingTarget, entitiesShowingTargetLocked, entityIdsOf, type RefreshedEntities, refreshSummaries } from './insights/summaries.js';
import { batches } from './store/batches.js';
import { entitiesChangedByKev, entitiesDueForSla, kevSnapshot } from './insights/exploitation-counts.js';
import { type AfterIngest, type IngestRequest, type IngestResult, ingestReport } from './ingest/ingest.js';
import { DEFAULT_MAX_REPORT_MB } from './ingest/report-file.js';
import { databaseUrlFrom, type OpenOptions, openStore, type Store } from './store/database.js';
import type { Database } from './store/schema.js';
import { type BaselineUpdate, requireScannedVariant, setBaseline } from './store/targets.js';
import { type DefinedScorecard, ScorecardDefinitions, type ScorecardOptions } from './scorecards/definitions.js';
import { evaluateScorecards, type ScorecardEvaluation, type StartedFailing } from './scorecards/evaluate.js';
import type { FeedImport, FeedImportOptions } from './feeds/import.js';
import type { FeedName } from './store/feeds.js';
import { DEFAULT_SLA_POLICIES, type SlaPolicies } from './insights/sla.js';
import { recordFixVerdicts } from './insights/sla-clock.js';
import { type GatePolicies, NO_GATE_POLICIES } from './insights/gate.js';

const now = () => new Date().toISOString();

/** What an exemption covers, in words for a message. */
const exemptionSubject = (view: ExemptionView) => (view.issueId !== null ? `issue ${view.issueId}` : `${view.key ?? ''} in ${view.level === 'account' ? 'the account' : `${view.level} ${view.scope ?? ''}`}`);

const personOf = (actor: Actor) => ({ id: actor.principal.id, name: actor.principal.name });

/** A request naming what the caller may not read answers as missing; else it needs `request-exemption` where it applies. */
function authorizeRequest(actor: Actor, where: { scope: string; seenAt: string }, request: Pick<ExemptionRequest, 'issueId' | 'scope'>): void {
  const notFound = () => new NotFoundError(request.issueId !== undefined ? `No issue with id ${request.issueId}.` : `No scope ${request.scope ?? 'account'} visible to this caller.`);
  authorize(actor.principal, 'read', where.seenAt, notFound);
  authorize(actor.principal, 'request-exemption', where.scope);
}

export interface LanternOptions {
  /** Reports larger than this are refused before they are read. */
  maxReportBytes?: number;
  /** How the catalog reads files and URLs (tests stand in for them). */
  catalog?: CatalogReadOptions;
  /** Which scorecards to evaluate besides those defined through the API. */
  scorecards?: ScorecardOptions;
  /** The time now, ISO 8601: what summaries and scorecards are computed at (tests stand in for it). */
  clock?: () => string;
  /** Whether whoever requested an exemption may approve it too (config allowSelfApproval). Default false. */
  allowSelfApproval?: boolean;
  /** Which events go to which channels (config notifications). Default: none. */
  notifications?: NotificationConfig;
  /**
   * The sign-in grants of the configuration (config grants): a grant naming a person by email with
   * a role that decides exemptions makes them an approver to notify, signed in or not.
   */
  grants?: readonly GrantRule[];
  /** Days to fix per severity, per org/project (config sla). Default 7/30/90/180, none for info. */
  sla?: SlaPolicies;
  /** Named gate policies and the policy per org/project (config gate). Default none: --fail-on or the default rules. */
  gates?: GatePolicies;
}

/** Work that follows a change to a target (its baseline), inside the same transaction. */
export type AfterTargetChange = (trx: Kysely<Database>, targetId: number) => Promise<void>;

/**
 * The composition root: one store and the modules that react to its changes. Ingest, catalog
 * refresh and scorecard evaluation all go through here, so every entry point (CLI, HTTP API, demo)
 * triggers the same follow-up work, in the same transaction.
 */
export class Lantern {
  readonly maxReportBytes: number;
  /** Run inside every ingest transaction, in order, after the scan is written. */
  readonly afterIngest: AfterIngest[] = [];
  /** Run inside the transaction that changed a target's baseline. */
  readonly afterTargetChange: AfterTargetChange[] = [];
  readonly catalog: Catalog;
  readonly scorecards: ScorecardDefinitions;
  /** Finds the principal of an API token (cached briefly). */
  readonly tokens: TokenVerifier;
  readonly allowSelfApproval: boolean;
  readonly notifications: NotificationConfig;
  readonly grants: readonly GrantRule[];
  readonly sla: SlaPolicies;
  readonly gates: GatePolicies;
  /** Refreshes, after an ingest commits, the similar-name hints its new target changes (catalog/link-hints.ts). */
  readonly linkHints: LinkHintRefresher;
  readonly #clock: () => string;
  /**
   * The after-ingest hook that resolves links again (link-resolution.ts), in its place among
   * afterIngest. ingest() runs in its place one that also tells it whether hints were queued.
   */
  readonly relinkAfterIngest: AfterIngest = async (trx, scan) => {
    await relinkAfterScan(trx, scan);
  };

  constructor(
    readonly store: Store,
    options: LanternOptions = {},
  ) {
    this.maxReportBytes = options.maxReportBytes ?? DEFAULT_MAX_REPORT_MB * 1024 * 1024;
    this.#clock = options.clock ?? now;
    this.scorecards = new ScorecardDefinitions(options.scorecards);
    this.allowSelfApproval = options.allowSelfApproval ?? false;
    this.notifications = options.notifications ?? { channels: [], rules: [] };
    this.grants = options.grants ?? [];
    this.sla = options.sla ?? DEFAULT_SLA_POLICIES;
    this.gates = options.gates ?? NO_GATE_POLICIES;
    this.linkHints = new LinkHintRefresher(store);
    this.tokens = new TokenVerifier(() => this.store.db, () => Date.parse(this.#clock()));
    // Entities written by a catalog refresh get their summaries and scorecards in the same transaction.
    this.catalog = new Catalog(store, { ...options.catalog, afterWrite: (trx, ids) => this.refreshEntities(trx, ids, this.#clock()) });
    // The fixes a scan made are judged against their SLA now, and the verdicts kept: a later policy does not rewrite them.
    // A scan that replaced none fixed nothing: there is nothing to judge.
    this.afterIngest.push(async (trx, scan) => {
      if (scan.replacedScan) await recordFixVerdicts(trx, this.sla, this.#clock(), scan.scanId);
    });
    // A scan can give a target link its first data, a new variant to show, or a new name to suggest
    // (that one after the commit); then every entity showing the target gets its summary (and
    // history, at the scan's date) anew.
    this.afterIngest.push(this.relinkAfterIngest, async (trx, scan) => {
      await this.refreshEntities(trx, await entitiesShowingTargetLocked(trx, scan.targetId), scan.scannedAt);
    });
    // New critical or known-exploited issues are announced to the owners of the entities showing them.
    this.afterIngest.push(async (trx, scan) => {
      if (this.#routes('issue.new')) for (const message of await newIssueMessages(trx, scan.scanId, this.#clock())) await this.#notify(trx, message);
    });
    // Links that show a target's baseline change with it, and so do the summaries.
    this.afterTargetChange.push(async (trx, targetId) => {
      await relinkTarget(trx, targetId, { isNew: false });
      await this.refreshEntities(trx, await entitiesShowingTarget(trx, [targetId]), this.#clock());
    });
  }

  /** The time now, as this Lantern's clock tells it. */
  now(): string {
    return this.#clock();
  }

  /**
   * Recomputes the summaries of entities whose security or catalog data changed (their history
   * dated `asOf`), then their scorecard results, in the caller's transaction.
   */
  readonly refreshEntities: RefreshEntities = async (trx, entities, asOf, at = this.#clock()) => {
    const entityIds = entityIdsOf(entities);
    // Nothing to recompute, and no scorecard files to read (an ingest into a target no entity shows).
    if (entityIds.length === 0) return;
    const refreshed = await refreshSummaries(this.store, trx, entities, asOf, at, this.sla);
    // The scorecards read the entities and summaries the refresh holds, not read back.
    await this.#evaluate(trx, await this.scorecards.list(trx), at, entityIds, refreshed);
  };

  /**
   * Recomputes the summaries whose stored SLA counts time changed (insights/exploitation-counts.ts):
   * an SLA breach happens without any write, so each summary stores the first day one of its
   * issues' SLA states changes, and from that day it is counted again, here. Stored counts rather
   * than counted per read, because the overview sorts and pages by them through an index
   * (0014-exploitation-sort-keys.ts) and must not read every entity's issues per request (#17).
   * `lantern serve` runs it every minute with the exemption sweep, and the overview runs it before
   * it reads a page, so that a page read just after midnight is already right. `limit` bounds what
   * a request recomputes (the oldest due first): after an upgrade every summary is due once, and
   * the sweep, not a page read, counts them all. Returns how many entities were recomputed (none
   * on most calls: one index seek).
   */
  async refreshSlaDue(at: string = this.#clock(), limit?: number): Promise<number> {
    const due = await entitiesDueForSla(this.store.db, at, limit);
    for (const ids of batches(due, 200)) await this.store.transaction((trx) => this.refreshEntities(trx, ids, at, at));
    return due.length;
  }

  /** Evaluates scorecards and announces the checks that started failing, in the caller's transaction. */
  async #evaluate(trx: Kysely<Database>, scorecards: Parameters<typeof evaluateScorecards>[2], at: string, entityIds?: readonly number[], known?: RefreshedEntities): Promise<ScorecardEvaluation[]> {
    const failing: StartedFailing[] = [];
    const onStartedFailing = this.#routes('scorecard.check-failing') ? (change: StartedFailing) => failing.push(change) : undefined;
    const evaluations = await evaluateScorecards(this.store, trx, scorecards, { entityIds, now: at, sla: this.sla, onStartedFailing, known });
    for (const message of await failingCheckMessages(trx, failing, at)) await this.#notify(trx, message);
    return evaluations;
  }

  /**
   * Evaluates every scorecard over every entity at `at` and stores what changed, with the day's
   * history: time alone changes some data points (days since the last scan). `lantern serve` runs
   * it at start and every hour; `lantern scorecards evaluate` runs it once.
   */
  async evaluateScorecards(at: string = this.#clock()): Promise<ScorecardEvaluation[]> {
    return this.store.transaction(async (trx) => this.#evaluate(trx, await this.scorecards.list(trx), at));
  }

  /**
   * Imports an exploitation feed (feeds/import.ts), then evaluates the scorecards again: issues are
   * matched to the feeds when read, so their enrichment changes with the import, and the data
   * points that count known-exploited issues or EPSS change with it. A KEV import queues
   * `issue.known-exploited` for the open issues it made known-exploited, in its transaction.
   */
  async importFeed(name: FeedName, address: string, options: Omit<FeedImportOptions, 'now'> = {}): Promise<FeedImport> {
    // Loaded when used: the outbound reader it needs has no place in an ingest's start-up.
    const { importFeed } = await import('./feeds/import.js');
    const before = name === 'kev' ? await kevSnapshot(this.store.db) : undefined;
    const afterKevImport = this.#routes('issue.known-exploited')
      ? async (trx: Kysely<Database>, change: KevChange) => {
          for (const message of await knownExploitedMessages(trx, change, this.#clock())) await this.#notify(trx, message);
        }
      : undefined;
    const result = await importFeed(this.store, name, address, { ...options, now: this.#clock, ...(afterKevImport ? { afterKevImport } : {}) });
    // The KEV feed changes the stored known-exploited counts, and its due dates the SLA counts when
    // the policy caps by them: the summaries of the entities it changed are counted again, a batch
    // per transaction (EPSS changes neither).
    if (before) {
      const at = this.#clock();
      const changed = await entitiesChangedByKev(this.store.db, before, await kevSnapshot(this.store.db));
      for (const batch of batches(changed, 200)) await this.store.transaction((trx) => refreshSummaries(this.store, trx, batch, at, at, this.sla));
    }
    await this.evaluateScorecards();
    return result;
  }

  /**
   * Defines (or replaces) a scorecard through the API and evaluates it over every entity, in one
   * transaction: a bad definition stores nothing.
   */
  defineScorecard(body: unknown, actor: Actor = localActor()): Promise<{ scorecard: DefinedScorecard; created: boolean; evaluation: ScorecardEvaluation }> {
    authorize(actor.principal, 'manage-scorecards', 'account');
    return this.store.transaction(async (trx) => {
      const at = this.#clock();
      const saved = await this.scorecards.save(trx, body, at);
      const [evaluation] = await this.#evaluate(trx, [saved.scorecard], at);
      await this.#audit(trx, actor, saved.created ? 'scorecard.create' : 'scorecard.update', 'scorecard', saved.scorecard.id, 'account');
      return { ...saved, evaluation: evaluation as ScorecardEvaluation };
    });
  }

  /** Deletes a scorecard defined through the API, with its results and history. */
  deleteScorecard(id: string, actor: Actor = localActor()): Promise<void> {
    authorize(actor.principal, 'manage-scorecards', 'account');
    return this.store.transaction(async (trx) => {
      await this.scorecards.remove(trx, id);
      await this.#audit(trx, actor, 'scorecard.delete', 'scorecard', id, 'account');
    });
  }

  /** Ingests a report: `ingester` (or `admin`) at the target's scope; recorded with the scan it wrote. */
  async ingest(request: IngestRequest, actor: Actor = localActor()): Promise<IngestResult> {
    const scope = formatScope(request.scope);
    authorize(actor.principal, 'ingest', scope);
    const audit: AfterIngest = async (trx, scan) => {
      await this.#audit(trx, actor, 'scan.ingest', 'scan', scan.scanId, scope, {
        target: request.target,
        targetId: scan.targetId,
        variant: request.variant,
        ...(request.baseline ? { baseline: true } : {}),
      });
    };
    // Whether the transaction queued hints to refresh once it commits; its last attempt decides.
    let hintsQueued = false;
    const relink: AfterIngest = async (trx, scan) => {
      hintsQueued = (await relinkAfterScan(trx, scan)).hintsQueued;
    };
    const hooks = this.afterIngest.map((hook) => (hook === this.relinkAfterIngest ? relink : hook));
    const result = await ingestReport(this.store, request, [...hooks, audit]);
    if (hintsQueued) this.linkHints.kick();
    return result;
  }

  /**
   * Sets a target's baseline; what entities show of the target follows at once. A variant the
   * target was never scanned as is refused unless `allowUnscanned`.
   */
  async setBaseline(targetId: number, baseline: BaselineUpdate & { allowUnscanned?: boolean }, actor: Actor = localActor()): Promise<void> {
    const target = await this.#readTarget(targetId, actor);
    authorize(actor.principal, 'set-baseline', target.scope);
    if ('variant' in baseline && !baseline.allowUnscanned) await requireScannedVariant(this.store.db, target, baseline.variant);
    return this.store.transaction(async (trx) => {
      await setBaseline(trx, targetId, baseline);
      for (const hook of this.afterTargetChange) await hook(trx, targetId);
      await this.#audit(trx, actor, 'target.baseline', 'target', targetId, target.scope, { target: target.name, ...baseline });
    });
  }

  /** A target the actor may read, else "not found" whether it exists or not. */
  async #readTarget(targetId: number, actor: Actor) {
    const target = await getTargetById(this.store.db, targetId);
    authorize(actor.principal, 'read', target.scope, () => new NotFoundError(`No target with id ${targetId}.`));
    return target;
  }

  /** Records a pending exemption; the requester is the caller, who needs `developer` at its scope. */
  requestExemption(request: ExemptionRequest, actor: Actor = localActor()): Promise<ExemptionView> {
    return this.store.transaction(async (trx) => {
      const now = this.#clock();
      const prepared = await prepareExemption(trx, request, now, personOf(actor));
      authorizeRequest(actor, prepared, request);
      return this.#insertRequest(trx, prepared, actor, now);
    });
  }

  async #insertRequest(trx: Kysely<Database>, prepared: PreparedExemption, actor: Actor, now: string): Promise<ExemptionView> {
    const view = exemptionView(await insertExemption(trx, prepared.row), now);
    await this.#audit(trx, actor, view.reopenedFrom === null ? 'exemption.request' : 'exemption.reopen', 'exemption', view.id, prepared.scope, {
      level: view.level,
      ...(view.issueId !== null ? { issueId: view.issueId } : {}),
      ...(view.sourceIssueId !== null ? { sourceIssueId: view.sourceIssueId } : {}),
      ...(view.key !== null ? { key: view.key } : {}),
      ...(view.reopenedFrom !== null ? { reopenedFrom: view.reopenedFrom } : {}),
      reason: view.reason,
      comment: view.comment,
      ...(view.link !== null ? { link: view.link } : {}),
      expiresAt: view.expiresAt,
    });
    await this.#notify(trx, {
      event: 'exemption.requested',
      key: `exemption.requested:${view.id}`,
      scope: prepared.scope,
      at: now,
      title: `Exemption ${view.id} requested by ${view.requestedBy ?? 'someone'} at ${prepared.scope}`,
      recipients: { emails: this.#routes('exemption.requested') ? await approverEmails(trx, prepared.scope, this.grants) : [], channels: [] },
      text: `${view.requestedBy ?? 'someone'} requests an exemption (${view.reason}) of ${exemptionSubject(view)} at ${prepared.scope}, to be decided by security at ${prepared.scope}: ${view.comment}`,
      data: { exemption: view, audience: `approvers of ${prepared.scope}` },
    });
    return view;
  }

  /** Whether any rule routes this event: else nothing about it is worked out. */
  #routes(event: NotificationEvent): boolean {
    return this.notifications.rules.some((r) => r.events.includes(event));
  }

  /** Queues a message for every channel the rules route it to, in the transaction of what happened. */
  async #notify(trx: Kysely<Database>, message: NotificationMessage): Promise<void> {
    const channels = channelsFor(this.notifications, message);
    await enqueueDeliveries(trx, channels.map((channel) => ({ event: message.event, eventKey: message.key, channel, scope: message.scope, payload: JSON.stringify(message) })), message.at);
  }

  /** Sends the notifications that are due (lantern serve calls it every few seconds). */
  deliverNotifications(env: NodeJS.ProcessEnv = process.env, options?: SenderOptions): Promise<{ sent: number; failed: number }> {
    return sendDue(this.store, this.notifications.channels, env, this.#clock, options);
  }

  /** What a request would hide now, among the targets the caller may read; nothing is stored. */
  async previewExemption(request: Pick<ExemptionRequest, 'issueId' | 'level' | 'scope' | 'key'>, actor: Actor = localActor()): Promise<ExemptionEffect> {
    const { effect, seenAt } = await exemptionEffect(this.store.db, request, actor.principal.access.filter('read'));
    authorizeRequest(actor, { scope: effect.scope, seenAt }, request);
    return effect;
  }

  /**
   * Approves or rejects a pending exemption: the decider is the caller, who needs `security` at
   * its scope (and at the scope it widens or narrows it to) and, unless allowSelfApproval is set,
   * must not be the requester.
   */
  decideExemption(id: number, status: 'approved' | 'rejected', actor: Actor = localActor(), change: DecisionChange = {}): Promise<ExemptionView> {
    return this.store.transaction(async (trx) => {
      const now = this.#clock();
      const exemption = await getExemption(trx, id);
      const scope = await exemptionScope(trx, exemption);
      authorize(actor.principal, 'decide-exemption', scope, () => new NotFoundError(`No exemption with id ${id}.`));
      if (!this.allowSelfApproval && exemption.requested_by_id !== null && exemption.requested_by_id === actor.principal.id && (actor.principal.kind === 'user' || actor.principal.kind === 'token')) {
        throw new ForbiddenError(
          `${actor.principal.name} requested exemption ${id} and may not ${status === 'approved' ? 'approve' : 'reject'} it too; another principal with the security role at ${scope} must decide (or set allowSelfApproval: true in the config file).`,
        );
      }
      const decision = await prepareDecision(trx, exemption, status, change, now);
      if (decision.revised) authorize(actor.principal, 'decide-exemption', decision.revised.scope);
      const view = await decide(trx, id, status, personOf(actor), now, this.refreshEntities, decision);
      await this.#audit(trx, actor, status === 'approved' ? 'exemption.approve' : 'exemption.reject', 'exemption', id, scope, {
        requestedBy: exemption.requested_by_id,
        ...(decision.comment ? { comment: decision.comment } : {}),
        ...(decision.revised
          ? {
              changed: {
                from: { level: exemption.level, scope, expiresAt: exemption.expires_at },
                to: { level: view.level, scope: decision.revised.scope, expiresAt: view.expiresAt },
              },
            }
          : {}),
      });
      await this.#notify(trx, {
        event: 'exemption.decided',
        key: `exemption.decided:${id}`,
        scope: decision.revised?.scope ?? scope,
        at: now,
        title: `Exemption ${id} ${view.status} by ${view.decidedBy ?? 'someone'}`,
        recipients: { emails: this.#routes('exemption.decided') ? await personEmails(trx, [exemption.requested_by_id]) : [], channels: [] },
        text: `${view.decidedBy ?? 'someone'} ${view.status} the exemption (${view.reason}) of ${exemptionSubject(view)} that ${view.requestedBy ?? 'someone'} requested${view.decisionComment ? `: ${view.decisionComment}` : '.'}`,
        data: { exemption: view, audience: `requester ${view.requestedBy ?? ''}`.trim() },
      });
      return view;
    });
  }

  /** The requester withdraws a pending request of theirs. */
  cancelExemption(id: number, actor: Actor = localActor(), comment?: string): Promise<ExemptionView> {
    return this.store.transaction(async (trx) => {
      const exemption = await getExemption(trx, id);
      const scope = await exemptionScope(trx, exemption);
      authorize(actor.principal, 'request-exemption', scope, () => new NotFoundError(`No exemption with id ${id}.`));
      const view = await cancel(trx, exemption, personOf(actor), comment, this.#clock());
      await this.#audit(trx, actor, 'exemption.cancel', 'exemption', id, scope, view.decisionComment === null ? {} : { comment: view.decisionComment });
      return view;
    });
  }

  /** Asks again, as a new pending request by the caller, what a rejected, expired or cancelled exemption covered. */
  reopenExemption(id: number, change: ReopenChange, actor: Actor = localActor()): Promise<ExemptionView> {
    return this.store.transaction(async (trx) => {
      const now = this.#clock();
      const exemption = await getExemption(trx, id);
      authorize(actor.principal, 'request-exemption', await exemptionScope(trx, exemption), () => new NotFoundError(`No exemption with id ${id}.`));
      const prepared = await prepareReopen(trx, exemption, change, personOf(actor), now);
      authorize(actor.principal, 'request-exemption', prepared.scope);
      return this.#insertRequest(trx, prepared, actor, now);
    });
  }

  /**
   * Exemptions the actor may read, newest first, filtered; `decidable` keeps those it may approve
   * or reject (the approval queue). Each says where it applies and what the actor may do with it.
   */
  async listExemptions(query: ExemptionQuery, actor: Actor = localActor()): Promise<ExemptionListing[]> {
    const at = this.#clock();
    const { principal } = actor;
    const readable = principal.access.filter('read');
    const decidable = principal.access.filter('decide-exemption');
    // `expired` is read from the expiry, not stored: ask the store for approved ones and keep the expired.
    const stored = query.status === 'expired' || query.expiringWithinDays !== undefined ? 'approved' : query.status;
    const rows = await listExemptionRows(this.store.db, { status: stored, targetId: query.targetId, reason: query.reason, level: query.level, requester: query.requester });
    const horizon = query.expiringWithinDays === undefined ? undefined : new Date(Date.parse(at) + query.expiringWithinDays * 24 * 60 * 60 * 1000).toISOString();
    return rows
      .map((row) => ({ row, appliesAt: row.target_scope ?? row.scope ?? 'account' }))
      .filter(({ appliesAt }) => inFilter(readable, appliesAt) && (query.scope === undefined || covers(query.scope, appliesAt)))
      .filter(({ appliesAt }) => !query.decidable || inFilter(decidable, appliesAt))
      .map(({ row }) => this.#listing(row, at, principal))
      .filter((e) => query.status === undefined || e.status === query.status)
      .filter((e) => horizon === undefined || (e.status === 'approved' && e.expiresAt !== null && e.expiresAt <= horizon));
  }

  /** One exemption the actor may read, with what it may do with it. */
  async exemption(id: number, actor: Actor = localActor()): Promise<ExemptionListing> {
    const row = await getExemptionListing(this.store.db, id);
    if (!row || !actor.principal.access.can('read', row.target_scope ?? row.scope ?? 'account')) throw new NotFoundError(`No exemption with id ${id}.`);
    return this.#listing(row, this.#clock(), actor.principal);
  }

  #listing(row: ExemptionListRow, at: string, principal: Principal): ExemptionListing {
    const view = exemptionView(row, at);
    const appliesAt = row.target_scope ?? row.scope ?? 'account';
    return { ...view, appliesAt, targetName: row.target_name, issueTitle: row.issue_title, actions: this.exemptionActionsFor(view, appliesAt, principal) };
  }

  /** What a principal may do now with an exemption that applies at `scope` (for lists and buttons). */
  exemptionActionsFor(view: ExemptionView, scope: string, principal: Principal): ExemptionAction[] {
    const actions: ExemptionAction[] = [];
    const decides = principal.access.can('decide-exemption', scope);
    const own = view.requestedById !== null && view.requestedById === principal.id;
    if (view.status === 'pending') {
      if (decides && (this.allowSelfApproval || !own || (principal.kind !== 'user' && principal.kind !== 'token'))) actions.push('approve', 'reject');
      if (own && principal.access.can('request-exemption', scope)) actions.push('cancel');
    }
    if ((view.status === 'rejected' || view.status === 'expired' || view.status === 'cancelled') && principal.access.can('request-exemption', scope)) actions.push('reopen');
    if (decides) actions.push('revoke');
    return actions;
  }

  /**
   * Revokes (deletes) an exemption: `security` at its scope. The issues an approved one covered
   * count again at once; the audit entry keeps what it was and `comment`, the revoker's reason.
   */
  revokeExemption(id: number, actor: Actor = localActor(), comment?: string): Promise<void> {
    return this.store.transaction(async (trx) => {
      const exemption = await getExemption(trx, id);
      const scope = await exemptionScope(trx, exemption);
      authorize(actor.principal, 'decide-exemption', scope, () => new NotFoundError(`No exemption with id ${id}.`));
      const reason = comment === undefined ? undefined : checkComment(comment, "A revocation's comment");
      await remove(trx, id, this.#clock(), this.refreshEntities);
      await this.#audit(trx, actor, 'exemption.revoke', 'exemption', id, scope, { status: exemptionStatus(exemption, this.#clock()), ...(reason === undefined ? {} : { comment: reason }) });
    });
  }

  /** Registers a catalog location (`admin` at its scope) and reads it now. */
  registerLocation(target: string, scope: Scope, options: Omit<RegisterOptions, 'onChange' | 'afterWrite'> = {}, actor: Actor = localActor()): Promise<RefreshSummary> {
    authorize(actor.principal, 'manage-catalog', formatScope(scope));
    return this.catalog.register(target, scope, { ...options, onChange: this.#locationAudit(actor) });
  }

  /** Reads one location again: `admin` at its scope. */
  async refreshLocation(locationId: number, actor: Actor = localActor(), options: { rateLimited?: boolean } = {}): Promise<RefreshSummary> {
    const location = await this.#location(locationId, actor);
    if (options.rateLimited) return this.catalog.requestRefresh(location, this.#locationAudit(actor));
    return this.catalog.refresh(locationId, this.#locationAudit(actor));
  }

  /** Reads every location again: `admin` at account scope. */
  refreshAllLocations(actor: Actor = localActor()): Promise<RefreshOutcome[]> {
    authorize(actor.principal, 'manage-catalog', 'account');
    return this.catalog.refreshAll(this.#locationAudit(actor));
  }

  /** Unregisters a location and removes its entities: `admin` at its scope. */
  async unregisterLocation(locationId: number, actor: Actor = localActor()) {
    await this.#location(locationId, actor);
    return this.catalog.unregister(locationId, this.#locationAudit(actor));
  }

  async #location(locationId: number, actor: Actor) {
    const location = await findLocation(this.store.db, locationId);
    const notFound = () => new NotFoundError(`No location with id ${locationId}.`);
    if (!location) throw notFound();
    authorize(actor.principal, 'manage-catalog', location.scope, notFound);
    return location;
  }

  #locationAudit(actor: Actor): LocationChangeHook {
    return (trx, location, change) => this.#audit(trx, actor, `catalog.${change}`, 'location', location.id, location.scope, { target: location.target });
  }

  /**
   * Creates an API token, shown in clear only in the answer. The creator needs `admin` at the
   * token's scope: nobody hands out more than they hold.
   */
  createToken(request: NewToken, actor: Actor = localActor()): Promise<{ token: string; view: TokenView }> {
    const grant = tokenGrant(request);
    authorize(actor.principal, 'manage-access', grant.scope);
    if (!actor.principal.access.grants.some((g) => covers(g.scope, grant.scope) && roleAllows(g.role, 'manage-access'))) {
      throw forbidden(actor.principal, 'manage-access', grant.scope);
    }
    return this.store.transaction(async (trx) => {
      const { token, row } = await createToken(trx, request, actor.principal.id, this.#clock());
      await this.#audit(trx, actor, 'token.create', 'token', row.id, row.scope, { name: row.name, role: row.role, expiresAt: row.expires_at });
      return { token, view: tokenView(row) };
    });
  }

  /** Revokes a token at once (in this process; other replicas within seconds). */
  revokeToken(id: number, actor: Actor = localActor()): Promise<TokenView> {
    return this.store.transaction(async (trx) => {
      const row = await tokenById(trx, id);
      authorize(actor.principal, 'manage-access', row.scope, () => new NotFoundError(`No API token with id ${id}.`));
      if (row.revoked_at !== null) throw new ConflictError(`API token ${id} (${row.name}) was already revoked at ${row.revoked_at}.`);
      const at = this.#clock();
      await revokeToken(trx, id, at);
      await this.#audit(trx, actor, 'token.revoke', 'token', id, row.scope, { name: row.name });
      this.tokens.forget(id);
      return tokenView({ ...row, revoked_at: at });
    });
  }

  /** Records a sign-in (the session is written by the caller in the same transaction). */
  recordSignIn(trx: Kysely<Database>, actor: Actor, details: Record<string, unknown>): Promise<void> {
    return this.#audit(trx, actor, 'session.sign-in', 'session', null, 'account', details);
  }

  #audit(trx: Kysely<Database>, actor: Actor, action: string, objectType: string, objectId: string | number | null, scope: string, details?: Record<string, unknown>): Promise<void> {
    return recordAudit(trx, {
      at: this.#clock(),
      principal: actor.principal.id,
      principalName: actor.principal.name,
      action,
      objectType,
      objectId,
      scope,
      clientAddress: actor.clientAddress,
      details,
    });
  }

  /**
   * Recomputes the summaries an exemption stopped covering when it expired since the last sweep
   * (the first sweep looks back 30 days). `lantern serve` runs it every minute.
   */
  async sweepExpiredExemptions(at: string = this.#clock()): Promise<number> {
    const since = this.#lastSweep ?? new Date(Date.parse(at) - 30 * 24 * 60 * 60 * 1000).toISOString();
    const swept = await sweepExpired(this.store, since, at, this.refreshEntities);
    this.#lastSweep = at;
    // Time also moves SLA states (due soon, breached): the summaries it changed are counted again.
    await this.refreshSlaDue(at);
    return swept;
  }

  #lastSweep: string | undefined;

  /**
   * Judges the fixes no verdict was kept for (those migration 0015 rebuilt from the scan history),
   * with the SLA policy and KEV feed in force now. `lantern serve` runs it with the expiry sweep.
   */
  recordFixVerdicts(): Promise<number> {
    return recordFixVerdicts(this.store.db, this.sla, this.#clock());
  }

  /**
   * Queues the events that time brings: approved exemptions ending within 7 days (once each) and
   * entities whose scans went stale since the last call (the first looks back 30 days). `lantern
   * serve` runs it every minute. Returns how many events it found (each queued once per channel its rules name).
   */
  async notifyTimedEvents(at: string = this.#clock()): Promise<number> {
    const since = this.#lastTimedEvents ?? new Date(Date.parse(at) - 30 * 24 * 60 * 60 * 1000).toISOString();
    const messages = [
      ...(this.#routes('exemption.expiring') ? await expiringMessages(this.store.db, at, (e) => exemptionScope(this.store.db, e), this.grants) : []),
      ...(this.#routes('scan.stale') ? await staleScanMessages(this.store.db, this.notifications.staleScanDays ?? DEFAULT_STALE_SCAN_DAYS, since, at) : []),
    ];
    if (messages.length > 0) {
      await this.store.transaction(async (trx) => {
        for (const message of messages) await this.#notify(trx, message);
      });
    }
    this.#lastTimedEvents = at;
    return messages.length;
  }

  #lastTimedEvents: string | undefined;

  /** Waits for the background work that follows ingests (the hints' refresh), then closes the store. */
  async close(): Promise<void> {
    await this.linkHints.settled();
    await this.store.close();
  }
}

/** Opens the database (migrating it) and wires every module's hooks. */
export async function openLantern(databaseUrl: string | undefined, options: LanternOptions = {}, env: NodeJS.ProcessEnv = process.env, storeOptions: OpenOptions = {}): Promise<Lantern> {
  const store = await openStore(databaseUrlFrom(databaseUrl, env), storeOptions);
  return new Lantern(store, options);
}
