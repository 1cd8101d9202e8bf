import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { handleNotFound } from './errors.js';
import type { LanternApp } from './server.js';

/**
 * The web UI: the single-page app Vite builds into dist/web, served at `/`. Hashed assets are
 * cached for a year; index.html never, so a new build is picked up on the next visit. Any other
 * GET outside /api is a page of the app (`/catalog/component/default/payments`) and gets
 * index.html, whose router reads the path.
 */

const here = dirname(fileURLToPath(import.meta.url));
/** Where the build lands, seen from dist/api (the installed server) and from src/api (tests, tsx). */
const CANDIDATE_ROOTS = [join(here, '..', 'web'), join(here, '..', '..', 'dist', 'web')];

const IMMUTABLE = 'public, max-age=31536000, immutable';
const NO_CACHE = 'no-cache';

/** The built UI's folder, or undefined when there is no build. */
export function findWebRoot(candidates: readonly string[] = CANDIDATE_ROOTS): string | undefined {
  return candidates.find((root) => existsSync(join(root, 'index.html')));
}

/** Hashed asset names change with their content, so a long cache is safe; nothing else is hashed. */
export function cacheControlFor(path: string): string {
  return /[/\\]assets[/\\]/.test(path) ? IMMUTABLE : NO_CACHE;
}

function isApiPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}

/**
 * Serves the UI from `root` when given and built; answers whether it does. Without a build the
 * server still answers the API, and says so in its log.
 */
export async function webRoutes(app: LanternApp, root: string | undefined): Promise<boolean> {
  if (root === undefined) {
    app.log.warn('The web UI is not built (no dist/web/index.html): serving the API only. Run `npm run build` to build it.');
    app.setNotFoundHandler(handleNotFound);
    return false;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // One route per file found now rather than a catch-all route, so that unknown paths reach the
    // not-found handler below, which tells API calls from pages of the app.
    wildcard: false,
    index: 'index.html',
    cacheControl: false,
    setHeaders: (res, path) => res.setHeader('cache-control', cacheControlFor(path)),
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const appPage = (request.method === 'GET' || request.method === 'HEAD') && !isApiPath(request.url) && !request.url.startsWith('/assets/');
    if (!appPage) return handleNotFound(request, reply);
    return reply.header('cache-control', NO_CACHE).sendFile('index.html');
  });
  app.log.info({ root }, 'serving the web UI at /');
  return true;
}
