import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { semgrepReport } from '../../test/support/reports.js';
import { ANONYMOUS_ADMIN, startTestServer, type TestServer } from '../../test/support/server.js';
import { describeEachStore, type StoreKind } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import { backfillSearchTerms } from '../store/migrations/0020-search-terms.js';
import { fillScanSearchTerms } from '../store/migrations/0026-search-entities.js';
import type { Database } from '../store/schema.js';
import { containsText } from '../store/text-search.js';
import { issueMatches, MIN_ISSUE_SEARCH } from './issue-search.js';
import { overview } from './overview.js';

/**
 * The overview's `q` finds an entity's issues through the distinct search terms (store/search-terms.ts,
 * migrations/0020-search-terms.ts) and the terms each current scan counts (store/scan-search-terms.ts,
 * migrations/0026-search-entities.ts). Its answer must be the one the full LIKE over every current
 * issue gave: the reference below is that query, kept here. The counts ingest keeps must also be
 * the ones the migration's fill computes from scratch.
 */

const ENTITIES = 6;

function catalog(): string {
  return Array.from(
    { length: ENTITIES },
    (_, i) => `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: svc-${i}
  title: Service ${i}
  annotations:
    harness.io/sto-test-target:
      - name: acme/svc-${i}
spec:
  type: service
  owner: team-a
  lifecycle: production`,
  ).join('\n---\n');
}

interface Match {
  id: string;
  related?: string[];
  pkg: string;
}

function grype(matches: Match[]): string {
  return JSON.stringify({
    matches: matches.map((m) => ({
      vulnerability: { id: m.id, severity: 'High', urls: [], description: `About ${m.id}.`, fix: { versions: [], state: 'unknown' } },
      relatedVulnerabilities: (m.related ?? []).map((id) => ({ id, severity: 'High', urls: [], description: `About ${id}.` })),
      matchDetails: [],
      artifact: { name: m.pkg, version: '1.0.0', type: 'npm', locations: [{ path: '/app/package-lock.json' }], purl: `pkg:npm/${m.pkg}@1.0.0` },
    })),
    source: { type: 'directory', target: '.' },
    descriptor: { name: 'grype', version: '0.74.0' },
  });
}

/** The entities the overview's `q` found before the term index: names and titles, and a LIKE over every current issue. */
async function byFullScan(db: Kysely<Database>, q: string): Promise<string[]> {
  const text = q.trim().toLowerCase();
  const latest = db.selectFrom('scans').select((eb) => eb.fn.max('id').as('id')).groupBy(['variant_id', 'scanner']);
  const rows = await db
    .selectFrom('entities as e')
    .select('e.ref')
    .where((eb) =>
      eb.or([
        containsText('e.name', text),
        containsText('e.title', text),
        ...(text.length >= MIN_ISSUE_SEARCH
          ? [
              eb(
                'e.id',
                'in',
                eb
                  .selectFrom('entity_links as l')
                  .innerJoin('scans as s', 's.variant_id', 'l.variant_id')
                  .innerJoin('scan_issues as si', 'si.scan_id', 's.id')
                  .innerJoin('issues as i', 'i.id', 'si.issue_id')
                  .select('l.entity_id')
                  .where('l.matched', '=', 1)
                  .where('s.id', 'in', latest)
                  .where((inner) => issueMatches(inner, 'i', text)),
              ),
            ]
          : []),
      ]),
    )
    .execute();
  return rows.map((r) => r.ref).sort();
}

