import type { Command } from 'commander';
import { InputError } from '../../domain/errors.js';
import type { DecisionChange, ExemptionEffect, ExemptionRequest, ReopenChange } from '../../insights/exemption-actions.js';
import type { ExemptionListing, ExemptionQuery, ExemptionView } from '../../insights/exemptions.js';
import { positiveNumber, withLantern } from '../context.js';
import type { CliIo } from '../io.js';
import { examples, required } from '../help.js';
import { json, screenOf, shortTime, table } from '../output.js';
import { callServer, TOKEN_VARIABLE } from '../server-client.js';

interface Where {
  db?: string;
  server?: string;
  json?: boolean;
}

/** `--db` works on the database as the local admin; `--server` calls the API with $LANTERN_TOKEN. */
function where<T extends Command>(command: T): T {
  return command
    .option('--db <url>', 'database (default: $LANTERN_DATABASE_URL or lantern.db); the CLI acts as an admin of it')
    .option('--server <url>', `a Lantern server to call instead, with the API token in $${TOKEN_VARIABLE}`)
    .option('--json', 'print JSON') as T;
}

function oneOf(options: Where): void {
  if (options.db !== undefined && options.server !== undefined) throw new InputError('Give --db or --server, not both.');
}

function exemptionId(id: string): number {
  if (!/^\d{1,9}$/.test(id) || Number(id) < 1) throw new InputError(`Invalid exemption id ${JSON.stringify(id)}: expected the number \`lantern exemptions list\` shows.`);
  return Number(id);
}

/** What an exemption covers, in a few words: the issue and target, or the key and where. */
function subject(e: ExemptionView & Partial<Pick<ExemptionListing, 'targetName' | 'issueTitle' | 'appliesAt'>>): string {
  if (e.issueId !== null) return `issue ${e.issueId}${e.targetName ? ` in ${e.targetName}` : ''}`;
  return `${e.key ?? ''} in ${e.level === 'account' ? 'the account' : `${e.level} ${e.scope ?? ''}`}`;
}

function summary(e: ExemptionView): string {
  return `Exemption ${e.id} (${subject(e)}, ${e.reason}) is ${e.status}${e.expiresAt ? `, until ${shortTime(e.expiresAt)}` : e.status === 'approved' ? ', with no expiry' : ''}.\n`;
}

type Change = { comment?: string; level?: string; scope?: string; duration?: string; expires?: string };
const changeOf = (options: Change): DecisionChange => ({
  ...(options.comment === undefined ? {} : { comment: options.comment }),
  ...(options.level === undefined ? {} : { level: options.level }),
  ...(options.scope === undefined ? {} : { scope: options.scope }),
  ...(options.duration === undefined ? {} : { duration: options.duration }),
  ...(options.expires === undefined ? {} : { expiresAt: options.expires }),
});

