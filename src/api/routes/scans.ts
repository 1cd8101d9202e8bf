import { gunzipSync } from 'node:zlib';
import { Type } from 'typebox';
import { authorize } from '../../access/actor.js';
import { actorOf, principalOf } from '../auth.js';
import { InputError, PayloadTooLargeError } from '../../domain/errors.js';
import { DEFAULT_PROJECT_SCOPE, formatScope, parseScope } from '../../domain/scope.js';
import { megabytes } from '../../ingest/report-file.js';
import type { Lantern } from '../../lantern.js';
import { errors, NullableInteger, SeverityCountsSchema, TargetTypeSchema } from '../schemas.js';
import type { LanternApp } from '../server.js';

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

const GZIP = [0x1f, 0x8b];

/** POST /api/scans: a report as the raw request body (optionally gzip), ingested as `lantern ingest` does. */
export async function scanRoutes(api: LanternApp, lantern: Lantern): Promise<void> {
  await api.register(async (upload: LanternApp) => {
    // Reports arrive as raw bytes whatever their content type: the parser reads them, not Fastify.
    upload.removeAllContentTypeParsers();
    upload.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: lantern.maxReportBytes }, (_request, body, done) => done(null, body));

    upload.post(
      '/scans',
      {
        schema: {
          summary: 'Upload a scanner report',
          description: 'The body is the report file, raw or gzip-compressed. Answers 201 with the ingest result, or 200 when these exact bytes were already ingested for the variant.',
          tags: ['scans'],
          querystring: UploadQuery,
          response: { 200: IngestResultSchema, 201: IngestResultSchema, ...errors(400, 401, 403, 404, 413) },
        },
        // Refuse a caller who may not upload here before the body is received.
        onRequest: async (request) => {
          const scope = (request.query as { scope?: unknown }).scope;
          const text = typeof scope === 'string' ? formatScope(parseScope(scope)) : formatScope(DEFAULT_PROJECT_SCOPE);
          authorize(principalOf(request), 'ingest', text);
        },
      },
      async (request, reply) => {
        const body = request.body as Buffer | undefined;
        if (!body || body.length === 0) throw new InputError('The request body is empty; expected a scanner report (raw or gzip).');
        const report = isGzip(body) ? gunzip(body, lantern.maxReportBytes) : body;
        const q = request.query;
        const result = await lantern.ingest({
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
        }, actorOf(request));
        request.log.info({ scanId: result.scanId, target: result.target, variant: result.variant, scanner: result.scanner, issues: result.counts.total, duplicate: result.duplicate }, 'report ingested');
        return reply.status(result.duplicate ? 200 : 201).send(result);
      },
    );
  });
}

function isGzip(body: Buffer): boolean {
  return body[0] === GZIP[0] && body[1] === GZIP[1];
}

function gunzip(body: Buffer, limit: number): Buffer {
  try {
    return gunzipSync(body, { maxOutputLength: limit });
  } catch (error) {
    if (error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new PayloadTooLargeError(`The gzip-compressed report expands beyond the limit of ${megabytes(limit)} (--max-report-mb).`);
    }
    throw new InputError(`The request body starts like gzip but cannot be decompressed: ${(error as Error).message}.`);
  }
}
