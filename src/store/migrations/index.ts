import type { Migration, MigrationProvider } from 'kysely';
import * as securityTesting from './0001-security-testing.js';
import * as catalog from './0002-catalog.js';
import * as insights from './0003-insights.js';
import * as scorecards from './0004-scorecards.js';
import * as access from './0005-access.js';
import * as linkKeys from './0006-link-keys.js';

/**
 * Every migration, in order. Names sort in the order they run; a migration, once released, is
 * never edited: the next change is a new file.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001-security-testing': securityTesting,
  '0002-catalog': catalog,
  '0003-insights': insights,
  '0004-scorecards': scorecards,
  '0005-access': access,
  '0006-link-keys': linkKeys,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