export function exemptionsCommand(program: Command, io: CliIo): void {
  const exemptions = program
    .command('exemptions')
    .description('request, list, approve, reject, cancel and re-open exemptions of issues')
    .addHelpText('after', examples('lantern exemptions list --queue', 'lantern exemptions request --issue 123 --reason false_positive --justification "test fixture, never deployed" --duration none', 'lantern exemptions approve 7 --comment "agreed with the team"'));

  where(
    exemptions
      .command('request')
      .description('request an exemption: of one issue (--issue), of its vulnerability or rule in its project, org or the account (--issue with --level), or of --key at --level and --scope')
      .option('--issue <id>', 'the issue id (lantern issues list, or the issue panel)')
      .option('--level <level>', 'target (the issue only), project, org or account')
      .option('--scope <scope>', 'with --key: ORG.PROJECT for a project, ORG for an org')
      .option('--key <id>', 'a vulnerability or rule id, without --issue')
      .addHelpText('after', examples('lantern exemptions request --issue 123 --reason fix_unavailable --justification "no patched release yet" --duration 30d', 'lantern exemptions request --issue 123 --level project --reason accepted_risk --justification "internal only" --preview', 'lantern exemptions request --key CVE-2021-44228 --level org --scope acme --reason compensating_control --justification "WAF rule" --server https://lantern.acme.io'))
      .addOption(required('--reason <reason>', 'compensating_control, acceptable_use, accepted_risk, false_positive, fix_unavailable or other'))
      .addOption(required('--justification <text>', 'why the issue may be ignored'))
      .option('--link <url>', 'a ticket or design note (http or https)')
      .option('--duration <d>', '7d, 30d, 90d (the default) or none (false_positive only)')
      .option('--expires <time>', 'a custom end (ISO 8601) instead of --duration')
      .option('--preview', 'only say what it would hide, storing nothing'),
  ).action(async (options: Where & Change & { issue?: string; key?: string; reason: string; justification: string; link?: string; preview?: boolean }) => {
    oneOf(options);
    const coverage = {
      ...(options.issue === undefined ? {} : { issueId: positiveNumber('--issue', options.issue) }),
      ...(options.level === undefined ? {} : { level: options.level }),
      ...(options.scope === undefined ? {} : { scope: options.scope }),
      ...(options.key === undefined ? {} : { key: options.key }),
    };
    if (options.preview) {
      const effect =
        options.server !== undefined
          ? await callServer<ExemptionEffect>(io, options.server, 'POST', 'api/exemptions/preview', { json: coverage })
          : await withLantern(io, options.db, {}, (lantern) => lantern.previewExemption(coverage));
      return io.out(options.json ? json(effect) : `It ${effect.text}.\n`);
    }
    const request: ExemptionRequest = {
      ...coverage,
      reason: options.reason,
      comment: options.justification,
      ...(options.link === undefined ? {} : { link: options.link }),
      ...(options.duration === undefined ? {} : { duration: options.duration }),
      ...(options.expires === undefined ? {} : { expiresAt: options.expires }),
    };
    const view =
      options.server !== undefined
        ? await callServer<ExemptionView>(io, options.server, 'POST', 'api/exemptions', { json: request })
        : await withLantern(io, options.db, {}, (lantern) => lantern.requestExemption(request));
    io.out(options.json ? json(view) : summary(view));
  });

  where(
    exemptions
      .command('list')
      .description('list exemptions, newest first; --queue lists the pending ones you may decide')
      .option('--status <status>', 'pending, approved, rejected, expired or cancelled')
      .option('--reason <reason>', 'only this reason')
      .option('--level <level>', 'target, project, org or account')
      .option('--scope <scope>', 'only those applying in this scope (account, ORG, ORG.PROJECT) or below')
      .option('--requester <who>', "the requester's principal id or name")
      .option('--expiring-within <days>', 'approved ones expiring within this many days')
      .option('--queue', 'pending requests you may approve or reject')
      .addHelpText('after', examples('lantern exemptions list --queue', 'lantern exemptions list --status approved --expiring-within 7', 'lantern exemptions list --reason false_positive --scope acme.pay --json')),
  ).action(async (options: Where & { status?: string; reason?: string; level?: string; scope?: string; requester?: string; expiringWithin?: string; queue?: boolean }) => {
    oneOf(options);
    const query: Record<string, string> = {};
    for (const [key, value] of Object.entries({ status: options.queue ? 'pending' : options.status, reason: options.reason, level: options.level, scope: options.scope, requester: options.requester })) {
      if (value !== undefined) query[key] = value;
    }
    if (options.expiringWithin !== undefined) query.expiringWithinDays = String(positiveNumber('--expiring-within', options.expiringWithin));
    if (options.queue) query.decidable = 'true';
    const items =
      options.server !== undefined
        ? await callServer<ExemptionListing[]>(io, options.server, 'GET', `api/exemptions?${new URLSearchParams(query)}`)
        : await withLantern(io, options.db, {}, async (lantern) => {
            const { EXEMPTION_STATUSES } = await import('../../insights/exemptions.js');
            if (query.status !== undefined && !(EXEMPTION_STATUSES as readonly string[]).includes(query.status)) {
              throw new InputError(`Invalid --status ${JSON.stringify(query.status)}: expected ${EXEMPTION_STATUSES.join(', ')}.`);
            }
            const local: ExemptionQuery = {
              ...(query as Omit<ExemptionQuery, 'expiringWithinDays' | 'decidable'>),
              expiringWithinDays: query.expiringWithinDays === undefined ? undefined : Number(query.expiringWithinDays),
              decidable: options.queue,
            };
            return lantern.listExemptions(local);
          });
    if (options.json) return io.out(json(items));
    if (items.length === 0) return io.out('No exemptions match.\n');
    io.out(
      table(
        screenOf(io),
        ['ID', 'STATUS', 'COVERS', 'WHERE', 'REASON', 'REQUESTED BY', 'DECIDED BY', 'EXPIRES'],
        items.map((e) => [e.id, e.status, subject(e), e.appliesAt, e.reason, e.requestedBy, e.decidedBy, e.expiresAt ? shortTime(e.expiresAt) : 'never']),
      ),
    );
  });

  for (const [action, status] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    const command = exemptions.command(action).argument('<id>', 'the exemption id (lantern exemptions list)');
    if (action === 'approve') {
      command
        .description('approve a pending exemption, optionally changing its level, scope or duration')
        .option('--comment <text>', 'why')
        .option('--level <level>', 'widen or narrow it: target, project, org or account')
        .option('--scope <scope>', 'the scope of a --key exemption: ORG.PROJECT or ORG')
        .option('--duration <d>', '7d, 30d, 90d or none (false_positive only), from now')
        .option('--expires <time>', 'a custom end (ISO 8601) instead of --duration')
        .addHelpText('after', examples('lantern exemptions approve 7', 'lantern exemptions approve 7 --level project --duration 30d --comment "widened to the project"', 'lantern exemptions approve 7 --server https://lantern.acme.io'));
    } else {
      command
        .description('reject a pending exemption, saying why')
        .addHelpText('after', examples('lantern exemptions reject 7 --comment "fix is available: upgrade to 2.17.1"', 'lantern exemptions reject 7 --comment "needs a compensating control" --server https://lantern.acme.io'))
        .addOption(required('--comment <text>', 'why it is rejected'));
    }
    where(command).action(async (id: string, options: Where & Change) => {
      oneOf(options);
      const change = changeOf(options);
      const view =
        options.server !== undefined
          ? await callServer<ExemptionView>(io, options.server, 'POST', `api/exemptions/${exemptionId(id)}/${action}`, { json: change })
          : await withLantern(io, options.db, {}, (lantern) => lantern.decideExemption(exemptionId(id), status, undefined, change));
      io.out(options.json ? json(view) : summary(view));
    });
  }

  where(exemptions
      .command('cancel')
      .description('cancel a pending request of yours')
      .addHelpText('after', examples('lantern exemptions cancel 7', 'lantern exemptions cancel 7 --comment "fixed instead" --server https://lantern.acme.io'))
      .argument('<id>', 'the exemption id')
      .option('--comment <text>', 'why')).action(
    async (id: string, options: Where & { comment?: string }) => {
      oneOf(options);
      const body = options.comment === undefined ? {} : { comment: options.comment };
      const view =
        options.server !== undefined
          ? await callServer<ExemptionView>(io, options.server, 'POST', `api/exemptions/${exemptionId(id)}/cancel`, { json: body })
          : await withLantern(io, options.db, {}, (lantern) => lantern.cancelExemption(exemptionId(id), undefined, options.comment));
      io.out(options.json ? json(view) : summary(view));
    },
  );

  where(
    exemptions
      .command('reopen')
      .description('ask again, as a new request, what a rejected, expired or cancelled exemption covered')
      .addHelpText('after', examples('lantern exemptions reopen 7', 'lantern exemptions reopen 7 --justification "still no fix upstream" --duration 30d'))
      .argument('<id>', 'the exemption id')
      .option('--justification <text>', 'why, now (default: the earlier justification)')
      .option('--duration <d>', '7d, 30d, 90d or none (false_positive only)')
      .option('--expires <time>', 'a custom end (ISO 8601) instead of --duration'),
  ).action(async (id: string, options: Where & { justification?: string; duration?: string; expires?: string }) => {
    oneOf(options);
    const change: ReopenChange = {
      ...(options.justification === undefined ? {} : { comment: options.justification }),
      ...(options.duration === undefined ? {} : { duration: options.duration }),
      ...(options.expires === undefined ? {} : { expiresAt: options.expires }),
    };
    const view =
      options.server !== undefined
        ? await callServer<ExemptionView>(io, options.server, 'POST', `api/exemptions/${exemptionId(id)}/reopen`, { json: change })
        : await withLantern(io, options.db, {}, (lantern) => lantern.reopenExemption(exemptionId(id), change));
    io.out(options.json ? json(view) : summary(view));
  });
}
