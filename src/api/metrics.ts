import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../store/database.js';
import { MAX_HINT_REFRESH_FAILURES } from '../store/link-hint-refreshes.js';
import { databaseUnavailable } from '../store/unavailable.js';
import type { LanternApp } from './server.js';
import type { SlotOutcome } from './uploads.js';

export type JobOutcome = 'ran' | 'skipped-lease' | 'failed';

/**
 * The Prometheus metrics of one Lantern server, in a registry of its own (never prom-client's
 * global one: a process may run several servers, as the tests do). Scraped at GET /api/metrics.
 */
export class LanternMetrics {
  readonly registry = new Registry();
  readonly #httpDuration = new Histogram({
    name: 'lantern_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status, and how long they took to answer.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly #ingestDuration = new Histogram({
    name: 'lantern_ingest_duration_seconds',
    help: 'Reports ingested through the API by scanner: reading, normalising and storing one report.',
    labelNames: ['scanner'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  readonly #ingestedFindings = new Counter({
    name: 'lantern_ingested_findings_total',
    help: 'Findings stored from reports ingested through the API, by scanner (a report already ingested adds none).',
    labelNames: ['scanner'] as const,
    registers: [this.registry],
  });
  readonly #jobRuns = new Counter({
    name: 'lantern_periodic_job_runs_total',
    help: 'Ticks of the periodic jobs by job and outcome: ran, skipped-lease (another replica held the job) or failed.',
    labelNames: ['job', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly #dbUnavailable = new Counter({
    name: 'lantern_db_unavailable_total',
    help: 'Requests answered 503 and periodic jobs failed because the database did not answer (or a SQLite file was locked by another process).',
    registers: [this.registry],
  });
  readonly #ingestQueueWait = new Histogram({
    name: 'lantern_ingest_queue_wait_seconds',
    help: 'How long report uploads waited for an ingest slot (--max-concurrent-ingests), by outcome: granted, or timed-out (answered 503).',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly #transactionWait = new Histogram({
    name: 'lantern_db_transaction_wait_seconds',
    help: 'How long transactions waited to begin: on SQLite for the writing connection and the write lock, on PostgreSQL for a pool connection and BEGIN.',
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly #transactionRetries = new Counter({
    name: 'lantern_db_transaction_retries_total',
    help: 'Transactions run again after losing a race to a concurrent one (PostgreSQL), by race: serialization, deadlock or unique-violation.',
    labelNames: ['race'] as const,
    registers: [this.registry],
  });
  readonly #idleTransactionsEnded = new Counter({
    name: 'lantern_db_idle_transactions_ended_total',
    help: 'Transactions PostgreSQL ended because they sat idle longer than LANTERN_PG_IDLE_TRANSACTION_TIMEOUT: something held them stuck; their work was rolled back.',
    registers: [this.registry],
  });
  readonly #linkHintRefreshes = new Counter({
    name: 'lantern_link_hint_refreshes_total',
    help: "Refreshes of waiting links' similar-name hints after a first scan's commit, by outcome: refreshed (one queued target), or failed (left queued for the next).",
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly #linkHintRefreshesGivenUp = new Counter({
    name: 'lantern_link_hint_refreshes_given_up_total',
    help: `Queued targets whose similar-name hint refresh failed ${MAX_HINT_REFRESH_FAILURES} times, the last in this server: no longer tried until a server starts (their waiting links keep an older hint).`,
    registers: [this.registry],
  });
  #processMetrics = false;
  #ingestQueue: (() => number) | undefined;

  constructor(private readonly store: Store) {
    // Known at zero before the first retry, so that a rate over them reads 0, not no data.
    for (const race of ['serialization', 'deadlock', 'unique-violation'] as const) this.#transactionRetries.inc({ race }, 0);
    for (const outcome of ['refreshed', 'failed'] as const) this.#linkHintRefreshes.inc({ outcome }, 0);
    if (store.dialect === 'postgres') {
      new Gauge({
        name: 'lantern_db_pool_connections',
        help: "Connections of this server's PostgreSQL pool: total, idle, and waiting (queries waiting for a connection).",
        labelNames: ['state'] as const,
        registers: [this.registry],
        collect() {
          const pool = store.connections();
          if (!pool) return;
          this.set({ state: 'total' }, pool.total);
          this.set({ state: 'idle' }, pool.idle);
          this.set({ state: 'waiting' }, pool.waiting);
        },
      });
    }
    const checkpointer = store.checkpointer;
    if (checkpointer) {
      const checkpoints = new Histogram({
        name: 'lantern_sqlite_wal_checkpoint_duration_seconds',
        help: "SQLite WAL checkpoints run by the server's checkpoint thread that copied pages, and how long each took (writing and syncing).",
        buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        registers: [this.registry],
      });
      checkpointer.on('checkpoint', (done) => checkpoints.observe(done.ms / 1000));
      new Gauge({
        name: 'lantern_sqlite_wal_checkpoint_thread_up',
        help: '1 while the checkpoint thread checkpoints the SQLite WAL; 0 once it failed and commits checkpoint it themselves.',
        registers: [this.registry],
        collect() {
          this.set(checkpointer.running ? 1 : 0);
        },
      });
    }
    const metrics = this;
    new Gauge({
      name: 'lantern_ingest_queue_waiting',
      help: 'Report uploads waiting for an ingest slot (--max-concurrent-ingests).',
      registers: [this.registry],
      collect() {
        this.set(metrics.#ingestQueue?.() ?? 0);
      },
    });
  }

  /** Where the ingest queue's length is read at each scrape. */
  watchIngestQueue(waiting: () => number): void {
    this.#ingestQueue = waiting;
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.#httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  /** Times one ingest and counts its findings under the scanner it reports. */
  async observeIngest<T extends { scanner: string; duplicate: boolean; counts: { total: number } }>(ingest: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const result = await ingest();
    this.#ingestDuration.observe({ scanner: result.scanner }, (performance.now() - started) / 1000);
    this.#ingestedFindings.inc({ scanner: result.scanner }, result.duplicate ? 0 : result.counts.total);
    return result;
  }

  /** Records the store's transaction waits, retries and transactions ended for idling until the returned unsubscriber is called. */
  watchTransactions(): () => void {
    const unwatchWaits = this.store.watchTransactions({
      began: (ms) => this.#transactionWait.observe(ms / 1000),
      retried: (race) => this.#transactionRetries.inc({ race }),
    });
    const unwatchEnded = this.store.watchConnectionErrors((_error, lost) => {
      if (lost === 'idle-transaction') this.#idleTransactionsEnded.inc();
    });
    return () => {
      unwatchWaits();
      unwatchEnded();
    };
  }

  /** One upload's wait for an ingest slot (api/uploads.ts). */
  ingestWaited(seconds: number, outcome: SlotOutcome): void {
    this.#ingestQueueWait.observe({ outcome }, seconds);
  }

  /** One refresh of similar-name hints after a first scan (catalog/link-hints.ts). */
  linkHintsRefreshed(outcome: 'refreshed' | 'failed'): void {
    this.#linkHintRefreshes.inc({ outcome });
  }

  /** A queued target given up after failing to refresh too often (catalog/link-hints.ts). */
  linkHintsGivenUp(): void {
    this.#linkHintRefreshesGivenUp.inc();
  }

  jobRan(job: string, outcome: JobOutcome): void {
    this.#jobRuns.inc({ job, outcome });
  }

  databaseUnavailable(): void {
    this.#dbUnavailable.inc();
  }

  /** The exposition text. Process metrics join at the first scrape, so that a server nobody scrapes (a test, the demo) runs no monitors for them. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    if (!this.#processMetrics) {
      this.#processMetrics = true;
      collectDefaultMetrics({ register: this.registry });
    }
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}

/** Times every request under its route pattern (never the raw URL, whose ids would make a series each), counts database outages, and serves GET /api/metrics. */
export function registerMetrics(app: LanternApp, metrics: LanternMetrics): void {
  const unwatch = metrics.watchTransactions();
  app.addHook('onClose', async () => unwatch());
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });
  app.addHook('onError', async (_request: FastifyRequest, _reply: FastifyReply, error: FastifyError) => {
    if (databaseUnavailable(error)) metrics.databaseUnavailable();
  });
}

/** GET /api/metrics, in the Prometheus text format; left out of the OpenAPI document, like the document itself. */
export async function metricsRoutes(api: LanternApp, metrics: LanternMetrics): Promise<void> {
  api.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const { contentType, text } = await metrics.scrape();
    return reply.type(contentType).send(text);
  });
}
