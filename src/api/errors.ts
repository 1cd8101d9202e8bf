import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, ForbiddenError, InputError, NotFoundError, PayloadTooLargeError, RequestTimeoutError, TooManyRequestsError, UnauthenticatedError, UnavailableError } from '../domain/errors.js';
import { databaseUnavailable } from '../store/unavailable.js';

/**
 * The one place errors become HTTP responses. The body follows Backstage's error shape, so
 * Backstage clients read Lantern's errors as they read their own:
 * `{"error": {"name", "message"}, "request": {"method", "url"}, "response": {"statusCode"}}`.
 */
export interface ErrorBody {
  error: { name: string; message: string };
  request: { method: string; url: string };
  response: { statusCode: number };
}

function classify(error: FastifyError | Error): { statusCode: number; name: string; message: string } {
  if (error instanceof RequestTimeoutError) return { statusCode: 408, name: error.name, message: error.message };
  if (error instanceof UnavailableError) return { statusCode: 503, name: error.name, message: error.message };
  if (error instanceof PayloadTooLargeError) return { statusCode: 413, name: error.name, message: error.message };
  if (error instanceof InputError) return { statusCode: 400, name: error.name, message: error.message };
  if (error instanceof NotFoundError) return { statusCode: 404, name: error.name, message: error.message };
  if (error instanceof ConflictError) return { statusCode: 409, name: error.name, message: error.message };
  if (error instanceof UnauthenticatedError) return { statusCode: 401, name: error.name, message: error.message };
  if (error instanceof ForbiddenError) return { statusCode: 403, name: error.name, message: error.message };
  if (error instanceof TooManyRequestsError) return { statusCode: 429, name: error.name, message: error.message };
  const fastify = error as FastifyError;
  if (fastify.validation) return { statusCode: 400, name: 'InputError', message: `Invalid request: ${fastify.message}.` };
  if (fastify.code === 'FST_ERR_MAX_PARAM_LENGTH') return { statusCode: 414, name: 'InputError', message: 'A segment of the URL path is longer than 100 characters; no name or id Lantern stores is that long.' };
  if (fastify.code === 'FST_ERR_BAD_URL') return { statusCode: 400, name: 'InputError', message: 'The URL path is not valid percent-encoding (a "%" must be followed by two hexadecimal digits).' };
  if (fastify.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { statusCode: 413, name: 'PayloadTooLargeError', message: `The request body is larger than the limit (--max-report-mb): ${fastify.message}.` };
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return { statusCode: fastify.statusCode, name: 'InputError', message: fastify.message };
  }
  return { statusCode: 500, name: 'InternalError', message: 'Lantern failed to answer this request; the server log has the details.' };
}

export function errorBody(request: FastifyRequest, statusCode: number, name: string, message: string): ErrorBody {
  return { error: { name, message }, request: { method: request.method, url: request.url }, response: { statusCode } };
}

export function handleError(thrown: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // A database that does not answer is the same 503 whichever query found out.
  const unavailable = databaseUnavailable(thrown);
  const error = unavailable ?? thrown;
  const { statusCode, name, message } = classify(error);
  if (statusCode === 401) void reply.header('www-authenticate', 'Bearer realm="lantern"');
  if (unavailable) request.log.warn({ err: thrown }, 'database unavailable');
  else if (statusCode === 503) request.log.warn({ err: error }, 'a service Lantern depends on does not answer');
  else if (statusCode >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ statusCode, error: message }, 'request rejected');
  if (error instanceof TooManyRequestsError || error instanceof UnavailableError) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.status(statusCode).send(errorBody(request, statusCode, name, message));
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const message = `No route ${request.method} ${request.url.split('?')[0]}; the API is described at /api/openapi.json.`;
  return reply.status(404).send(errorBody(request, 404, 'NotFoundError', message));
}
