import type { NotificationConfig } from '../../notifications/notification.js';
import type { SlaPolicies } from '../../insights/sla.js';
import type { GatePolicies } from '../../insights/gate.js';
import type { Command } from 'commander';
import type { OidcSignIn } from '../../access/oidc.js';
import type { Grant } from '../../access/roles.js';
import { formatProblem } from '../../catalog/entity.js';
import type { LanternConfig } from '../../config/config.js';
import { InputError } from '../../domain/errors.js';
import type { CliIo } from '../io.js';
import { examples, required } from '../help.js';

export interface ConfigFlags {
  config?: string;
  oidcIssuer?: string;
  oidcClientId?: string;
}

/** What `lantern serve` takes from --config and the --oidc-* flags. */
export interface ServeSettings {
  oidc?: OidcSignIn | undefined;
  anonymous?: Grant | undefined;
  allowSelfApproval?: boolean | undefined;
  notifications?: NotificationConfig | undefined;
  sla?: SlaPolicies | undefined;
  gates?: GatePolicies | undefined;
}

/** The environment variable that holds the OpenID Connect client secret; it is never read from a file or a flag. */
export const CLIENT_SECRET_VARIABLE = 'LANTERN_OIDC_CLIENT_SECRET';

export function configOptions(command: Command): Command {
  return command
    .option('--config <file>', 'a YAML configuration file: OpenID Connect sign-in, grants by group or user, anonymous role (docs/security.md)')
    .option('--oidc-issuer <url>', 'sign in through this OpenID Connect provider (overrides oidc.issuer of --config)')
    .option('--oidc-client-id <id>', "Lantern's client id at the provider (overrides oidc.clientId); the secret comes from $" + CLIENT_SECRET_VARIABLE);
}

/**
 * Reads --config (printing each problem as `file:line:column: error: …` and refusing to go on when
 * there is one) and applies the --oidc-* flags over it.
 */
export async function serveSettings(flags: ConfigFlags, io: CliIo): Promise<ServeSettings> {
  const config = flags.config === undefined ? { grants: [] } : await checkedConfig(flags.config, io);
  const oidc = await oidcOf(config, flags, io.env[CLIENT_SECRET_VARIABLE]);
  if (oidc) {
    const secret = oidc.clientSecret ? '' : `; no client secret (${CLIENT_SECRET_VARIABLE} is not set), so Lantern signs in as a public client`;
    io.err(`Signing in through OpenID Connect at ${oidc.issuer} as client ${oidc.clientId}${secret}.\n`);
    if (oidc.grants.length === 0) io.err('No grants are configured: people can sign in but hold no role until grants name their groups or emails.\n');
  }
  return { oidc, anonymous: config.anonymous, allowSelfApproval: config.allowSelfApproval, notifications: config.notifications, sla: config.sla, gates: config.gate };
}

export async function checkedConfig(file: string, io: CliIo): Promise<LanternConfig> {
  const { readConfigFile } = await import('../../config/config.js');
  const { config, problems } = await readConfigFile(file);
  for (const problem of problems) io.err(`${formatProblem(problem)}\n`);
  if (!config) {
    const errors = problems.filter((p) => p.level === 'error').length;
    throw new InputError(`The configuration file ${file} has ${errors === 1 ? 'a problem' : `${errors} problems`} (above), so Lantern did not start.`);
  }
  return config;
}

async function oidcOf(config: LanternConfig, flags: ConfigFlags, clientSecret: string | undefined): Promise<OidcSignIn | undefined> {
  if (!config.oidc && flags.oidcIssuer === undefined && flags.oidcClientId === undefined) return undefined;
  const { DEFAULT_GROUPS_CLAIM, DEFAULT_SCOPES, issuerProblem } = await import('../../config/config.js');
  const issuer = flags.oidcIssuer ?? config.oidc?.issuer;
  const clientId = flags.oidcClientId ?? config.oidc?.clientId;
  if (issuer === undefined) throw new InputError('--oidc-client-id needs --oidc-issuer (or oidc.issuer in --config): the URL of the OpenID Connect provider.');
  if (clientId === undefined || clientId.trim() === '') throw new InputError("--oidc-issuer needs --oidc-client-id (or oidc.clientId in --config): Lantern's client id at the provider.");
  const problem = issuerProblem(issuer);
  if (problem) throw new InputError(problem.replace('OpenID Connect issuer', '--oidc-issuer'));
  return {
    issuer,
    clientId: clientId.trim(),
    clientSecret: clientSecret || undefined,
    redirectUrl: config.oidc?.redirectUrl,
    groupsClaim: config.oidc?.groupsClaim ?? DEFAULT_GROUPS_CLAIM,
    scopes: config.oidc?.scopes ?? DEFAULT_SCOPES,
    grants: config.grants,
  };
}

/** `lantern config validate --config FILE`: the problems `lantern serve` would refuse to start with. */
export function configCommand(program: Command, io: CliIo): void {
  program
    .command('config')
    .description('check a configuration file')
    .addHelpText('after', examples('lantern config validate --config lantern.yaml'))
    .command('validate')
    .description('check a --config file as `lantern serve` reads it; exits 2 when it has a problem')
    .addHelpText('after', examples('lantern config validate --config lantern.yaml'))
    .addOption(required('--config <file>', 'the YAML configuration file'))
    .action(async (options: { config: string }) => {
      const config = await checkedConfig(options.config, io);
      const grants = config.grants.length;
      io.out(`${options.config}: valid${config.oidc ? `; OpenID Connect at ${config.oidc.issuer}` : ''}; ${grants} grant${grants === 1 ? '' : 's'}.\n`);
    });
}
