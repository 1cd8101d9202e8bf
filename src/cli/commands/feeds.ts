import type { Command } from 'commander';
import { InputError } from '../../domain/errors.js';
import type { FeedStatus } from '../../store/feeds.js';
import { positiveNumber, withLantern, withStore } from '../context.js';
import type { CliIo } from '../io.js';
import { examples } from '../help.js';
import { json, screenOf, shortTime, table } from '../output.js';
import { callServer, TOKEN_VARIABLE } from '../server-client.js';

interface ImportOptions {
  db?: string;
  allowHost: string[];
  allowPrivate?: boolean;
  maxMb?: string;
  json?: boolean;
}

interface StatusOptions {
  db?: string;
  server?: string;
  json?: boolean;
}

const FEEDS = ['kev', 'epss'] as const;

export function feedsCommand(program: Command, io: CliIo): void {
  const feeds = program
    .command('feeds')
    .description('exploitation feeds: CISA KEV and FIRST EPSS, matched to vulnerability issues by CVE')
    .addHelpText('after', examples('lantern feeds import kev known_exploited_vulnerabilities.json', 'lantern feeds import epss epss_scores-current.csv.gz', 'lantern feeds status'));
  feeds
    .command('import')
    .description("import a feed from a file or URL: kev (CISA's known_exploited_vulnerabilities.json) or epss (FIRST's epss_scores-current.csv, gzipped or not); replaces the previous import in one transaction")
    .addHelpText('after', examples('lantern feeds import kev known_exploited_vulnerabilities.json', 'lantern feeds import epss https://epss.cyentia.com/epss_scores-current.csv.gz --db postgres://lantern@db.internal/lantern', 'lantern feeds import epss epss_scores-current.csv.gz --max-mb 512 --json'))
    .argument('<feed>', 'kev or epss')
    .argument('<source>', 'a file or an http(s) URL')
    .option('--db <url>', 'database (default: $LANTERN_DATABASE_URL or lantern.db)')
    .option('--allow-host <host>', 'a host the URL may reach even at a private address (repeatable)', (value: string, all: string[]) => [...all, value], [])
    .option('--allow-private', 'let the URL reach loopback and private addresses')
    .option('--max-mb <n>', 'refuse a feed larger than this, after decompression (default 256)')
    .option('--json', 'print JSON')
    .action(async (feed: string, source: string, options: ImportOptions) => {
      if (!(FEEDS as readonly string[]).includes(feed)) throw new InputError(`Invalid feed ${JSON.stringify(feed)}: expected kev or epss.`);
      const maxBytes = options.maxMb === undefined ? undefined : positiveNumber('--max-mb', options.maxMb) * 1024 * 1024;
      const result = await withLantern(io, options.db, {}, (lantern) =>
        lantern.importFeed(feed as (typeof FEEDS)[number], source, { allowHosts: options.allowHost, allowPrivate: options.allowPrivate ?? false, ...(maxBytes ? { maxBytes } : {}) }),
      );
      if (options.json) return io.out(json(result));
      io.out(`Imported ${result.rows} ${feed === 'kev' ? 'known-exploited CVEs' : 'EPSS scores'} from ${source}${result.date ? ` (feed date ${result.date})` : ''}.\n`);
    });
  feeds
    .command('status')
    .description('what each feed holds: its date, rows, when it was imported, and the error of a failed attempt')
    .option('--db <url>', 'database (default: $LANTERN_DATABASE_URL or lantern.db)')
    .option('--server <url>', `a Lantern server to ask instead, with the API token in $${TOKEN_VARIABLE}`)
    .option('--json', 'print JSON')
    .addHelpText('after', examples('lantern feeds status', 'lantern feeds status --server https://lantern.acme.io --json'))
    .action(async (options: StatusOptions) => {
      if (options.db !== undefined && options.server !== undefined) throw new InputError('Give --db or --server, not both.');
      const statuses = options.server
        ? ((await callServer(io, options.server, 'GET', '/api/feeds')) as { feeds: FeedStatus[] }).feeds
        : await withStore(io, options.db, async (store) => (await import('../../store/feeds.js')).feedStatuses(store.db), { readOnly: true });
      if (options.json) return io.out(json(statuses));
      io.out(
        table(
          screenOf(io),
          ['FEED', 'LOADED', 'FEED DATE', 'ROWS', 'IMPORTED', 'SOURCE', 'LAST ERROR'],
          statuses.map((s) => [s.name, s.loaded ? 'yes' : 'no (issues never enriched)', s.feedDate, s.rows, shortTime(s.importedAt), s.source, s.error ? `${shortTime(s.attemptedAt)}: ${s.error}` : null]),
        ),
      );
    });
}
