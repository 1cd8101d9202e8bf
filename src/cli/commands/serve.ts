import { createServer } from 'node:net';
import type { Command } from 'commander';
import type { FastifyBaseLogger } from 'fastify';
import { parseGrantScope, parseRole } from '../../access/roles.js';
import type { AuthOptions } from '../../api/auth.js';
import { DEFAULT_LIMITS, type ServerLimits } from '../../api/limits.js';
import type { LanternMetrics } from '../../api/metrics.js';
import type { LanternApp } from '../../api/server.js';
import { formatProblem } from '../../catalog/entity.js';
import type { ReadingPolicyOptions } from '../../catalog/reading-policy.js';
import { isRemoteAddress } from '../../catalog/source-address.js';
import type { RefreshOutcome } from '../../catalog/catalog.js';
import { InputError } from '../../domain/errors.js';
import { parseInterval } from '../../domain/interval.js';
import { DEFAULT_MAX_REPORT_MB } from '../../ingest/report-file.js';
import type { Lantern } from '../../lantern.js';
import { OFFICIAL_FEEDS } from '../../feeds/official.js';
import { positiveNumber, scopeOption } from '../context.js';
import type { CliIo } from '../io.js';
import { type CatalogPolicyFlags, catalogPolicyOptions, catalogReadOptions } from './catalog.js';
import { type ConfigFlags, configOptions, serveSettings } from './config.js';
import { loadScorecards, scorecardLanternOptions, type ScorecardFlags, scorecardOptions } from './scorecards.js';
import { examples } from '../help.js';

export interface ServeOptions extends ScorecardFlags, CatalogPolicyFlags, ConfigFlags {
  db?: string;
  port: string;
  host: string;
  maxReportMb: string;
  catalog: string[];
  catalogScope?: string;
  refreshInterval: string;
  anonymous?: string;
  anonymousScope?: string;
  requestTimeout: string;
  headersTimeout: string;
  keepAliveTimeout: string;
  maxConnections: string;
  maxConcurrentIngests: string;
  ingestQueueTimeout: string;
  minUploadRate: string;
  maxGzipRatio: string;
  uploadDir?: string;
  feedsRefresh: string;
  feedsKevUrl?: string;
  feedsEpssUrl?: string;
}

export const DEFAULT_REFRESH_INTERVAL = '5m';
/** The shortest --refresh-interval: every location is read again each time, URLs included. */
export const MIN_REFRESH_INTERVAL_MS = 30_000;
/** How often every scorecard is evaluated again: time alone changes some data points. */
export const SCORECARD_INTERVAL_MS = 60 * 60 * 1000;
/** `--refresh-interval`: 0 (never) or at least MIN_REFRESH_INTERVAL_MS, so that Lantern cannot be made to hammer a catalog's hosts. */
export function refreshIntervalOption(text: string): number {
  const ms = parseInterval(text);
  if (ms > 0 && ms < MIN_REFRESH_INTERVAL_MS) {
    throw new InputError(`Invalid --refresh-interval ${JSON.stringify(text)}: catalog locations are read again at most every ${MIN_REFRESH_INTERVAL_MS / 1000} seconds; give 30s or more, or 0 for never.`);
  }
  return ms;
}

