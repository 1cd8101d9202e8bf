import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { authorize } from '../../access/actor.js';
import { actorOf, principalOf } from '../auth.js';
import { DEFAULT_PROJECT_SCOPE, formatScope, parseScope } from '../../domain/scope.js';
import type { Lantern } from '../../lantern.js';
import { errors, NullableInteger, SeverityCountsSchema, TargetTypeSchema } from '../schemas.js';
import type { LanternApp } from '../server.js';
import type { ReportUploads } from '../uploads.js';
import type { LanternMetrics } from '../metrics.js';

export const IngestResultSchema = Type.Object({
  scanId: Type.Integer(),
  target: Type.String(),
  scope: Type.String(),
  variant: Type.String(),
  scanner: Type.String(),
  format: Type.String(),
  counts: SeverityCountsSchema,
  new: Type.Integer(),
  common: Type.Integer(),
  remediated: Type.Integer(),
  comparedScanId: NullableInteger,
  duplicate: Type.Boolean({ description: 'True when these report bytes were already ingested for this variant: nothing was written.' }),
  suppressed: Type.Integer(),
  errors: Type.Array(Type.String()),
});

const UploadQuery = Type.Object({
  target: Type.String({ minLength: 1, description: 'The scanned target, e.g. acme/payments' }),
  type: TargetTypeSchema,
  variant: Type.String({ minLength: 1, description: 'Branch, tag, image tag …' }),
  scope: Type.Optional(Type.String({ description: 'ORG.PROJECT or account; default default.default' })),
  format: Type.Optional(Type.String({ description: 'Report format, instead of detecting it' })),
  baseline: Type.Optional(Type.Boolean({ description: 'Make this variant the target baseline' })),
  commit: Type.Optional(Type.String()),
  branch: Type.Optional(Type.String()),
  pipelineUrl: Type.Optional(Type.String()),
  scannedAt: Type.Optional(Type.String({ description: 'When the scan ran (ISO 8601); default now' })),
});

/** POST /api/scans: a report as the raw request body (optionally gzip), ingested as `lantern ingest` does. */
export async function scanRoutes(api: LanternApp, lantern: Lantern, uploads: ReportUploads, metrics: LanternMetrics): Promise<void> {
  await api.register(async (upload: LanternApp) => {
    // Reports arrive as raw bytes whatever their content type, and are not held in memory: the
    // body stays a stream for the handler, which writes it to a file as it arrives (api/uploads.ts).
    upload.removeAllContentTypeParsers();
    upload.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    upload.post(
      '/scans',
      {
        schema: {
          summary: 'Upload a scanner report',
          description: 'The body is the report file, raw or gzip-compressed. Answers 201 with the ingest result, or 200 when these exact bytes were already ingested for the variant.',
          tags: ['scans'],
          querystring: UploadQuery,
          response: { 200: IngestResultSchema, 201: IngestResultSchema, ...errors(400, 401, 403, 404, 408, 413, 503) },
        },
        // Refuse a caller who may not upload here before the body is received.
        onRequest: async (request) => {
          const scope = (request.query as { scope?: unknown }).scope;
          const text = typeof scope === 'string' ? formatScope(parseScope(scope)) : formatScope(DEFAULT_PROJECT_SCOPE);
          authorize(principalOf(request), 'ingest', text);
        },
      },
      async (request, reply) => {
        // Fastify hands no stream for an empty body; it is read as the 0-byte report it is.
        const body = (request.body as Readable | undefined) ?? Readable.from([]);
        const q = request.query;
        const result = await uploads.ingest(body, reply, (report) =>
          metrics.observeIngest(() => lantern.ingest({
            report,
            source: 'request body',
            target: q.target,
            targetType: q.type,
            variant: q.variant,
            scope: q.scope === undefined ? DEFAULT_PROJECT_SCOPE : parseScope(q.scope),
            format: q.format,
            baseline: q.baseline,
            commit: q.commit,
            branch: q.branch,
            pipelineUrl: q.pipelineUrl,
            scannedAt: q.scannedAt,
          }, actorOf(request))),
        );
        request.log.info({ scanId: result.scanId, target: result.target, variant: result.variant, scanner: result.scanner, issues: result.counts.total, duplicate: result.duplicate }, 'report ingested');
        return reply.status(result.duplicate ? 200 : 201).send(result);
      },
    );
  });
}
