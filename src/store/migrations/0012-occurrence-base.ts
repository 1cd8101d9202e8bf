import type { Kysely } from 'kysely';

/**
 * The root a scanner says an occurrence's path is relative to, when it says that root is the source
 * tree (a SARIF `uriBaseId` such as `%SRCROOT%`): such a path links to the repository's file
 * whatever the target's type, so a container image built from a repository links its SAST findings.
 * Null for every occurrence stored before, which keep linking by target type.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('occurrences').addColumn('base_id', 'text').execute();
}
