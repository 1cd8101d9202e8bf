import { nameKeys } from '../src/catalog/matching.js';
import { parseScope } from '../src/domain/scope.js';
import type { Lantern } from '../src/lantern.js';
import { storedTargets, targetsForLinks } from '../src/store/target-links.js';
import { median } from './measure.js';

/**
 * What resolving one entity's links reads, timed in-process without the rest of a registration:
 * the targets found through the name index (store/target-links.ts targetsForLinks) beside the
 * full pass that registration made before (every target and its variants). Median ms of `runs`,
 * for an estate entity's two links (both exist), a name no target has, and one that is as long
 * as every image name of the estate (the similar-name hint reads every image name's key).
 */
export async function linkLookups(lantern: Lantern, runs = 5): Promise<Array<{ name: string; ms: number; targets: number }>> {
  const { db } = lantern.store;
  const cases: Array<[string, Array<[string, string]>]> = [
    ['index: an estate entity\'s two links (both named targets exist)', [['acme/svc-00042', 'acme.services'], ['registry.acme.io/svc-00042', 'account']]],
    ['index: a name no target has', [['registry.acme.io/not-scanned-yet-0', 'account']]],
    ['index: a name no target has, as long as every image name', [['registry.acme.io/svc-w0000', 'account']]],
  ];
  const out: Array<{ name: string; ms: number; targets: number }> = [];
  for (const [name, links] of cases) {
    const keys = links.map(([link, scope]) => nameKeys(link, parseScope(scope)));
    const times: number[] = [];
    let targets = 0;
    for (let run = 0; run < runs; run++) {
      const start = performance.now();
      targets = (await targetsForLinks(db, keys)).targets.length;
      times.push(performance.now() - start);
    }
    out.push({ name, ms: median(times), targets });
  }
  const times: number[] = [];
  let targets = 0;
  for (let run = 0; run < Math.min(runs, 3); run++) {
    const start = performance.now();
    targets = (await storedTargets(db)).targets.length;
    times.push(performance.now() - start);
  }
  out.push({ name: 'full pass: every target and its variants (what registration read before)', ms: median(times), targets });
  return out;
}
