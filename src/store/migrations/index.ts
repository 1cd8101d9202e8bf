import type { Migration, MigrationProvider } from 'kysely';
import * as securityTesting from './0001-security-testing.js';

/**
 * Every migration, in order. Names sort in the order they run; a migration, once released, is
 * never edited: the next change is a new file.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001-security-testing': securityTesting,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
