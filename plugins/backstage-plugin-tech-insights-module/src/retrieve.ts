import { LanternRequestError, lanternEntityName, type EntityLike, type EntitySummary, type LanternClient } from '@lantern-security/backstage-plugin-common';
import { summaryFacts, type Facts } from './facts';

export interface EntityFacts {
  entity: { namespace: string; kind: string; name: string };
  facts: Facts;
}

/**
 * The facts of each entity, read from Lantern `concurrency` entities at a time. An entity Lantern
 * does not know (404) gets `sto.has_security_data: false`; any other failure stops the run, so
 * that a Lantern outage never publishes "no data" for the whole catalog.
 */
export async function retrieveLanternFacts(options: {
  entities: EntityLike[];
  lantern: Pick<LanternClient, 'summary'>;
  now: number;
  concurrency?: number;
}): Promise<EntityFacts[]> {
  const results: EntityFacts[] = new Array(options.entities.length);
  let next = 0;
  const worker = async () => {
    while (next < options.entities.length) {
      const index = next++;
      const entity = options.entities[index]!;
      const name = lanternEntityName(entity);
      let summary: EntitySummary | null;
      try {
        summary = await options.lantern.summary(name);
      } catch (error) {
        if (!(error instanceof LanternRequestError && error.status === 404)) throw error;
        summary = null;
      }
      results[index] = {
        entity: { namespace: entity.metadata.namespace || 'default', kind: entity.kind, name: entity.metadata.name },
        facts: summaryFacts(summary, options.now),
      };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 8, options.entities.length)) }, worker));
  return results;
}