export function serveCommand(program: Command, io: CliIo): void {
  catalogPolicyOptions(scorecardOptions(configOptions(program.command('serve'))), { registers: true })
    .description('serve the API (and the web UI) until stopped with Ctrl-C or SIGTERM')
    .addHelpText('after', examples('lantern serve', 'lantern serve --db postgres://lantern@db.internal/lantern --host 0.0.0.0 --port 8080', 'lantern serve --config lantern.yaml --catalog ./services --catalog-scope acme.pay'))
    .option('--db <url>', 'database (default: $LANTERN_DATABASE_URL or lantern.db)')
    .option('--port <n>', 'port to listen on', '7007')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--max-report-mb <n>', 'refuse uploaded reports larger than this', String(DEFAULT_MAX_REPORT_MB))
    .option('--catalog <target>', 'register and read this catalog file, folder, glob, URL or backstage+https://HOST (a running Backstage; token in $LANTERN_BACKSTAGE_TOKEN) at start-up (repeatable)', (value: string, all: string[]) => [...all, value], [])
    .option('--catalog-scope <scope>', 'the scope of the --catalog locations: ORG.PROJECT or account (default: default.default)')
    .option('--refresh-interval <duration>', 'read every registered location again this often: 30s or more (5m, 1h, or seconds); 0 for never', DEFAULT_REFRESH_INTERVAL)
    .option('--anonymous <role>', 'let unauthenticated requests act with this role (viewer for a read-only internal portal); default: every API route needs a token or a sign-in')
    .option('--anonymous-scope <scope>', 'where the --anonymous role holds: account, ORG or ORG.PROJECT', 'account')
    .option('--request-timeout <duration>', 'a whole request (an upload included) must arrive within this', seconds(DEFAULT_LIMITS.requestTimeoutMs))
    .option('--headers-timeout <duration>', "a request's headers must arrive within this", seconds(DEFAULT_LIMITS.headersTimeoutMs))
    .option('--keep-alive-timeout <duration>', 'close an idle keep-alive connection after this', seconds(DEFAULT_LIMITS.keepAliveTimeoutMs))
    .option('--max-connections <n>', 'refuse connections beyond this many', String(DEFAULT_LIMITS.maxConnections))
    .option('--max-concurrent-ingests <n>', 'receive and ingest at most this many uploaded reports at once', String(DEFAULT_LIMITS.maxConcurrentIngests))
    .option('--ingest-queue-timeout <duration>', 'an upload waits this long for an ingest slot, then gets 503', seconds(DEFAULT_LIMITS.ingestQueueTimeoutMs))
    .option('--min-upload-rate <KiB/s>', `cut off an upload arriving slower than this over ${DEFAULT_LIMITS.uploadRateWindowMs / 1000} s`, String(DEFAULT_LIMITS.minUploadBytesPerSecond / 1024))
    .option('--max-gzip-ratio <n>', 'refuse a gzip upload that inflates more than this many times (after its first MiB)', String(DEFAULT_LIMITS.maxInflationRatio))
    .option('--feeds-refresh <duration>', 'import the KEV and EPSS feeds at start and then this often (24h); 0, the default, never reaches out', '0')
    .option('--feeds-kev-url <url>', `where --feeds-refresh reads KEV (default ${OFFICIAL_FEEDS.kev})`)
    .option('--feeds-epss-url <url>', `where --feeds-refresh reads EPSS (default ${OFFICIAL_FEEDS.epss})`)
    .option('--upload-dir <path>', 'where uploads over 4 MiB are written while they arrive (default: the system temporary folder)')
    .action(async (options: ServeOptions) => {
      const port = portOption(options.port);
      await requirePortFree(port, options.host);
      const maxReportBytes = positiveNumber('--max-report-mb', options.maxReportMb) * 1024 * 1024;
      const intervalMs = refreshIntervalOption(options.refreshInterval);
      const catalogScope = scopeOption(options.catalogScope);
      const settings = await serveSettings(options, io);
      const anonymous = options.anonymous === undefined ? settings.anonymous : { role: parseRole(options.anonymous, '--anonymous role'), scope: parseGrantScope(options.anonymousScope ?? 'account', '--anonymous-scope') };
      const limits = limitOptions(options);
      const { openLantern } = await import('../../lantern.js');
      const lantern = await openLantern(options.db, { maxReportBytes, catalog: await catalogReadOptions(options, io.env), ...scorecardLanternOptions(options), allowSelfApproval: settings.allowSelfApproval ?? false, ...(settings.notifications ? { notifications: settings.notifications } : {}), ...(settings.oidc ? { grants: settings.oidc.grants } : {}), ...(settings.sla ? { sla: settings.sla } : {}), ...(settings.gates ? { gates: settings.gates } : {}) }, io.env, { checkpointInThread: true });
      try {
        for (const problem of await loadScorecards(lantern)) io.err(`${formatProblem(problem)}\n`);
        for (const target of options.catalog) {
          // A URL or Backstage that does not answer now is registered anyway and read again on every refresh.
          const summary = await lantern.registerLocation(target, catalogScope, { requireReadable: !isRemoteAddress(target) });
          const held = summary.added.length + summary.updated.length + summary.unchanged + summary.kept.length;
          io.err(`Catalog ${summary.location.target} [${summary.location.scope}]: ${held} entities${summary.location.last_error ? `; ${summary.location.last_error}` : ''}\n`);
        }
      } catch (error) {
        await lantern.close();
        throw error;
      }
      await serveUntilStopped(lantern, io, {
        port,
        host: options.host,
        auth: { anonymous, oidc: settings.oidc },
        refreshIntervalMs: intervalMs,
        feeds: feedsRefreshOption(options, await catalogReadOptions(options, io.env)),
        limits,
        logLevel: io.env.LANTERN_LOG_LEVEL ?? 'info',
        listening: (address) => `Lantern is serving ${lantern.store.description} on ${address}\n`,
      });
    });
}

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

