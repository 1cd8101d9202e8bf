import type { Migration, MigrationProvider } from 'kysely';
import * as securityTesting from './0001-security-testing.js';
import * as catalog from './0002-catalog.js';
import * as insights from './0003-insights.js';
import * as scorecards from './0004-scorecards.js';
import * as access from './0005-access.js';
import * as linkKeys from './0006-link-keys.js';
import * as scaleReads from './0007-scale-reads.js';
import * as prioritisation from './0008-prioritisation.js';
import * as triage from './0009-triage.js';
import * as overviewSort from './0010-overview-sort.js';
import * as targetCounts from './0011-target-counts.js';
import * as occurrenceBase from './0012-occurrence-base.js';
import * as slaClock from './0013-sla-clock.js';
import * as exploitationSortKeys from './0014-exploitation-sort-keys.js';
import * as slaFixVerdicts from './0015-sla-fix-verdicts.js';
import * as priorityOrder from './0016-priority-order.js';
import * as scoreSortKeys from './0017-score-sort-keys.js';
import * as targetNameIndex from './0018-target-name-index.js';
import * as dashboardRollups from './0019-dashboard-rollups.js';
import * as searchTerms from './0020-search-terms.js';
import * as scorecardTrend from './0021-scorecard-trend.js';
import * as overviewFacets from './0025-overview-facets.js';
import * as searchEntities from './0026-search-entities.js';
import * as trendFacets from './0027-trend-facets.js';
import * as scorecardEvaluation from './0030-scorecard-evaluation.js';
import * as scorecardObserved from './0031-scorecard-observed.js';
import * as entityNameSearch from './0032-entity-name-search.js';
import * as feedsPg from './0034-feeds-pg.js';
import * as entityFacts from './0035-entity-facts.js';
import * as targetNameVersions from './0036-target-name-versions.js';
import * as targetNameChanges from './0037-target-name-changes.js';
import * as entityNamesCover from './0038-entity-names-cover.js';
import * as linkSharingWhen from './0039-link-sharing-when.js';
import * as linkHintRefreshes from './0040-link-hint-refreshes.js';
import * as linkHintRefreshFailures from './0041-link-hint-refresh-failures.js';
import * as linksShownByTarget from './0042-links-shown-by-target.js';

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
  '0007-scale-reads': scaleReads,
  '0008-prioritisation': prioritisation,
  '0009-triage': triage,
  '0010-overview-sort': overviewSort,
  '0011-target-counts': targetCounts,
  '0012-occurrence-base': occurrenceBase,
  '0013-sla-clock': slaClock,
  '0014-exploitation-sort-keys': exploitationSortKeys,
  '0015-sla-fix-verdicts': slaFixVerdicts,
  '0016-priority-order': priorityOrder,
  '0017-score-sort-keys': scoreSortKeys,
  '0018-target-name-index': targetNameIndex,
  '0019-dashboard-rollups': dashboardRollups,
  '0020-search-terms': searchTerms,
  '0021-scorecard-trend': scorecardTrend,
  '0025-overview-facets': overviewFacets,
  '0026-search-entities': searchEntities,
  '0027-trend-facets': trendFacets,
  '0030-scorecard-evaluation': scorecardEvaluation,
  '0031-scorecard-observed': scorecardObserved,
  '0032-entity-name-search': entityNameSearch,
  '0034-feeds-pg': feedsPg,
  '0035-entity-facts': entityFacts,
  '0036-target-name-versions': targetNameVersions,
  '0037-target-name-changes': targetNameChanges,
  '0038-entity-names-cover': entityNamesCover,
  '0039-link-sharing-when': linkSharingWhen,
  '0040-link-hint-refreshes': linkHintRefreshes,
  '0041-link-hint-refresh-failures': linkHintRefreshFailures,
  '0042-links-shown-by-target': linksShownByTarget,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
