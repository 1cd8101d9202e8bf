import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bytes, semgrepReport, trivyReport } from '../../test/support/reports.js';
import { openTestStore, POSTGRES_URL } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import { Lantern } from '../lantern.js';
import { findEntityByRef } from '../store/catalog-entities.js';
import { linksOfEntity } from '../store/target-links.js';

const CATALOG = fileURLToPath(new URL('../catalog/testdata/store/catalog-info.yaml', import.meta.url));
const findings = (n: number) => Array.from({ length: n }, (_, k) => ({ id: `CVE-2024-${10000 + k}`, pkg: `pkg-${k}`, version: '1.0.0', severity: 'HIGH' as const }));

/**
 * Each statement an ingest sends PostgreSQL waits for the server's answer: on a loaded server the
 * round trips, not the statements' work, make most of a small ingest's time (issue 17). These bound
 * them, counted at the driver, for the first scan of a target an entity's link already names and
 * for a later scan of it. SQLite has no round trips.
 */
describe.skipIf(!POSTGRES_URL)('round trips of an ingest on PostgreSQL', () => {
  let lantern: Lantern;
  let statements: string[] | undefined;
  const query = pg.Client.prototype.query;
  beforeEach(async () => {
    lantern = new Lantern(await openTestStore('postgres'));
    await lantern.catalog.register(CATALOG, parseScope('acme.pay'));
    // The refresh of similar-name hints that follows a first scan runs after its commit, in its own
    // transaction (catalog/link-hints.ts): not the ingest's round trips, so not run here.
    vi.spyOn(lantern.linkHints, 'kick').mockImplementation(() => undefined);
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      statements?.push(String(typeof args[0] === 'string' ? args[0] : (args[0] as { text?: unknown } | undefined)?.text));
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
  });
  afterEach(async () => {
    pg.Client.prototype.query = query;
    await lantern.close();
  });

  const sent = async (variant: string, n: number): Promise<string[]> => {
    statements = [];
    await lantern.ingest({ report: bytes(trivyReport(findings(n))), source: 'trivy.json', target: 'registry.acme.io/payments', targetType: 'container', variant, scope: parseScope('acme.pay') });
    const out = statements;
    statements = undefined;
    return out;
  };
  const counted = async (variant: string, n: number): Promise<number> => (await sent(variant, n)).length;

  // Before the reads whose answers the ingest knows were dropped and others merged: 81 and 67; then
  // at most 65 and 56 until the ingest kept what it wrote and what its refresh read; 55 and 49 until
  // a rescan found its variant among the target's variants and the link hook used what the ingest
  // knew of its target; 54 until new issues were inserted with their priority parts (issue 17); 53
  // until a first scan queued the similar-name hints of the waiting links near its name, to be
  // refreshed after its commit (one insert; the entity's repository link here is such a link).
  it('takes at most 54 for the first scan of a new linked target, and at most 46 for a later scan of it', async () => {
    const first = await counted('latest', 20);
    const entity = await findEntityByRef(lantern.store.db, 'component', 'default', 'payments');
    // The scan linked the entity that named the target: the summary refresh ran.
    expect((await linksOfEntity(lantern.store.db, entity?.id ?? 0))[0]).toMatchObject({ matched: true, variantName: 'latest' });
    const later = await counted('latest', 30);
    expect(first).toBeLessThanOrEqual(54);
    expect(later).toBeLessThanOrEqual(46);
  });

  // A new issue is inserted with its priority parts: a first scan, and a rescan that finds new
  // issues, update none of the issues they wrote (the update of every new issue is gone).
  it('writes no issue twice in a first scan or for the new issues of a rescan', async () => {
    const writesIssues = (text: string) => /^update "issues"/i.test(text.trim());
    expect((await sent('latest', 20)).filter(writesIssues)).toEqual([]);
    // 10 of these 30 are new; the other 20 are unchanged.
    expect((await sent('latest', 30)).filter(writesIssues)).toEqual([]);
    const parts = await lantern.store.db.selectFrom('issues').select(['priority_head', 'priority_tail']).execute();
    expect(parts).toHaveLength(30);
    expect(parts.filter((p) => p.priority_head === null || p.priority_tail === null)).toEqual([]);
  });

  // Findings of a code scanner have no CVE id and no scanner's EPSS: no feed can change their
  // parts, so the ingest does not read the feeds for them.
  it('reads no feed for a first scan of code findings, and writes their parts with them', async () => {
    statements = [];
    await lantern.ingest({
      report: bytes(semgrepReport([{ rule: 'js.xss.raw-html', path: 'src/a.js', line: 3, severity: 'ERROR', snippet: 'x' }, { rule: 'js.crypto.weak-hash', path: 'src/b.js', line: 9, severity: 'WARNING', snippet: 'y' }])),
      source: 'semgrep.json',
      target: 'acme/payments',
      targetType: 'repository',
      variant: 'main',
      scope: parseScope('acme.pay'),
    });
    const sentHere = statements;
    statements = undefined;
    // The feeds' read (exploitation.ts feedMatcher) begins with the feeds' states.
    expect(sentHere.filter((text) => text.includes(`select 'feed' as part`))).toEqual([]);
    expect(sentHere.filter((text) => /^update "issues"/i.test(text.trim()))).toEqual([]);
    const parts = await lantern.store.db.selectFrom('issues').select(['rule_id', 'priority_head', 'priority_tail']).orderBy('rule_id').execute();
    expect(parts.map((p) => p.rule_id)).toEqual(['js.crypto.weak-hash', 'js.xss.raw-html']);
    expect(parts.every((p) => p.priority_head !== null && p.priority_tail?.endsWith(p.rule_id ?? '-'))).toBe(true);
  });

  // A statement text a connection has seen twice is sent prepared (database.ts), parsed once: texts
  // that changed with the number of findings (multi-row VALUES, IN lists) never were, and were new
  // to a process's first ingests whatever ran before them (ConstantStatementsPlugin).
  it('sends the same statement texts whatever the number of findings', async () => {
    const texts = async (sizes: [number, number]): Promise<Set<string>[]> => {
      const fresh = new Lantern(await openTestStore('postgres'));
      try {
        await fresh.catalog.register(CATALOG, parseScope('acme.pay'));
        const out: Set<string>[] = [];
        for (const n of sizes) {
          statements = [];
          await fresh.ingest({ report: bytes(trivyReport(findings(n))), source: 'trivy.json', target: 'registry.acme.io/payments', targetType: 'container', variant: 'latest', scope: parseScope('acme.pay') });
          out.push(new Set(statements));
          statements = undefined;
        }
        return out;
      } finally {
        await fresh.close();
      }
    };
    const few = await texts([3, 5]);
    const many = await texts([12, 30]);
    for (const phase of [0, 1]) {
      const a = [...(few[phase] as Set<string>)].sort();
      const b = [...(many[phase] as Set<string>)].sort();
      expect(a.length).toBeGreaterThan(20);
      expect(b).toEqual(a);
    }
  });
});
