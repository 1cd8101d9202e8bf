import type { FastifyReply, FastifyRequest } from 'fastify';
import { Limit, Offset } from './schemas.js';

/**
 * Plain-array lists (targets, a target's scans, exemptions) are paged by `limit` and `offset`
 * without changing their shape: a page is one array, and a `Link: <…>; rel="next"` header names
 * the next one when there is more, as Backstage's entity list does.
 */
export const LIST_MAX = 1000;
export const ListPageQuery = (defaultLimit: number) => ({
  limit: Limit({ max: LIST_MAX, default: defaultLimit, description: `At most ${LIST_MAX}; a Link header names the next page` }),
  offset: Offset(),
});

/** One page of `rows`, read with one row more than the page to know whether another follows. */
export function listPage<T>(request: FastifyRequest, reply: FastifyReply, rows: readonly T[], page: { limit: number; offset: number }): T[] {
  if (rows.length <= page.limit) return [...rows];
  const next = new URL(`http://lantern${request.url}`);
  next.searchParams.set('offset', String(page.offset + page.limit));
  next.searchParams.set('limit', String(page.limit));
  void reply.header('link', `<${next.pathname}${next.search}>; rel="next"`);
  return rows.slice(0, page.limit);
}
