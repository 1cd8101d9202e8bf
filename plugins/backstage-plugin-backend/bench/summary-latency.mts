/**
 * What the backend plugin adds to an entity summary read (the bar: at most 5 ms p95 over a
 * direct call to Lantern, cached). The plugin runs in Backstage's test backend, a real Lantern on a
 * loopback port holds the scorecards test estate; both are read over HTTP with keep-alive, one
 * request at a time, alternating. The permission decision is an in-process policy that allows:
 * a real permission backend adds its own time, which this does not measure.
 *
 *   cd plugins && npm install && cd .. && npx tsx plugins/backstage-plugin-backend/bench/summary-latency.mts [requests]
 */
import type { AddressInfo } from 'node:net';
import { coreServices, createServiceFactory, type PermissionsService } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { startPluginEstate } from '../../../test/support/plugin-estate.js';
import lanternPlugin from '../src/index';

const requests = Number(process.argv[2] ?? 1000);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function timed(url: string, headers: Record<string, string>): Promise<number> {
  const start = performance.now();
  const response = await fetch(url, { headers });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}`);
  return performance.now() - start;
}

async function main(): Promise<void> {
  const lantern = await startPluginEstate('sqlite');
  const allow = createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: (): PermissionsService => ({
      authorize: async (r) => r.map(() => ({ result: AuthorizeResult.ALLOW })),
      authorizeConditional: async () => [],
    }),
  });
  const backend = await startTestBackend({
    features: [lanternPlugin, allow, mockServices.rootConfig.factory({ data: { lantern: { baseUrl: lantern.url, token: lantern.token, cacheSeconds: 3600 } } })],
  });
  const { port } = backend.server.address() as AddressInfo;
  const direct = { url: `${lantern.url}/api/insights/entities/component/default/full/summary`, headers: { authorization: `Bearer ${lantern.token}` } };
  const plugin = { url: `http://127.0.0.1:${port}/api/lantern/entities/component/default/full/summary`, headers: { authorization: mockCredentials.user.header('user:default/alice') } };

  for (let i = 0; i < 50; i++) {
    await timed(direct.url, direct.headers);
    await timed(plugin.url, plugin.headers);
  }
  const times = { direct: [] as number[], plugin: [] as number[] };
  for (let i = 0; i < requests; i++) {
    times.direct.push(await timed(direct.url, direct.headers));
    times.plugin.push(await timed(plugin.url, plugin.headers));
  }
  const rows = Object.entries(times).map(([name, t]) => {
    const sorted = [...t].sort((a, b) => a - b);
    return { name, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
  });
  console.log(`${requests} summary reads each, one at a time (ms):`);
  for (const r of rows) console.log(`${r.name.padEnd(7)} p50 ${r.p50.toFixed(2)}  p95 ${r.p95.toFixed(2)}  p99 ${r.p99.toFixed(2)}`);
  console.log(`the plugin adds at p95: ${(rows[1]!.p95 - rows[0]!.p95).toFixed(2)} ms`);
  await backend.stop();
  await lantern.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
