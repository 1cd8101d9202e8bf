import type { Command } from 'commander';
import { InputError } from '../../domain/errors.js';
import type { AuditView } from '../../store/audit.js';
import { positiveNumber, withStore } from '../context.js';
import type { CliIo } from '../io.js';
import { json, shortTime, screenOf, table } from '../output.js';
import { callServer, TOKEN_VARIABLE } from '../server-client.js';
import { examples } from '../help.js';

interface AuditOptions {
  principal?: string;
  action?: string;
  objectType?: string;
  since?: string;
  until?: string;
  limit: string;
  json?: boolean;
  db?: string;
  server?: string;
}

const MAX_LIMIT = 500;

export function auditCommand(program: Command, io: CliIo): void {
  program
    .command('audit')
    .description('show the audit log, newest first: who changed what, where, when and from which address')
    .addHelpText('after', examples('lantern audit --limit 20', 'lantern audit --action scan.ingest --since 2026-11-01 --json', 'LANTERN_TOKEN=lnt_… lantern audit --server https://lantern.example.com --principal token:3'))
    .option('--principal <id>', 'only this principal: user:…, token:N, anonymous, local:…')
    .option('--action <action>', 'only this action, e.g. scan.ingest, exemption.approve, token.create')
    .option('--object-type <type>', 'only changes to this kind of object: scan, target, exemption, location, scorecard, token')
    .option('--since <time>', 'from this time (ISO 8601, inclusive)')
    .option('--until <time>', 'before this time (ISO 8601)')
    .option('--limit <n>', `at most this many entries (up to ${MAX_LIMIT})`, '50')
    .option('--json', 'print JSON')
    .option('--db <url>', 'database (default: $LANTERN_DATABASE_URL or lantern.db)')
    .option('--server <url>', `a Lantern server to ask instead, with the API token in $${TOKEN_VARIABLE}`)
    .action(async (options: AuditOptions) => {
      if (options.db !== undefined && options.server !== undefined) throw new InputError('Give --db or --server, not both.');
      const limit = positiveNumber('--limit', options.limit);
      if (!Number.isInteger(limit) || limit > MAX_LIMIT) throw new InputError(`Invalid --limit ${JSON.stringify(options.limit)}: expected a whole number from 1 to ${MAX_LIMIT}.`);
      const since = time(options.since, '--since');
      const until = time(options.until, '--until');
      let items: AuditView[];
      if (options.server !== undefined) {
        const query = new URLSearchParams({ limit: String(limit) });
        for (const [key, value] of Object.entries({ principal: options.principal, action: options.action, objectType: options.objectType, since, until })) if (value !== undefined) query.set(key, value);
        items = (await callServer<{ items: AuditView[] }>(io, options.server, 'GET', `api/audit?${query}`)).items;
      } else {
        const { auditView, listAudit } = await import('../../store/audit.js');
        const rows = await withStore(io, options.db, (store) =>
          listAudit(store.db, { principal: options.principal, action: options.action, objectType: options.objectType, since, until, limit, scopes: { all: true } }),
        );
        items = rows.map(auditView);
      }
      if (options.json) return io.out(json(items));
      if (items.length === 0) return io.out('No audit entries match.\n');
      io.out(
        table(
          screenOf(io),
          ['TIME', 'PRINCIPAL', 'ACTION', 'OBJECT', 'SCOPE', 'FROM'],
          items.map((a) => [shortTime(a.at), a.principalName === a.principal ? a.principal : `${a.principalName} (${a.principal})`, a.action, a.objectId === null ? a.objectType : `${a.objectType} ${a.objectId}`, a.scope, a.clientAddress]),
        ),
      );
    });
}

function time(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InputError(`Invalid ${flag} ${JSON.stringify(value)}: expected an ISO 8601 time such as 2026-05-01 or 2026-05-01T10:00:00Z.`);
  return new Date(ms).toISOString();
}
