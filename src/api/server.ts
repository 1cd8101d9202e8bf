import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Lantern } from '../lantern.js';
import { handleError, handleNotFound } from './errors.js';
import { catalogRoutes } from './routes/catalog.js';
import { exemptionRoutes } from './routes/exemptions.js';
import { insightRoutes } from './routes/insights.js';
import { scanRoutes } from './routes/scans.js';
import { scorecardRoutes } from './routes/scorecards.js';
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
  /** Timeouts, connection and ingest caps, upload handling; each defaults to DEFAULT_LIMITS. */
  limits?: Partial<ServerLimits>;
}

/** Builds the HTTP server: the API under /api, described by /api/openapi.json, and the web UI at `/`. */
export async function buildServer(lantern: Lantern, options: ServerOptions = {}): Promise<LanternApp> {
  const limits = serverLimits(options.limits);
  const app = Fastify({
    logger: options.logger ?? false,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the request and headers timeouts every connectionsCheckingInterval (30 s by default).
    http: { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: Math.min(30_000, limits.headersTimeoutMs) },
    // Report uploads set their own limit; everything else is small JSON.
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.server.maxConnections = limits.maxConnections;

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Lantern API',
        version: '1',
        description: 'Security-scan results linked to software catalog entities. Errors have the shape {error: {name, message}, request: {method, url}, response: {statusCode}}.',
      },
    },
  });
  app.setErrorHandler(handleError);

  await app.register(
    async (api: LanternApp) => {
      api.setNotFoundHandler(handleNotFound);
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
      api.get(
        '/health',
        {
          schema: {
            summary: 'Readiness: answers once the database answers a bare query',
            tags: ['health'],
            response: { 200: Type.Object({ status: Type.Literal('ok'), database: Type.String() }) },
          },
        },
        async () => {
          await sql`select 1`.execute(lantern.store.db);
          return { status: 'ok' as const, database: lantern.store.dialect };
        },
      );
      await scanRoutes(api, lantern, new ReportUploads(limits, lantern.maxReportBytes));
      await targetRoutes(api, lantern);
      await catalogRoutes(api, lantern);
      await insightRoutes(api, lantern);
      await exemptionRoutes(api, lantern);
      await scorecardRoutes(api, lantern);
    },
    { prefix: '/api' },
  );
  if (options.webRoot === false) app.setNotFoundHandler(handleNotFound);
  else await webRoutes(app, options.webRoot ?? findWebRoot());
  return app;
}
