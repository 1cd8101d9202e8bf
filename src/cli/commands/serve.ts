import type { Command } from 'commander';
import { buildServer } from '../../api/server.js';
import { InputError } from '../../domain/errors.js';
import { DEFAULT_MAX_REPORT_MB } from '../../ingest/report-file.js';
import { openLantern } from '../../lantern.js';
import { positiveNumber } from '../context.js';
import type { CliIo } from '../io.js';

export interface ServeOptions {
  db?: string;
  port: string;
  host: string;
  maxReportMb: string;
}

export function serveCommand(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('serve the API (and the web UI) until stopped with Ctrl-C or SIGTERM')
    .option('--db <url>', 'database (default: $LANTERN_DATABASE_URL or lantern.db)')
    .option('--port <n>', 'port to listen on', '7007')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--max-report-mb <n>', 'refuse uploaded reports larger than this', String(DEFAULT_MAX_REPORT_MB))
    .action(async (options: ServeOptions) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`Invalid --port ${JSON.stringify(options.port)}: expected 0-65535.`);
      const maxReportBytes = positiveNumber('--max-report-mb', options.maxReportMb) * 1024 * 1024;
      const lantern = await openLantern(options.db, { maxReportBytes }, io.env);
      const app = await buildServer(lantern, { logger: { level: io.env.LANTERN_LOG_LEVEL ?? 'info' } });
      try {
        const address = await app.listen({ port, host: options.host });
        io.err(`Lantern is serving ${lantern.store.description} on ${address}\n`);
        await (io.stopSignal ?? new Promise<void>(() => undefined));
        io.err('Stopping: finishing requests in flight…\n');
      } finally {
        // close() stops accepting connections and waits for requests in flight (ingests included).
        await app.close();
        await lantern.close();
      }
    });
}
