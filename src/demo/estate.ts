import { fileURLToPath } from 'node:url';
import { parseScope } from '../domain/scope.js';
import type { Lantern } from '../lantern.js';
import { linkTallyOfLocation } from '../store/target-links.js';
import { demoReports, type DemoReportOptions } from './reports.js';

/**
 * The demo catalog, found next to the installed package (src/demo and dist/demo both sit two
 * folders below it), never relative to the working folder.
 */
export const DEMO_CATALOG = fileURLToPath(new URL('../../examples/demo/catalog/catalog-info.yaml', import.meta.url));

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
export async function buildDemoEstate(lantern: Lantern, options: DemoReportOptions): Promise<DemoEstateSummary> {
  const registered = await lantern.catalog.register(DEMO_CATALOG, DEMO_CATALOG_SCOPE);
  if (registered.location.status === 'error') {
    throw new Error(`The demo catalog ${DEMO_CATALOG} did not read cleanly: ${registered.location.last_error ?? 'see lantern catalog validate'}`);
  }
  const reports = demoReports(options);
  for (const report of reports) {
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
