import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScope } from '../../src/domain/scope.js';
import { afterEach, beforeEach } from 'vitest';
import { Lantern } from '../../src/lantern.js';
import { trivyReport, type Vulnerability } from './reports.js';
import { openTestStore, type StoreKind } from './stores.js';

/**
 * The scorecards test estate (src/scorecards/testdata/estate): four entities and these scans of
 * project acme.apps, from which every data point's value is worked out by hand.
 *
 *   acme/full main, D1: b HIGH, c MEDIUM (fixed), e UNKNOWN
 *   acme/full main, D2: a CRITICAL (fixed), b HIGH, d LOW (fixed), e UNKNOWN   → a and d new, c gone
 *   acme/full release, D2: nothing (the baseline stays main, the conventional name)
 *   acme/clean main, D2: nothing
 *   then b is exempted (approved).
 */
export const ESTATE = fileURLToPath(new URL('../../src/scorecards/testdata/estate/', import.meta.url));
export const D1 = '2026-03-01T10:00:00.000Z';
export const D2 = '2026-03-05T10:00:00.000Z';
/** The first evaluation day: 6 days 23 hours after D2, 10 days 23 hours after D1. */
export const DAY1 = '2026-03-12T09:00:00.000Z';
export const DAY2 = '2026-03-13T09:00:00.000Z';

const v = (id: string, pkg: string, severity: Vulnerability['severity'], fixed?: string): Vulnerability => ({ id, pkg, version: '1.0.0', severity, ...(fixed ? { fixed } : {}) });
export const A = v('CVE-2026-0001', 'a', 'CRITICAL', '1.0.1');
export const B = v('CVE-2026-0002', 'b', 'HIGH');
export const C = v('CVE-2026-0003', 'c', 'MEDIUM', '1.0.1');
export const D = v('CVE-2026-0004', 'd', 'LOW', '1.0.1');
export const E = v('CVE-2026-0005', 'e', 'UNKNOWN');

export interface ScorecardEstate {
  /** A copy of the estate's catalog, to edit and refresh. */
  catalogDir: string;
  locationId: number;
  ingest(target: string, variant: string, vulnerabilities: Vulnerability[], scannedAt: string): Promise<void>;
  issueId(vulnerability: Vulnerability): Promise<number>;
  targetId(name: string): Promise<number>;
}

/** Builds the estate into `lantern` (whose clock the caller sets): catalog first, then the scans. */
export async function buildScorecardEstate(lantern: Lantern, approve: (issueId: number) => Promise<void>): Promise<ScorecardEstate> {
  const catalogDir = mkdtempSync(join(tmpdir(), 'lantern-scorecard-estate-'));
  cpSync(join(ESTATE, 'catalog-info.yaml'), join(catalogDir, 'catalog-info.yaml'));
  const { location } = await lantern.catalog.register(join(catalogDir, 'catalog-info.yaml'), parseScope('acme.apps'));
  const estate: ScorecardEstate = {
    catalogDir,
    locationId: location.id,
    async ingest(target, variant, vulnerabilities, scannedAt) {
      const report = new TextEncoder().encode(trivyReport(vulnerabilities));
      await lantern.ingest({ report, source: `${target}.json`, target, targetType: 'repository', variant, scope: parseScope('acme.apps'), scannedAt });
    },
    async issueId(vulnerability) {
      const row = await lantern.store.db.selectFrom('issues').select('id').where('vulnerability_id', '=', vulnerability.id).executeTakeFirstOrThrow();
      return row.id;
    },
    async targetId(name) {
      const row = await lantern.store.db.selectFrom('targets').select('id').where('name', '=', name).executeTakeFirstOrThrow();
      return row.id;
    },
  };
  await estate.ingest('acme/full', 'main', [B, C, E], D1);
  await estate.ingest('acme/full', 'main', [A, B, D, E], D2);
  await estate.ingest('acme/full', 'release', [], D2);
  await estate.ingest('acme/clean', 'main', [], D2);
  await approve(await estate.issueId(B));
  return estate;
}

/**
 * Before each test of the block: a Lantern on a fresh store of this kind at DAY1, with the estate's
 * scorecards loaded and the estate built (nothing approved), handed to `use`; after each, closed.
 */
export function useScorecardEstate(kind: StoreKind, use: (opened: { lantern: Lantern; estate: ScorecardEstate }) => void): void {
  let opened: { lantern: Lantern; estate: ScorecardEstate } | undefined;
  beforeEach(async () => {
    const lantern = new Lantern(await openTestStore(kind), { clock: () => DAY1, scorecards: { paths: [join(ESTATE, 'scorecards.yaml')] } });
    await lantern.scorecards.load();
    opened = { lantern, estate: await buildScorecardEstate(lantern, async () => undefined) };
    use(opened);
  });
  afterEach(async () => {
    if (!opened) return;
    await opened.lantern.close();
    rmSync(opened.estate.catalogDir, { recursive: true, force: true });
    opened = undefined;
  });
}
