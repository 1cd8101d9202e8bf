import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { grantsFor } from '../access/sign-in-grants.js';
import { formatProblem } from '../catalog/entity.js';
import { parseConfig, readConfigFile } from './config.js';

/** The example of docs/security.md. */
const EXAMPLE = fileURLToPath(new URL('testdata/lantern.yaml', import.meta.url));

describe('the configuration file', () => {
  it('reads the documented example', async () => {
    expect(await readConfigFile(EXAMPLE)).toEqual({
      problems: [],
      config: {
        oidc: {
          issuer: 'https://keycloak.acme.io/realms/acme',
          clientId: 'lantern',
          redirectUrl: 'https://lantern.acme.io/api/auth/callback',
          groupsClaim: 'groups',
          scopes: ['openid', 'profile', 'email'],
        },
        grants: [
          { group: 'appsec', role: 'security', scope: 'account' },
          { group: 'team-payments', role: 'developer', scope: 'acme.payments' },
          { user: 'alice@acme.io', role: 'admin', scope: 'account' },
        ],
        anonymous: { role: 'viewer', scope: 'account' },
        allowSelfApproval: false,
      },
    });
  });

  it('fills in the defaults: groups claim, openid scopes, no grants', () => {
    expect(parseConfig('oidc:\n  issuer: http://localhost:8080/realms/dev\n  clientId: lantern\n  scopes: [groups]\n', 'c.yaml')).toEqual({
      problems: [],
      config: { oidc: { issuer: 'http://localhost:8080/realms/dev', clientId: 'lantern', redirectUrl: undefined, groupsClaim: 'groups', scopes: ['openid', 'groups'] }, grants: [] },
    });
    expect(parseConfig('', 'empty.yaml')).toEqual({ problems: [], config: { grants: [] } });
  });

  it('reports unknown keys, wrong types, invalid roles and scopes, a written secret and plain http, each with file:line:column', () => {
    const text = [
      'oidc:', //                                          1
      '  issuer: http://keycloak.acme.io/realms/acme', //  2
      '  clientSecret: hunter2', //                        3
      '  scopes: openid', //                               4
      'grants:', //                                        5
      '  - group: appsec', //                              6
      '    role: auditor', //                              7
      '    scope: acme.payments.api', //                   8
      '  - user: bob@acme.io', //                          9
      '    group: staff', //                               10
      '    role: viewer', //                               11
      '    scope: account', //                             12
      '  - group: team', //                                13
      '    role: viewer', //                               14
      'anonymous: viewer', //                              15
      'allowSelfApproval: "no"', //                        16
      'listen: 8080', //                                   17
    ].join('\n');
    const { config, problems } = parseConfig(text, '/etc/lantern.yaml');
    expect(config).toBeUndefined();
    expect(problems.map(formatProblem)).toEqual([
      '/etc/lantern.yaml:17:9: error: Unknown field "listen" in the configuration: expected oidc, grants, anonymous, allowSelfApproval, notifications, sla, gate. (field listen)',
      '/etc/lantern.yaml:3:17: error: The client secret is never written in the configuration file: remove clientSecret and set the environment variable LANTERN_OIDC_CLIENT_SECRET. (field oidc.clientSecret)',
      '/etc/lantern.yaml:2:11: error: Invalid OpenID Connect issuer "http://keycloak.acme.io/realms/acme": expected an https URL (plain http only for a provider on a loopback address such as localhost). (field oidc.issuer)',
      '/etc/lantern.yaml:1:1: error: The OpenID Connect client id is missing: expected a text. (field oidc.clientId)',
      '/etc/lantern.yaml:7:11: error: Invalid role "auditor": expected one of viewer, ingester, developer, security, admin. (field grants[0].role)',
      '/etc/lantern.yaml:8:12: error: Invalid scope "acme.payments.api": expected account, an org ORG or a project ORG.PROJECT (letters, digits, \'_\', \'-\', \'$\'). (field grants[0].scope)',
      '/etc/lantern.yaml:9:5: error: The grant names both a group and a user: expected one of them. (field grants[1])',
      '/etc/lantern.yaml:13:5: error: The grant has no scope: expected account, an org ORG or a project ORG.PROJECT. (field grants[2].scope)',
      '/etc/lantern.yaml:15:12: error: The anonymous grant is "viewer": expected a mapping. (field anonymous)',
      '/etc/lantern.yaml:16:20: error: Invalid allowSelfApproval "no": expected true or false. (field allowSelfApproval)',
    ]);
  });

  it('reports a YAML syntax error where it is, and a file that is not there', async () => {
    const broken = parseConfig('grants:\n  - group: [appsec\n', 'broken.yaml');
    expect(broken.problems).toHaveLength(1);
    expect(formatProblem(broken.problems[0]!)).toMatch(/^broken\.yaml:\d+:\d+: error: YAML syntax error: /);
    const missing = await readConfigFile('/nonexistent/lantern.yaml');
    expect(missing.problems.map(formatProblem)).toEqual(['/nonexistent/lantern.yaml: error: The configuration file /nonexistent/lantern.yaml is not usable: it does not exist.']);
  });
});

describe('grants from groups and users', () => {
  const rules = [
    { group: 'appsec', role: 'security', scope: 'account' },
    { group: 'team-payments', role: 'developer', scope: 'acme.payments' },
    { user: 'Alice@Acme.io', role: 'admin', scope: 'account' },
    { user: 'sub-123', role: 'viewer', scope: 'acme' },
    { group: 'payments-leads', role: 'developer', scope: 'acme.payments' },
  ] as const;

  it('gives every rule naming one of the groups, the email (any case) or the subject, once each', () => {
    expect(grantsFor(rules, { subject: 'sub-123', email: 'alice@acme.io', groups: ['team-payments', 'payments-leads'] })).toEqual([
      { role: 'developer', scope: 'acme.payments' },
      { role: 'admin', scope: 'account' },
      { role: 'viewer', scope: 'acme' },
    ]);
    expect(grantsFor(rules, { subject: 'other', email: null, groups: ['contractors'] })).toEqual([]);
  });
});

describe('the sla section', () => {
  it('reads days per severity, the KEV cap, and per-org and per-project days', () => {
    const { config, problems } = parseConfig('sla:\n  critical: 5\n  info: null\n  kevDueDateCap: true\n  scopes:\n    acme: { high: 20 }\n    acme.pay: { critical: 3, kevDueDateCap: false }\n', 'c.yaml');
    expect(problems).toEqual([]);
    expect(config?.sla).toEqual({
      account: { days: { critical: 5, high: 30, medium: 90, low: 180, info: null }, kevDueDateCap: true },
      scopes: { acme: { high: 20 }, 'acme.pay': { critical: 3, kevDueDateCap: false } },
    });
  });

  it('refuses days that are not whole numbers, naming the field', () => {
    const { problems } = parseConfig('sla:\n  high: soon\n  scopes:\n    acme.pay: { low: -1 }\n', 'c.yaml');
    expect(problems.map((p) => [p.field, p.message])).toEqual([
      ['sla.high', 'Invalid high SLA "soon": expected a whole number of days from 1 to 3650, or null for no SLA.'],
      ['sla.scopes["acme.pay"].low', 'Invalid low SLA -1: expected a whole number of days from 1 to 3650, or null for no SLA.'],
    ]);
  });
});
