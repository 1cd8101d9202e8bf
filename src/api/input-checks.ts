import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { InputError } from '../domain/errors.js';

/** Deeper JSON than this is no request Lantern answers (a scorecard is 4 levels deep). */
export const MAX_JSON_DEPTH = 32;

/**
 * What no route schema can say: after validation (and its coercion of `1e309` to Infinity, which
 * AJV lets through even past a `maximum`), every number in the path, the query and a JSON body must
 * be finite, and no string may hold a NUL character (PostgreSQL cannot store one). Each refusal
 * names the field as AJV does, e.g. `querystring/limit`.
 */
export async function refuseUnstorableValues(request: FastifyRequest): Promise<void> {
  check('params', request.params);
  check('querystring', request.query);
  // An upload's body is its stream (routes/scans.ts), read by the route: nothing to check here.
  if (!Buffer.isBuffer(request.body) && !(request.body instanceof Readable)) check('body', request.body);
}

function check(root: string, value: unknown): void {
  const stack: Array<{ path: string; value: unknown; depth: number }> = [{ path: root, value, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { path, value: v, depth } = item;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) throw new InputError(`Invalid request: ${path} contains a NUL character (\\u0000); expected text without one.`);
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new InputError(`Invalid request: ${path} must be a finite number, not ${v}.`);
    } else if (typeof v === 'object' && v !== null) {
      if (depth >= MAX_JSON_DEPTH) throw new InputError(`Invalid request: ${path} is nested more than ${MAX_JSON_DEPTH} levels deep.`);
      for (const [key, child] of Object.entries(v)) {
        if (key.includes('\u0000')) throw new InputError(`Invalid request: a key in ${path} contains a NUL character (\\u0000); expected text without one.`);
        stack.push({ path: `${path}/${key}`, value: child, depth: depth + 1 });
      }
    }
  }
}
