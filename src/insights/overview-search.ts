import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../store/row-locks.js';
import type { Database } from '../store/schema.js';
import { termColumnContains } from '../store/search-terms.js';

type Db = Kysely<Database>;

/**
 * Entities (ids) that show an issue now whose vulnerability id, package or rule id contains the
 * lowered text, or one of whose aliases is it (docs/insights-api.md). The match reads the distinct
 * terms (search_terms, through their trigrams: termColumnContains); the variants whose current scans have a matching term come from
 * scan_search_terms by index (migrations/0026-search-entities.ts), and the entities from their
 * matched links to those variants. What it reads grows with the (term, current scan) pairs that match, not with the
 * issues that have them. An entity linked to several such variants comes once for each: the caller
 * unites them (overview.ts: textEntities).
 */
export function entitiesShowingTerm(db: Db, text: string) {
  const variants = db
    .selectFrom('scan_search_terms as sst')
    .select('sst.variant_id')
    .where(termColumnContains(db, 'sst.term', text))
    .where((eb) => eb.or([eb('sst.alias', '=', 0), eb('sst.term', '=', text)]));
  return db
    .selectFrom('entity_links as l')
    .select('l.entity_id as id')
    .where('l.matched', '=', 1)
    .where(
      isPostgres(db)
        ? // The variants once, then the links by index: planned as a semi join, PostgreSQL underestimates
          // the matching terms and compares every link with every variant (2.2 s for a CVE at 2 000 entities).
          sql<boolean>`${sql.ref('l.variant_id')} = any(array(${variants}))`
        : sql<boolean>`${sql.ref('l.variant_id')} in (${variants})`,
    );
}