/** The shortest --feeds-refresh: the feeds change once a day. */
export const MIN_FEEDS_REFRESH_MS = 60 * 60 * 1000;

/** `--feeds-refresh` and the feed URLs; undefined when off (the default, for air-gapped installs). */
export function feedsRefreshOption(options: Pick<ServeOptions, 'feedsRefresh' | 'feedsKevUrl' | 'feedsEpssUrl'>, policy: ReadingPolicyOptions = {}): FeedsRefresh | undefined {
  const ms = parseInterval(options.feedsRefresh, '--feeds-refresh');
  if (ms === 0) return undefined;
  if (ms < MIN_FEEDS_REFRESH_MS) throw new InputError(`Invalid --feeds-refresh ${JSON.stringify(options.feedsRefresh)}: the feeds are published daily; give 1h or more (24h is usual), or 0 for never.`);
  return { intervalMs: ms, urls: { kev: options.feedsKevUrl ?? OFFICIAL_FEEDS.kev, epss: options.feedsEpssUrl ?? OFFICIAL_FEEDS.epss }, policy: { allowHosts: policy.allowHosts, allowPrivate: policy.allowPrivate } };
}

/** The server limits named by `lantern serve` flags. */
export function limitOptions(options: ServeOptions): Partial<ServerLimits> {
  const duration = (flag: string, value: string) => {
    const ms = parseInterval(value, flag);
    if (ms <= 0) throw new InputError(`Invalid ${flag} ${JSON.stringify(value)}: expected a duration longer than 0.`);
    return ms;
  };
  const count = (flag: string, value: string) => {
    const n = positiveNumber(flag, value);
    if (!Number.isInteger(n)) throw new InputError(`Invalid ${flag} ${JSON.stringify(value)}: expected a whole number.`);
    return n;
  };
  return {
    requestTimeoutMs: duration('--request-timeout', options.requestTimeout),
    headersTimeoutMs: duration('--headers-timeout', options.headersTimeout),
    keepAliveTimeoutMs: duration('--keep-alive-timeout', options.keepAliveTimeout),
    maxConnections: count('--max-connections', options.maxConnections),
    maxConcurrentIngests: count('--max-concurrent-ingests', options.maxConcurrentIngests),
    ingestQueueTimeoutMs: duration('--ingest-queue-timeout', options.ingestQueueTimeout),
    minUploadBytesPerSecond: positiveNumber('--min-upload-rate', options.minUploadRate) * 1024,
    maxInflationRatio: positiveNumber('--max-gzip-ratio', options.maxGzipRatio),
    ...(options.uploadDir === undefined ? {} : { uploadDirectory: options.uploadDir }),
  };
}

/** `--port`: 0-65535 (0 picks a free port). */
export function portOption(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`Invalid --port ${JSON.stringify(value)}: expected 0-65535.`);
  return port;
}

/**
 * Refuses a port something else listens on before anything is printed or opened (the start-up
 * lines, a first admin token, a demo estate), rather than failing after them. The listen itself
 * says the same if the port is taken in between.
 */
export async function requirePortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen({ port, host, exclusive: true }, resolve);
    });
  } catch (error) {
    throw portError(error, port, host);
  } finally {
    await new Promise((resolve) => probe.close(resolve));
  }
}