describeEachStore('overview q by the search terms', (kind: StoreKind) => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer(kind, { allowSelfApproval: true }, { auth: ANONYMOUS_ADMIN });
    dir = mkdtempSync(join(tmpdir(), 'lantern-overview-search-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ingestInto = async (target: string, report: string, scannedAt: string, variant = 'main') => {
    await server.lantern.ingest({
      report: new TextEncoder().encode(report),
      source: 'test',
      target,
      targetType: 'repository',
      variant,
      scope: parseScope('acme.payments'),
      baseline: variant === 'main',
      scannedAt,
    });
  };
  const ingest = (i: number, report: string, scannedAt: string) => ingestInto(`acme/svc-${i}`, report, scannedAt);
  /** The counts ingest kept equal the ones computed from every current scan's issues (the migration's fill). */
  const expectCountsAsFilled = async () => {
    const { db } = server.lantern.store;
    const read = () => db.selectFrom('scan_search_terms').select(['scan_id', 'term', 'alias', 'issues']).orderBy('scan_id').orderBy('term').orderBy('alias').execute();
    const kept = await read();
    await db.deleteFrom('scan_search_terms').execute();
    await fillScanSearchTerms(db);
    expect(kept).toEqual(await read());
  };
  const found = async (q: string) => {
    const page = await overview(server.lantern.store.db, { q, limit: 100 });
    return page.items.map((r) => r.entityRef).sort();
  };
  const ref = (i: number) => `component:default/svc-${i}`;

  const QUERIES = [
    'ghsa-aaaa-bbbb-cccc',
    'GHSA-AAAA-BBBB-CCCC',
    'ghsa-aaaa',
    'cve-2024-1111',
    'CVE-2024',
    'lib_foo',
    'lib%bar',
    'b%b',
    'ib%',
    '___',
    'lib',
    'LIB',
    'audit-sql',
    'SECURITY.AUDIT',
    'cve-2024-3333',
    'openssl',
    'cve-2024-4444',
    'zlib',
    'svc',
    'Service 2',
    'sv',
    '%',
    '_',
    'nothing-here',
  ];

  it('finds what the full LIKE over every current issue found, for ids, aliases, packages, rule ids, case and LIKE characters', async () => {
    const file = join(dir, 'catalog-info.yaml');
    writeFileSync(file, `${catalog()}\n`);
    const { location } = await server.lantern.catalog.register(file, parseScope('acme.payments'));
    expect(location.status, location.last_error ?? '').not.toBe('error');

    await ingest(0, grype([{ id: 'GHSA-aaaa-bbbb-cccc', related: ['CVE-2024-1111'], pkg: 'Lib_Foo' }]), '2026-11-10T08:00:00.000Z');
    await ingest(1, grype([{ id: 'CVE-2024-2222', pkg: 'lib%bar' }, { id: 'CVE-2023-9999', pkg: 'libxfoo' }]), '2026-11-10T08:00:00.000Z');
    await ingest(2, semgrepReport([{ rule: 'python.lang.security.Audit-SQL', path: 'app/db.py', line: 4, severity: 'ERROR', snippet: 'cursor.execute(q)' }]), '2026-11-10T08:00:00.000Z');
    await ingest(3, grype([{ id: 'CVE-2024-3333', pkg: 'openssl' }]), '2026-11-10T08:00:00.000Z');
    await ingest(4, grype([{ id: 'CVE-2024-4444', pkg: 'zlib' }]), '2026-11-10T08:00:00.000Z');

    const { db } = server.lantern.store;
    const check = async () => {
      for (const q of QUERIES) expect(await found(q), q).toEqual(await byFullScan(db, q));
      await expectCountsAsFilled();
    };
    await check();

    // What it finds, spelled out: an alias is matched whole, `%` and `_` are literal.
    expect(await found('ghsa-aaaa-bbbb-cccc')).toEqual([ref(0)]);
    expect(await found('GHSA-AAAA-BBBB-CCCC')).toEqual([ref(0)]);
    expect(await found('ghsa-aaaa')).toEqual([]);
    expect(await found('lib_foo')).toEqual([ref(0)]);
    expect(await found('lib%bar')).toEqual([ref(1)]);
    expect(await found('___')).toEqual([]);
    expect(await found('LIB')).toEqual([ref(0), ref(1), ref(4)]);
    expect(await found('SECURITY.AUDIT')).toEqual([ref(2)]);
    expect(await found('cve-2024-3333')).toEqual([ref(3)]);

    // An exempted issue is still one the entity shows: it is still found.
    const target = await db.selectFrom('targets').select('id').where('name_key', '=', 'acme/svc-4').executeTakeFirstOrThrow();
    const issue = await db.selectFrom('issues').select('id').where('target_id', '=', target.id).where('vulnerability_id', '=', 'CVE-2024-4444').executeTakeFirstOrThrow();
    const exemption = await server.lantern.requestExemption({ issueId: issue.id, reason: 'accepted_risk', comment: 'Not reachable.' });
    await server.lantern.decideExemption(exemption.id, 'approved');
    expect(await found('cve-2024-4444')).toEqual([ref(4)]);

    // Fixed by a later scan: the issue is no longer current and finds nothing, though its terms stay.
    await ingest(3, grype([{ id: 'CVE-2024-5555', pkg: 'libressl' }]), '2026-11-11T08:00:00.000Z');
    expect(await found('cve-2024-3333')).toEqual([]);
    expect(await found('openssl')).toEqual([]);
    expect(await found('lib')).toEqual([ref(0), ref(1), ref(3), ref(4)]);
    await check();

    // A rescan that gives an issue an alias it did not have: found by it from then on.
    await ingest(1, grype([{ id: 'GHSA-dddd-eeee-ffff', related: ['CVE-2024-2222'], pkg: 'lib%bar' }]), '2026-11-12T08:00:00.000Z');
    expect(await found('ghsa-dddd-eeee-ffff')).toEqual([ref(1)]);
    expect(await found('libxfoo')).toEqual([]);
    await check();

    // The migration's backfill gives the same terms as ingest wrote.
    const terms = async () => db.selectFrom('issue_search_terms').select(['term', 'alias', 'issue_id']).orderBy('term').orderBy('alias').orderBy('issue_id').execute();
    const written = await terms();
    await db.deleteFrom('issue_search_terms').execute();
    await db.deleteFrom('search_terms').execute();
    await backfillSearchTerms(db);
    expect(await terms()).toEqual(written);
    await check();
  });
  it('follows link changes, shared targets, fixes, other scanners, rescans of another variant, baselines and unregistering', async () => {
    const { db } = server.lantern.store;
    const app = (i: number) => `component:default/app-${i}`;
    const entity = (i: number, targets: string[]) => `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: app-${i}
  annotations:
    harness.io/sto-test-target:
${targets.map((t) => `      - name: ${t}`).join('\n')}
spec:
  type: service
  owner: team-b
  lifecycle: production`;
    const file = join(dir, 'apps.yaml');
    const write = (app1Targets: string[]) => writeFileSync(file, `${[entity(0, ['acme/app-0']), entity(1, app1Targets), entity(2, ['acme/app-2'])].join('\n---\n')}\n`);
    write(['acme/app-1', 'acme/app-0']);

    await ingestInto('acme/app-0', grype([{ id: 'CVE-2025-0001', pkg: 'shared-pkg' }]), '2026-11-10T08:00:00.000Z');
    await ingestInto('acme/app-1', grype([{ id: 'CVE-2025-0002', pkg: 'only-one' }]), '2026-11-10T08:00:00.000Z');
    await ingestInto('acme/app-2', grype([{ id: 'CVE-2025-0003', pkg: 'shared-pkg' }]), '2026-11-10T08:00:00.000Z');
    const { location } = await server.lantern.catalog.register(file, parseScope('acme.payments'));
    expect(location.status, location.last_error ?? '').not.toBe('error');

    const queries = ['shared-pkg', 'cve-2025-0001', 'cve-2025', 'only-one', 'other-pkg', 'audit-sql', 'ghsa-abcd-efgh-wxyz', 'dev-only', 'app-1', 'zlib'];
    const check = async () => {
      for (const q of queries) expect(await found(q), q).toEqual(await byFullScan(db, q));
      await expectCountsAsFilled();
    };
    await check();
    // Two entities showing one target: both found by its issues.
    expect(await found('cve-2025-0001')).toEqual([app(0), app(1)]);
    expect(await found('shared-pkg')).toEqual([app(0), app(1), app(2)]);

    // Fixed on app-0's target: its package now finds only the other target's entity.
    await ingestInto('acme/app-0', grype([{ id: 'CVE-2025-0004', pkg: 'other-pkg' }]), '2026-11-11T08:00:00.000Z');
    expect(await found('shared-pkg')).toEqual([app(2)]);
    expect(await found('cve-2025-0001')).toEqual([]);
    expect(await found('other-pkg')).toEqual([app(0), app(1)]);
    await check();

    // Another scanner on the same variant adds to what it shows; a rescan by the first takes only the first's away.
    await ingestInto('acme/app-2', semgrepReport([{ rule: 'python.lang.security.Audit-SQL', path: 'app/db.py', line: 4, severity: 'ERROR', snippet: 'cursor.execute(q)' }]), '2026-11-11T08:00:00.000Z');
    expect(await found('shared-pkg')).toEqual([app(2)]);
    expect(await found('audit-sql')).toContain(app(2));
    await ingestInto('acme/app-2', grype([]), '2026-11-12T08:00:00.000Z');
    expect(await found('shared-pkg')).toEqual([]);
    expect(await found('audit-sql')).toContain(app(2));
    await check();

    // A scan of another variant rewrites an issue main has too (same CVE and package, a new alias):
    // main's scan is still current, and the entity that shows main is found by the new alias.
    await ingestInto('acme/app-1', grype([{ id: 'GHSA-abcd-efgh-wxyz', related: ['CVE-2025-0002'], pkg: 'only-one' }, { id: 'CVE-2025-0005', pkg: 'dev-only' }]), '2026-11-12T08:00:00.000Z', 'develop');
    expect(await found('ghsa-abcd-efgh-wxyz')).toEqual([app(1)]);
    expect(await found('dev-only')).toEqual([]);
    await check();

    // The baseline moves to develop: what develop has is shown now.
    const target = await db.selectFrom('targets').select('id').where('name_key', '=', 'acme/app-1').executeTakeFirstOrThrow();
    await server.lantern.setBaseline(target.id, { variant: 'develop' });
    expect(await found('dev-only')).toEqual([app(1)]);
    await check();

    // app-1 no longer links app-0's target.
    write(['acme/app-1']);
    await server.lantern.catalog.refresh(location.id);
    expect(await found('other-pkg')).toEqual([app(0)]);
    expect(await found('cve-2025')).toEqual([app(0), app(1)]);
    await check();

    // Unregistered: its entities are found by nothing.
    await server.lantern.unregisterLocation(location.id);
    expect(await found('other-pkg')).toEqual([]);
    expect(await found('dev-only')).toEqual([]);
    await check();
  });
});
