import { resolve } from 'node:path';
import type { Command } from 'commander';
import { clearDemoDatabase, defaultDemoDatabase, stampDemoDatabase } from '../../demo/database.js';
import { InputError } from '../../domain/errors.js';
import type { CliIo } from '../io.js';
import { portOption, requirePortFree, serveUntilStopped } from './serve.js';
import { examples } from '../help.js';

export interface DemoOptions {
  port: string;
  host: string;
  db?: string;
}

export function demoCommand(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description('build the Acme Pay demo estate (catalog and scans) in a fresh SQLite database and serve it until stopped with Ctrl-C')
    .addHelpText('after', examples('lantern demo', 'lantern demo --port 8080 --db /tmp/acme-demo.db'))
    .option('--port <n>', 'port to listen on', '7007')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--db <path>', `the demo's SQLite file, deleted and built again on every run (default: ${defaultDemoDatabase()})`)
    .action(async (options: DemoOptions) => {
      const port = portOption(options.port);
      await requirePortFree(port, options.host);
      const [{ buildDemoEstate, DemoClock, demoLanternOptions }, { openLantern }, { isPostgresUrl }] = await Promise.all([
        import('../../demo/estate.js'),
        import('../../lantern.js'),
        import('../../store/database.js'),
      ]);
      if (options.db !== undefined && isPostgresUrl(options.db)) {
        throw new InputError(`Invalid --db ${JSON.stringify(options.db)}: the demo builds a SQLite file; give a file path.`);
      }
      // Never LANTERN_DATABASE_URL: that names the user's own database.
      const path = resolve(options.db ?? defaultDemoDatabase());
      clearDemoDatabase(path);
      const started = performance.now();
      io.err(`Building the Acme Pay demo estate in ${path} …\n`);
      const clock = new DemoClock();
      const lantern = await openLantern(path, demoLanternOptions(clock), io.env);
      try {
        stampDemoDatabase(lantern.store);
        const estate = await buildDemoEstate(lantern, { now: new Date(), clock });
        const days = Math.round((Date.parse(estate.lastScanAt) - Date.parse(estate.firstScanAt)) / 86_400_000);
        io.err(
          `  ${estate.entities} catalog entities with ${estate.links} target links, ${estate.matchedLinks} of them showing data\n` +
            `  ${estate.targets} targets, ${estate.scans} scans over ${days} days, ${estate.issues} issues\n` +
            `  built in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
        );
      } catch (error) {
        await lantern.close();
        throw error;
      }
      await serveUntilStopped(lantern, io, {
        port,
        host: options.host,
        // Read-only for anyone who opens the page; the admin token printed at start tries the write paths.
        auth: { anonymous: { role: 'viewer', scope: 'account' } },
        refreshIntervalMs: 0,
        // Request logs would bury the one line that matters here.
        logLevel: io.env.LANTERN_LOG_LEVEL ?? 'warn',
        listening: (address) => `Lantern demo is serving on ${address}\n`,
      });
    });
}