function portError(error: unknown, port: number, host: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new InputError(`Port ${port} on ${host} is already in use; choose another with --port.`);
  if (code === 'EACCES') return new InputError(`Port ${port} on ${host} needs privileges Lantern does not have; choose a port above 1023 with --port.`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new InputError(`Invalid --host ${JSON.stringify(host)}: no network interface of this machine has that address.`);
  return error;
}

export interface ServeLoopOptions {
  port: number;
  host: string;
  /** Who may call without credentials. */
  auth: AuthOptions;
  /** Read every registered catalog location again this often; 0 for never. */
  refreshIntervalMs: number;
  /** Import the exploitation feeds from these URLs at start and this often; undefined for never. */
  feeds?: FeedsRefresh | undefined;
  /** Timeouts and caps of the HTTP server (defaults for those not given). */
  limits?: Partial<ServerLimits>;
  logLevel: string;
  /** The line printed once the server listens, given its address. */
  listening(address: string): string;
}

/**
 * Serves the API (and the web UI) for an open Lantern until io.stopSignal resolves, then stops the
 * catalog refresh loop, closes the server (requests in flight finish) and closes Lantern. Every
 * scorecard is evaluated before it listens and every hour after.
 */
export async function serveUntilStopped(lantern: Lantern, io: CliIo, options: ServeLoopOptions): Promise<void> {
  const [{ buildServer }, { startRefreshLoop }, { LanternMetrics }, { withJobLease }, { warmKeptNames, rehearseNearNames }, { rehearseIngest }] = await Promise.all([
    import('../../api/server.js'),
    import('../../catalog/refresh-loop.js'),
    import('../../api/metrics.js'),
    import('../../store/job-lease.js'),
    import('../../store/similar-names.js'),
    import('../../ingest/rehearsal.js'),
  ]);
  let app: LanternApp;
  const metrics = new LanternMetrics(lantern.store);
  try {
    await printFirstAdminToken(lantern, io, options.auth);
    app = await buildServer(lantern, { logger: { level: options.logLevel }, auth: options.auth, limits: options.limits, metrics });
    const evaluation = await withJobLease(lantern.store, SCORECARD_JOB, () => lantern.evaluateScorecards());
    const evaluated = evaluation.ran ? evaluation.value : undefined;
    io.err(`Scorecards: ${evaluated ? evaluated.map((e) => `${e.scorecard} (${e.entities} entit${e.entities === 1 ? 'y' : 'ies'})`).join(', ') || 'none' : 'being evaluated by another replica'}\n`);
  } catch (error) {
    await lantern.close();
    throw error;
  }
  const tick = periodicJob(lantern, app.log, metrics);
  // SQLite: the WAL is checkpointed by a thread of its own (sqlite-checkpointer.ts); if it stops,
  // the writer checkpoints in its commits again, and the log says so.
  lantern.store.checkpointer?.on('failure', (err) => app.log.error({ err }, 'SQLite WAL checkpoint thread failed'));
  const report = (outcomes: RefreshOutcome[] | Error) => {
    if (outcomes instanceof Error) return app.log.error({ err: outcomes }, 'catalog refresh failed');
    for (const o of outcomes) {
      if ('error' in o) app.log.error({ location: o.location.target, err: o.error }, 'catalog location not refreshed');
      else app.log.info({ location: o.summary.location.target, status: o.summary.location.status, added: o.summary.added.length, updated: o.summary.updated.length, removed: o.summary.removed.length, lastError: o.summary.location.last_error }, 'catalog location refreshed');
    }
  };
  const refreshing = { refreshAll: async () => (await tick(CATALOG_REFRESH_JOB, () => lantern.catalog.refreshAll())) ?? [] };
  const loop = options.refreshIntervalMs > 0 ? startRefreshLoop(refreshing, options.refreshIntervalMs, report) : undefined;
  // Issues whose exemption expired count again: their entities' stored summaries follow within a minute.
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    sweeping = tick(EXPIRY_SWEEP_JOB, async () => {
      // Fixes rebuilt by an upgrade get their verdicts kept, with the policy in force now.
      const judged = await lantern.recordFixVerdicts();
      if (judged > 0) app.log.info({ judged }, 'fix verdicts recorded');
      return lantern.sweepExpiredExemptions();
    }).then((expired) => expired && app.log.info({ expired }, 'exemptions expired; summaries updated'));
  };
  sweep();
  const sweeper = setInterval(sweep, 60_000).unref();
  // The scorecard files are read again, so that an edit shows within the hour, like a catalog edit.
  let scoring: Promise<unknown> = Promise.resolve();
  const score = () => {
    scoring = tick(SCORECARD_JOB, async () => {
      for (const problem of await lantern.scorecards.load()) app.log.warn({ problem: formatProblem(problem) }, 'scorecard file problem');
      return lantern.evaluateScorecards();
    }).then((evaluated) => evaluated && app.log.info({ scorecards: evaluated.length, changed: evaluated.reduce((n, e) => n + e.changed, 0) }, 'scorecards evaluated'));
  };
  const scorer = setInterval(score, SCORECARD_INTERVAL_MS).unref();
  // Notifications go out in the background; each replica claims its own deliveries (no lease needed).
  let delivering: Promise<unknown> = Promise.resolve();
  const deliver = () => {
    delivering = delivering.then(() =>
      lantern.deliverNotifications(io.env).then(
        ({ sent, failed }) => (sent > 0 || failed > 0) && app.log.info({ sent, failed }, 'notifications delivered'),
        (err: unknown) => app.log.error({ err }, 'notification delivery failed'),
      ),
    );
  };
  const deliverer = lantern.notifications.rules.length > 0 ? setInterval(deliver, NOTIFICATION_INTERVAL_MS).unref() : undefined;
  // Exemptions about to expire and stale scans are found by one replica a minute (its lease).
  let noticing: Promise<unknown> = Promise.resolve();
  const notice = () => {
    noticing = tick(TIMED_EVENTS_JOB, () => lantern.notifyTimedEvents()).then((found) => found && app.log.info({ found }, 'timed notification events queued'));
  };
  if (lantern.notifications.rules.length > 0) notice();
  const noticer = lantern.notifications.rules.length > 0 ? setInterval(notice, 60_000).unref() : undefined;
  // A download that fails keeps the previous import; the failure is logged and shown by feeds status.
  let feeding: Promise<unknown> = Promise.resolve();
  const feeds = options.feeds;
  const feed = () => {
    if (!feeds) return;
    feeding = tick(FEEDS_REFRESH_JOB, async () => {
      for (const name of ['kev', 'epss'] as const) {
        try {
          const result = await lantern.importFeed(name, feeds.urls[name], feeds.policy);
          app.log.info({ feed: name, rows: result.rows, feedDate: result.date }, 'feed imported');
        } catch (error) {
          app.log.error({ feed: name, url: feeds.urls[name], err: error }, 'feed not refreshed; the previous import stays in use');
        }
      }
    });
  };
  feed();
  const feeder = feeds ? setInterval(feed, feeds.intervalMs).unref() : undefined;
  // The names of the largest scopes are read ahead for similar-name hints once the server listens,
  // so that no request pays that first read; a failure only leaves it to the first request.
  const warming = new AbortController();
  let stopHintKicks: (() => void) | undefined;
  let warmed: Promise<unknown> = Promise.resolve();
  try {
    const address = await app.listen({ port: options.port, host: options.host }).catch((error: unknown) => {
      throw portError(error, options.port, options.host);
    });
    // Hints a process that stopped left queued (catalog/link-hints.ts) are refreshed now, those
    // given up after failing included, and whatever a failure leaves queued within a minute.
    lantern.linkHints.start();
    stopHintKicks = lantern.linkHints.every(60_000);
    warmed = warmKeptNames(lantern.store.db, { signal: warming.signal })
      .then(
        async (done) => {
          app.log.info(done, 'scope names read ahead for similar-name hints');
          // Then the weighing of those names rehearsed in memory, so that its code is compiled
          // before the first request weighs them.
          await rehearseNearNames(warming.signal).then(
            (rehearsed) => rehearsed.lookups > 0 && app.log.info(rehearsed, 'similar-name lookups rehearsed on the names read ahead'),
            (err: unknown) => app.log.error({ err }, 'similar-name lookups not rehearsed; the first lookups of a large scope are slower'),
          );
        },
        (err: unknown) => app.log.error({ err }, 'scope names not read ahead for similar-name hints; the first lookup of each scope reads them'),
      )
      // Then, on PostgreSQL, the pool's connections are warmed by an ingest rolled back on each.
      .then(async () => {
        if (warming.signal.aborted) return;
        await rehearseIngest(lantern, { signal: warming.signal }).then(
          (done) => done.rehearsed && app.log.info({ connections: done.connections, ms: Math.round(done.ms) }, 'ingest path rehearsed on the database connections and rolled back'),
          (err: unknown) => app.log.error({ err }, 'ingest rehearsal failed; the first ingest on each database connection is slower'),
        );
      });
    io.err(options.listening(address));
    await (io.stopSignal ?? new Promise<void>(() => undefined));
    io.err('Stopping: finishing requests in flight…\n');
  } finally {
    // The loop first, so that no refresh starts on a closing store; close() stops accepting
    // connections and waits for requests in flight (ingests included).
    await loop?.stop();
    stopHintKicks?.();
    warming.abort();
    await warmed;
    clearInterval(sweeper);
    clearInterval(scorer);
    clearInterval(deliverer);
    clearInterval(noticer);
    await noticing;
    await delivering;
    clearInterval(feeder);
    await sweeping;
    await feeding;
    await scoring;
    await app.close();
    await lantern.close();
  }
}

