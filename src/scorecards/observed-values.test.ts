import { expect, it } from 'vitest';
import { DAY1, DAY2, useScorecardEstate } from '../../test/support/scorecard-estate.js';
import { describeEachStore, type StoreKind } from '../../test/support/stores.js';
import { DEFAULT_SLA_POLICIES } from '../insights/sla.js';
import { Lantern } from '../lantern.js';
import { evaluateCheck } from './checks.js';
import { evaluateScorecards, type StartedFailing } from './evaluate.js';
import { readEntityFacts } from './data-points.js';
import { entityScorecards, scorecardResultsPage } from './results.js';
import { appliesTo } from './scorecard.js';

const DAY3 = '2026-03-14T09:00:00.000Z';

/**
 * A result keeps the moment a count of days starts from, not the count (0031-scorecard-observed):
 * an evaluation a day later writes only the results whose statuses or values changed, and every
 * result still shows the counts an evaluation at that time would have stored.
 */
describeEachStore('observed values that count days', (kind: StoreKind) => {
  let lantern: Lantern;
  useScorecardEstate(kind, (opened) => ({ lantern } = opened));

  const db = () => lantern.store.db;
  const results = () => db().selectFrom('scorecard_results').selectAll().orderBy('scorecard_id').orderBy('entity_id').execute();
  const entities = () => db().selectFrom('entities').select(['id', 'ref']).orderBy('id').execute();
  /** What every entity's scorecards show: through the entity's panel and the scorecards' results pages. */
  const shown = async () => {
    const scorecards = await lantern.scorecards.list(db());
    const panels = [];
    const refs = [];
    for (const { id, ref } of await entities()) {
      panels.push(await entityScorecards(db(), id, scorecards));
      refs.push(ref);
    }
    const pages = new Map<string, Awaited<ReturnType<typeof scorecardResultsPage>>['items']>();
    for (const scorecard of scorecards) pages.set(scorecard.id, (await scorecardResultsPage(db(), scorecard, { sort: 'name', limit: 100 })).items);
    return { panels, refs, pages };
  };
  /** Each entity's observed values as evaluating the checks at `now` gives them: what a result stored at `now` showed. */
  const evaluatedAt = async (now: string) => {
    const scorecards = await lantern.scorecards.list(db());
    const facts = await readEntityFacts(db(), undefined, { risk: { policies: DEFAULT_SLA_POLICIES, now } });
    return facts.map((f) => scorecards.filter((s) => appliesTo(s.filter, f)).map((s) => ({ id: s.id, observed: s.checks.map((c) => evaluateCheck(c, f, Date.parse(now)).observed) })));
  };
  const observed = (panels: Awaited<ReturnType<typeof shown>>['panels']) => panels.map((views) => views.map((v) => ({ id: v.id, observed: v.checks.map((c) => c.rules.map((r) => r.observed)) })));
  const daysSinceScan = (panels: Awaited<ReturnType<typeof shown>>['panels']) =>
    panels.flatMap((views) => views.filter((v) => v.id === 'pci').map((v) => v.checks.find((c) => c.id === 'recent')?.rules[0]?.observed));

  it('writes no result a day later when no status changes, and shows the counts a day on', async () => {
    await lantern.evaluateScorecards(DAY2);
    const before = await results();
    const day2 = await shown();
    expect(observed(day2.panels)).toEqual(await evaluatedAt(DAY2));
    // The pci scorecard counts days since the last scan on full and clean, and they fail it from DAY2 on.
    expect(daysSinceScan(day2.panels)).toEqual([7, 7]);

    const evaluations = await lantern.evaluateScorecards(DAY3);
    expect(evaluations.map((e) => e.changed)).toEqual(evaluations.map(() => 0));
    expect(await results()).toEqual(before);
    const day3 = await shown();
    expect(observed(day3.panels)).toEqual(await evaluatedAt(DAY3));
    expect(daysSinceScan(day3.panels)).toEqual([8, 8]);
    // What counts days shows as updated when the count moved, as a result written again did; the rest as stored.
    const counting = new Set(before.filter((r) => r.checks.includes('daysSince')).map((r) => `${r.scorecard_id} ${r.entity_id}`));
    expect([...counting].filter((k) => k.startsWith('pci ')).length).toBe(2);
    const ids = (await entities()).map((e) => e.id);
    for (const [i, views] of day3.panels.entries()) {
      for (const [j, view] of views.entries()) expect(view.updatedAt).toBe(counting.has(`${view.id} ${ids[i]}`) ? DAY3 : day2.panels[i]?.[j]?.updatedAt);
    }
    // The results pages say the same.
    for (const [scorecardId, items] of day3.pages) {
      for (const item of items) expect(item.updatedAt).toBe(day3.panels[day3.refs.indexOf(item.entityRef)]?.find((v) => v.id === scorecardId)?.updatedAt);
    }
    expect([...day3.pages.values()].flat().length).toBe(day3.panels.flat().length);

    // An evaluation dated earlier than a result stores its own counts again: pci's results pass on
    // DAY1, fail again from DAY3 (written then), and fail on DAY2 with a count a day less.
    await lantern.evaluateScorecards(DAY1);
    await lantern.evaluateScorecards(DAY3);
    expect((await results()).filter((r) => r.scorecard_id === 'pci').map((r) => r.updated_at)).toEqual([DAY3, DAY3]);
    await lantern.evaluateScorecards(DAY2);
    expect(observed((await shown()).panels)).toEqual(await evaluatedAt(DAY2));
  });

  it('writes a result whose status changed a day later', async () => {
    await lantern.evaluateScorecards(DAY1);
    const clean = (await db().selectFrom('entities').select('id').where('name', '=', 'clean').executeTakeFirstOrThrow()).id;
    const pci = () => db().selectFrom('scorecard_results').selectAll().where('scorecard_id', '=', 'pci').where('entity_id', '=', clean).executeTakeFirstOrThrow();
    expect((await pci()).updated_at).toBe(DAY1);
    // Half an hour later nothing changed: nothing is written, and the results are known to hold then.
    const later = '2026-03-12T09:30:00.000Z';
    expect((await lantern.evaluateScorecards(later)).map((e) => e.changed)).toEqual([0, 0, 0, 0, 0]);
    const scorecards = await lantern.scorecards.list(db());
    const failing: StartedFailing[] = [];
    const evaluations = await lantern.store.transaction((trx) => evaluateScorecards(lantern.store, trx, scorecards, { now: DAY2, onStartedFailing: (c) => failing.push(c) }));
    // A check that starts failing passed until the last evaluation that found it passing.
    expect(failing.filter((f) => f.entityId === clean && f.scorecard.id === 'pci').map((f) => [f.checkId, f.passedAt])).toEqual([['recent', later]]);
    // 6 days 23 hours after the last scan on DAY1, 7 days on DAY2: `recent` (at most 6) fails.
    expect(evaluations.find((e) => e.scorecard === 'pci')?.changed).toBe(2);
    // What was written is what changed status: each has the day's history.
    const written = (await results()).filter((r) => r.updated_at === DAY2).map((r) => `${r.scorecard_id} ${r.entity_id}`);
    const decided = (await db().selectFrom('scorecard_history').select(['scorecard_id', 'entity_id']).where('day', '=', '2026-03-13').orderBy('scorecard_id').orderBy('entity_id').execute()).map((h) => `${h.scorecard_id} ${h.entity_id}`);
    expect(written).toEqual(decided);
    expect(written.length).toBe(evaluations.reduce((n, e) => n + e.changed, 0));
    expect(await pci()).toMatchObject({ updated_at: DAY2, checks: expect.stringMatching(/^\{"recent":\["fail",0,\{"daysSince":"2026-03-05T10:00:00.000Z"\}\]/) });
    const [view] = (await entityScorecards(db(), clean, [await lantern.scorecards.find(db(), 'pci')])) ?? [];
    expect(view?.checks[0]).toMatchObject({ status: 'fail', rules: [{ observed: 7, sentence: '7 days since the last scan; this check wants at most 6.' }] });
    expect(await db().selectFrom('scorecard_history').select(['day', 'statuses']).where('scorecard_id', '=', 'pci').where('entity_id', '=', clean).orderBy('day').execute()).toEqual([
      { day: '2026-03-12', statuses: '{"recent":"pass","young-issues":"pass"}' },
      { day: '2026-03-13', statuses: '{"recent":"fail","young-issues":"pass"}' },
    ]);
  });

  it('reads results stored with the counts themselves as they were, and stores them anew on the next evaluation', async () => {
    await lantern.evaluateScorecards(DAY2);
    const day2 = await shown();
    const counting = (await results()).filter((r) => r.checks.includes('daysSince')).map((r) => r.scorecard_id);
    expect(counting).toContain('pci');
    // As the code before 0031 stored them: the counts as of updated_at, and no evaluation recorded.
    for (const row of await results()) {
      const checks = row.checks.replace(/\{"daysSince":("[^"]+")\}/g, (_, at: string) => String(Math.floor((Date.parse(row.updated_at) - Date.parse(JSON.parse(at) as string)) / 86_400_000)));
      await db().updateTable('scorecard_results').set({ checks }).where('scorecard_id', '=', row.scorecard_id).where('entity_id', '=', row.entity_id).execute();
    }
    await db().deleteFrom('scorecard_evaluations').execute();
    expect(await results()).not.toEqual(expect.arrayContaining([expect.objectContaining({ checks: expect.stringContaining('daysSince') })]));
    expect(await shown()).toEqual(day2);

    const evaluations = await lantern.evaluateScorecards(DAY2);
    expect(evaluations.map((e) => e.changed)).toEqual(evaluations.map((e) => counting.filter((id) => id === e.scorecard).length));
    expect((await results()).filter((r) => r.checks.includes('daysSince')).map((r) => r.scorecard_id)).toEqual(counting);
    expect(await shown()).toEqual(day2);
  });
});
