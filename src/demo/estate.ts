import { fileURLToPath } from 'node:url';
import { parseScope } from '../domain/scope.js';
import type { Lantern, LanternOptions } from '../lantern.js';
import { linkTallyOfLocation } from '../store/target-links.js';
import { demoReports, type DemoReportOptions } from './reports.js';

/**
 * The demo catalog, found next to the installed package (src/demo and dist/demo both sit two
 * folders below it), never relative to the working folder.
 */
export const DEMO_CATALOG = fileURLToPath(new URL('../../examples/demo/catalog/catalog-info.yaml', import.meta.url));

/** The demo's scorecards: one that most production components pass, and two that several fail. */
export const DEMO_SCORECARDS = fileURLToPath(new URL('../../examples/demo/scorecards/', import.meta.url));

/**
 * The clock a demo Lantern reads: while the estate is built it reads the time of the scan being
 * ingested, so that scorecard results are evaluated, and their daily history kept, as of each scan
 * day (summaries take their dates from the scans already); afterwards it reads the real time.
 */
export class DemoClock {
  #at: string | undefined;
  readonly now = (): string => this.#at ?? new Date().toISOString();
  set(at: string | undefined): void {
    this.#at = at;
  }
}

/** How to open the Lantern the demo builds into: its clock and its scorecard files. */
export function demoLanternOptions(clock: DemoClock): LanternOptions {
  return { clock: clock.now, scorecards: { paths: [DEMO_SCORECARDS] } };
}

/** The scope the demo catalog is registered under: its Backstage-format entities live there. */
export const DEMO_CATALOG_SCOPE = parseScope('acme.pay');

export interface DemoEstateSummary {
  entities: number;
  links: number;
  matchedLinks: number;
  targets: number;
  scans: number;
  issues: number;
  /** The oldest and newest scan times. */
  firstScanAt: string;
  lastScanAt: string;
}

/**
 * Builds the demo estate into an empty Lantern: registers the catalog, then ingests every
 * generated report through Lantern.ingest, oldest first, so that every hook runs as it does for
 * a real pipeline: links fill in as scans arrive, and each entity's summary history gets a point
 * at each scan's date, which is what the trend shows.
 */
export async function buildDemoEstate(lantern: Lantern, options: DemoReportOptions & { clock?: DemoClock }): Promise<DemoEstateSummary> {
  const reports = demoReports(options);
  const { clock } = options;
  clock?.set(reports[0]?.scannedAt);
  const registered = await lantern.catalog.register(DEMO_CATALOG, DEMO_CATALOG_SCOPE);
  if (registered.location.status === 'error') {
    throw new Error(`The demo catalog ${DEMO_CATALOG} did not read cleanly: ${registered.location.last_error ?? 'see lantern catalog validate'}`);
  }
  for (const report of reports) {
    clock?.set(report.scannedAt);
    await lantern.ingest({
      report: Buffer.from(report.content, 'utf8'),
      source: report.file,
      target: report.target,
      targetType: report.targetType,
      variant: report.variant,
      scope: report.scope,
      baseline: report.baseline,
      commit: report.commit,
      branch: report.branch,
      pipelineUrl: report.pipelineUrl,
      scannedAt: report.scannedAt,
    });
  }
  clock?.set(undefined);
  // Time alone moves some data points (days since the last scan): evaluate once more as of now.
  await lantern.evaluateScorecards(options.now.toISOString());
  const { db } = lantern.store;
  const links = await linkTallyOfLocation(db, registered.location.id);
  const count = async (table: 'targets' | 'issues') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return {
    entities: registered.added.length,
    links: links.links,
    matchedLinks: links.matched,
    targets: await count('targets'),
    scans: reports.length,
    issues: await count('issues'),
    firstScanAt: reports[0]?.scannedAt ?? '',
    lastScanAt: reports[reports.length - 1]?.scannedAt ?? '',
  };
}