export const SCORECARD_JOB = 'scorecard-evaluation';
const NOTIFICATION_INTERVAL_MS = 5_000;
export const EXPIRY_SWEEP_JOB = 'exemption-expiry-sweep';
export const TIMED_EVENTS_JOB = 'notification-timed-events';
export const CATALOG_REFRESH_JOB = 'catalog-refresh';
export const FEEDS_REFRESH_JOB = 'feeds-refresh';

export interface FeedsRefresh {
  intervalMs: number;
  urls: Record<'kev' | 'epss', string>;
  /** The outbound policy of catalog reads (--catalog-allow-host, --catalog-allow-private) applies to feed URLs too. */
  policy: ReadingPolicyOptions;
}

/**
 * One tick of a periodic job: run under the cluster's lease (store/job-lease.ts), so that of several
 * replicas on one PostgreSQL database one runs it and the others skip; counted in the metrics by
 * outcome. Never rejects: a failure (the database down included) is logged, and the next tick tries
 * again. Resolves to the job's result, or undefined when it was skipped or failed.
 */
export function periodicJob(lantern: Lantern, log: Pick<FastifyBaseLogger, 'debug' | 'error'>, metrics: LanternMetrics) {
  return async <T>(job: string, work: () => Promise<T>): Promise<T | undefined> => {
    const [{ withJobLease }, { databaseUnavailable }] = await Promise.all([import('../../store/job-lease.js'), import('../../store/unavailable.js')]);
    try {
      const outcome = await withJobLease(lantern.store, job, work);
      if (!outcome.ran) {
        metrics.jobRan(job, 'skipped-lease');
        log.debug({ job }, 'periodic job skipped: another replica holds its lease');
        return undefined;
      }
      metrics.jobRan(job, 'ran');
      return outcome.value;
    } catch (err) {
      metrics.jobRan(job, 'failed');
      if (databaseUnavailable(err)) metrics.databaseUnavailable();
      log.error({ job, err }, `periodic job ${job} failed`);
      return undefined;
    }
  };
}

