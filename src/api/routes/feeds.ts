import { Type } from 'typebox';
import type { Lantern } from '../../lantern.js';
import { feedStatuses } from '../../store/feeds.js';
import { NullableString } from '../schemas.js';
import type { LanternApp } from '../server.js';

const FeedStatusSchema = Type.Object({
  name: Type.Union([Type.Literal('kev'), Type.Literal('epss')]),
  loaded: Type.Boolean({ description: 'False until an import succeeded: issues are then never enriched by this feed, which is not the same as not listed' }),
  source: NullableString,
  feedDate: Type.Union([Type.String({ description: 'The date the feed was released (KEV dateReleased, EPSS score_date)' }), Type.Null()]),
  version: NullableString,
  rows: Type.Integer(),
  importedAt: NullableString,
  attemptedAt: NullableString,
  error: Type.Union([Type.String({ description: 'Why the latest attempt failed; the previous import stays in use' }), Type.Null()]),
});

/** What the exploitation feeds hold (lantern feeds status). */
export async function feedRoutes(api: LanternApp, lantern: Lantern): Promise<void> {
  api.get(
    '/feeds',
    { schema: { summary: 'The exploitation feeds (CISA KEV, FIRST EPSS): date, rows, latest import and the error of a failed attempt', tags: ['feeds'], response: { 200: Type.Object({ feeds: Type.Array(FeedStatusSchema) }) } } },
    async () => ({ feeds: await feedStatuses(lantern.store.db) }),
  );
}
