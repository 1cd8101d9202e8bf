import type { Command } from 'commander';
import type { TokenView } from '../../access/tokens.js';
import { InputError } from '../../domain/errors.js';
import { withLantern, withStore } from '../context.js';
import type { CliIo } from '../io.js';
import { json, shortTime, screenOf, table } from '../output.js';
import { callServer, TOKEN_VARIABLE } from '../server-client.js';
import { examples, required } from '../help.js';

interface Where {
  db?: string;
  server?: string;
}

/** `--db` works on the database as the local admin; `--server` calls the API with $LANTERN_TOKEN. */
function where<T extends Command>(command: T): T {
  return command
    .option('--db <url>', 'database (default: $LANTERN_DATABASE_URL or lantern.db); the CLI acts as an admin of it')
    .option('--server <url>', `a Lantern server to call instead, with the API token in $${TOKEN_VARIABLE}`) as T;
}

function oneOf(options: Where): void {
  if (options.db !== undefined && options.server !== undefined) throw new InputError('Give --db or --server, not both.');
}

export function tokensCommand(program: Command, io: CliIo): void {
  const tokens = program
    .command('tokens')
    .description('create, list and revoke API tokens (for CI and scripts)')
    .addHelpText('after', examples('lantern tokens create --name payments-ci --role ingester --scope acme.pay', 'lantern tokens list', 'lantern tokens revoke 3'));

  where(
    tokens
      .command('create')
      .description('create an API token; it is printed once and never again')
      .addHelpText('after', examples('lantern tokens create --name payments-ci --role ingester --scope acme.pay --expires 90d', 'LANTERN_TOKEN=lnt_… lantern tokens create --name reader --role viewer --server https://lantern.example.com'))
      .addOption(required('--name <name>', 'what the token is for, e.g. payments-ci (shown in the audit log)'))
      .addOption(required('--role <role>', 'viewer, ingester, developer, security or admin'))
      .option('--scope <scope>', 'where the role holds: account, ORG or ORG.PROJECT', 'account')
      .option('--expires <duration>', 'expire after this long, e.g. 90d, 12h, 2w, 1y (default: never)')
      .option('--json', 'print JSON'),
  ).action(async (options: Where & { name: string; role: string; scope: string; expires?: string; json?: boolean }) => {
    oneOf(options);
    const request = { name: options.name, role: options.role, scope: options.scope, ...(options.expires === undefined ? {} : { expires: options.expires }) };
    const { token, view } =
      options.server !== undefined
        ? await callServer<TokenView & { token: string }>(io, options.server, 'POST', 'api/tokens', { json: request }).then(({ token: t, ...v }) => ({ token: t, view: v }))
        : await withLantern(io, options.db, {}, (lantern) => lantern.createToken(request));
    if (options.json) return io.out(json({ id: view.id, name: view.name, role: view.role, scope: view.scope, token, expiresAt: view.expiresAt }));
    io.out(table(screenOf(io), ['ID', 'NAME', 'ROLE', 'SCOPE', 'EXPIRES'], [[view.id, view.name, view.role, view.scope, view.expiresAt ? shortTime(view.expiresAt) : 'never']]));
    io.out(`${token}\n`);
    io.err('This token is shown once: store it in a secret now (Lantern keeps only its hash).\n');
  });

  where(tokens.command('list').description('list API tokens (never the tokens themselves)').addHelpText('after', examples('lantern tokens list', 'LANTERN_TOKEN=lnt_… lantern tokens list --server https://lantern.example.com --json')).option('--json', 'print JSON')).action(async (options: Where & { json?: boolean }) => {
    oneOf(options);
    const views =
      options.server !== undefined
        ? await callServer<TokenView[]>(io, options.server, 'GET', 'api/tokens')
        : await withStore(io, options.db, async (store) => {
            const { listTokens, tokenView } = await import('../../access/tokens.js');
            return (await listTokens(store.db)).map(tokenView);
          });
    if (options.json) return io.out(json(views));
    if (views.length === 0) return io.out('No API tokens yet: `lantern tokens create --name NAME --role ROLE` makes one.\n');
    io.out(
      table(
        screenOf(io),
        ['ID', 'NAME', 'ROLE', 'SCOPE', 'CREATED BY', 'CREATED', 'EXPIRES', 'LAST USED', 'REVOKED'],
        views.map((t) => [t.id, t.name, t.role, t.scope, t.createdBy, shortTime(t.createdAt), t.expiresAt ? shortTime(t.expiresAt) : 'never', shortTime(t.lastUsedAt), shortTime(t.revokedAt)]),
      ),
    );
  });

  where(tokens.command('revoke').description('revoke an API token: it is refused from then on').addHelpText('after', examples('lantern tokens revoke 3')).argument('<id>', 'the token id (lantern tokens list)')).action(async (id: string, options: Where) => {
    oneOf(options);
    if (!/^\d{1,9}$/.test(id) || Number(id) < 1) throw new InputError(`Invalid token id ${JSON.stringify(id)}: expected the number \`lantern tokens list\` shows.`);
    const view =
      options.server !== undefined
        ? await callServer<TokenView>(io, options.server, 'DELETE', `api/tokens/${id}`)
        : await withLantern(io, options.db, {}, (lantern) => lantern.revokeToken(Number(id)));
    io.out(`Revoked API token ${view.id} (${view.name}, ${view.role} at ${view.scope}).\n`);
  });
}