/**
 * Secure by default: a server whose database never had a token creates an account admin token on
 * its first start and prints it once, so that someone can create the others.
 */
export async function printFirstAdminToken(lantern: Lantern, io: CliIo, auth: AuthOptions): Promise<void> {
  const [{ countTokens }, { localActor }] = await Promise.all([import('../../store/tokens.js'), import('../../access/actor.js')]);
  if ((await countTokens(lantern.store.db)) > 0) return;
  const { token } = await lantern.createToken({ name: 'first admin', role: 'admin', scope: 'account' }, localActor());
  io.err(
    [
      auth.anonymous
        ? `Anonymous callers act as ${auth.anonymous.role} at ${auth.anonymous.scope}; anything more needs a token. This is the first start on this database, so an admin token was created;`
        : 'Every API route needs authentication. This is the first start on this database, so an admin token was created;',
      'it is shown only this once, keep it in a secret store:',
      '',
      `  ${token}`,
      '',
      'Send it as "Authorization: Bearer <token>" (LANTERN_TOKEN for `lantern ingest --server`). Create tokens for CI and people with',
      '  LANTERN_TOKEN=<token> curl … POST /api/tokens   or   lantern tokens create --db … --name NAME --role ROLE [--scope S]',
      '',
    ].join('\n'),
  );
}
