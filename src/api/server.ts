import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import type { Lantern } from '../lantern.js';
import { type AuthOptions, registerAuth } from './auth.js';
import { InputError } from '../domain/errors.js';
import { handleError, handleNotFound } from './errors.js';
import { accessRoutes } from './routes/access.js';
import { healthRoutes } from './routes/health.js';
import { LanternMetrics, metricsRoutes, registerMetrics } from './metrics.js';
import { refuseUnstorableValues } from './input-checks.js';
import { catalogRoutes } from './routes/catalog.js';
import { exemptionRoutes } from './routes/exemptions.js';
import { notificationRoutes } from './routes/notifications.js';
import { insightRoutes } from './routes/insights.js';
import { scanRoutes } from './routes/scans.js';
import { scorecardRoutes } from './routes/scorecards.js';
import { feedRoutes } from './routes/feeds.js';
import { gateRoutes } from './routes/gate.js';
import { signInRoutes } from './routes/sign-in.js';
import { targetRoutes } from './routes/targets.js';
import { type ServerLimits, serverLimits } from './limits.js';
import { ReportUploads } from './uploads.js';
import { findWebRoot, webRoutes } from './web.js';

/** The Fastify instance with TypeBox types flowing from route schemas into handlers. */
export type LanternApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface ServerOptions {
  /** A pino logger configuration, or false for none (tests). Logs are JSON lines. */
  logger?: boolean | { level?: string; stream?: { write(line: string): void } };
  /** The built web UI to serve at `/`: a folder, false for none; default the build in dist/web if there is one. */
  webRoot?: string | false;
  /** Who may call without credentials, and cookie settings. Every API route needs a principal otherwise. */
  auth: AuthOptions;
  /** Timeouts, connection and ingest caps, upload handling; each defaults to DEFAULT_LIMITS. */
  limits?: Partial<ServerLimits>;
  /** The metrics this server records and serves at /api/metrics; default a registry of its own. */
  metrics?: LanternMetrics;
}

/** Builds the HTTP server: the API under /api, described by /api/openapi.json, and the web UI at `/`. */
export async function buildServer(lantern: Lantern, options: ServerOptions): Promise<LanternApp> {
  const limits = serverLimits(options.limits);
  const app = Fastify({
    logger: options.logger ?? false,
    // One line per request at debug (the onResponse hook below), not two at info: info is for
    // start-up, ingests and errors.
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the request and headers timeouts every connectionsCheckingInterval (30 s by default).
    http: { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: Math.min(30_000, limits.headersTimeoutMs) },
    // Report uploads set their own limit; everything else is small JSON.
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
    // A malformed or over-long path is answered by the router, before any handler: in our error shape too.
    frameworkErrors: handleError,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.server.maxConnections = limits.maxConnections;
  app.addHook('onResponse', async (request, reply) => {
    request.log.debug({ method: request.method, route: request.routeOptions.url ?? request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  // Before the routes, so that every route is checked against the permission table as it is added.
  await registerAuth(app, lantern, options.auth);
  const metrics = options.metrics ?? new LanternMetrics(lantern.store);
  registerMetrics(app, metrics);
  const unwatch = lantern.store.watchConnectionErrors((err, lost) => {
    if (lost === 'idle-transaction') app.log.error({ err }, 'PostgreSQL ended a transaction left idle for longer than LANTERN_PG_IDLE_TRANSACTION_TIMEOUT: it was rolled back and its locks released');
    else app.log.warn({ err }, 'lost an idle database connection; the next query connects again');
  });
  app.addHook('onClose', async () => unwatch());
  lantern.linkHints.onError = (err) => app.log.error({ err }, 'the similar-name hints of waiting links were not refreshed; they stay queued, and are tried again within a minute');
  lantern.linkHints.onOutcome = (outcome) => metrics.linkHintsRefreshed(outcome);
  lantern.linkHints.onGivenUp = (targetId) => {
    metrics.linkHintsGivenUp();
    app.log.error({ targetId }, 'the similar-name hints near this target failed to refresh too often; they are tried again when a server starts');
  };
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'same-origin' },
    // Served over plain http on a developer's machine too; HSTS belongs to the TLS terminator.
    strictTransportSecurity: false,
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Lantern API',
        version: '1',
        description:
          'Security-scan results linked to software catalog entities. Errors have the shape {error: {name, message}, request: {method, url}, response: {statusCode}}. Every operation but health names the role it needs; send an API token as `Authorization: Bearer lnt_…`, or sign in to the web UI (session cookie).',
      },
      components: {
        securitySchemes: {
          bearerToken: { type: 'http', scheme: 'bearer', description: 'A Lantern API token (lnt_…), from `lantern tokens create` or POST /api/tokens.' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: 'lantern_session', description: 'The web UI session, set by signing in through OpenID Connect.' },
        },
      },
    },
  });
  app.setErrorHandler(handleError);
  // A bodyless DELETE or POST carries a JSON content type too (Backstage's client always sends one,
  // and Lantern asks browsers to, against cross-site forms): an empty body is no body.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (String(body).trim() === '') return done(null, undefined);
    parseJson(request, String(body), (error, value) => done(error ? new InputError('The request body is not valid JSON.') : null, value));
  });
  app.addHook('preHandler', refuseUnstorableValues);

  await app.register(
    async (api: LanternApp) => {
      api.setNotFoundHandler(handleNotFound);
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
      await healthRoutes(api, lantern);
      await metricsRoutes(api, metrics);
      const uploads = new ReportUploads(limits, lantern.maxReportBytes, (seconds, outcome) => metrics.ingestWaited(seconds, outcome));
      metrics.watchIngestQueue(() => uploads.waiting);
      await scanRoutes(api, lantern, uploads, metrics);
      await targetRoutes(api, lantern);
      await catalogRoutes(api, lantern);
      await insightRoutes(api, lantern);
      await gateRoutes(api, lantern);
      await exemptionRoutes(api, lantern);
      await notificationRoutes(api, lantern);
      await scorecardRoutes(api, lantern);
      await feedRoutes(api, lantern);
      const { oidc, secureCookies } = options.auth;
      if (oidc) await signInRoutes(api, lantern, { oidc, secureCookies });
      await accessRoutes(api, lantern, options.auth.signInUrl ?? (oidc ? '/api/auth/login' : undefined));
    },
    { prefix: '/api' },
  );
  if (options.webRoot === false) app.setNotFoundHandler(handleNotFound);
  else await webRoutes(app, options.webRoot ?? findWebRoot());
  return app;
}
