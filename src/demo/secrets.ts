import type { SecretPlacement, SecretRule } from './target.js';

/**
 * Gitleaks rules and the fake credentials the demo plants for them. Every value is made at run
 * time from the seed and says DEMO or FAKE in it, so nothing here looks like a real credential
 * to a scanner reading this source, and nothing in a report could be one.
 */

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE64 = `${ALNUM}+/`;

const AWS: SecretRule = {
  id: 'aws-access-token',
  description: 'Identified a pattern that may indicate AWS credentials, risking unauthorized cloud resource access and data breaches on AWS platforms.',
  make: (random) => ['AKIA', 'DEMO', random.chars(12, UPPER)].join(''),
};

const STRIPE: SecretRule = {
  id: 'stripe-access-token',
  description: 'Found a Stripe Access Token, posing a risk to payment processing services and sensitive financial data.',
  make: (random) => ['sk', 'live', `FAKEdemo${random.chars(16, ALNUM)}`].join('_'),
};

const SLACK: SecretRule = {
  id: 'slack-webhook-url',
  description: 'Discovered a Slack Webhook, which could lead to unauthorized message posting and data leakage in Slack channels.',
  make: (random) => ['https:', '', 'hooks.slack.com', 'services', 'T0DEMO000', 'B0FAKE000', random.chars(24, ALNUM)].join('/'),
};

const GITHUB: SecretRule = {
  id: 'github-pat',
  description: 'Uncovered a GitHub Personal Access Token, potentially leading to unauthorized repository access and sensitive content exposure.',
  make: (random) => ['ghp', `DEMOFAKE${random.chars(28, ALNUM)}`].join('_'),
};

const PRIVATE_KEY: SecretRule = {
  id: 'private-key',
  description: 'Identified a Private Key, which may compromise cryptographic security and sensitive data encryption.',
  make: (random) => {
    const dashes = '-----';
    return `${dashes}BEGIN ${'PRIVATE'} KEY${dashes}\nMIIEvDEMOFAKEkqhkiG9w0BAQEFAASC${random.chars(48, BASE64)}\n${dashes}END ${'PRIVATE'} KEY${dashes}`;
  },
};

const GENERIC: SecretRule = {
  id: 'generic-api-key',
  description: 'Detected a Generic API Key, potentially exposing access to various services and sensitive operations.',
  make: (random) => `demo_fake_${random.hex(32)}`,
};

const SENDGRID: SecretRule = {
  id: 'sendgrid-api-token',
  description: 'Detected a SendGrid API token, posing a risk of unauthorized email service operations and data exposure.',
  make: (random) => ['SG', `DEMOFAKE${random.chars(14, ALNUM)}`, random.chars(43, ALNUM)].join('.'),
};

const TWILIO: SecretRule = {
  id: 'twilio-api-key',
  description: 'Found a Twilio API Key, posing a risk to communication services and sensitive customer interaction data.',
  // Twilio key SIDs are SK and 32 hex digits: "deadbeef" marks this one as made up.
  make: (random) => `SK${'deadbeef'}${random.hex(24)}`,
};

export const PAYMENTS_API_SECRETS: readonly SecretPlacement[] = [
  { rule: AWS, file: 'src/main/resources/application-dev.yml', line: 14, context: '    access-key-id: {secret}', author: 'Amara Okafor', message: 'Use the dev S3 bucket for settlement exports' },
  { rule: STRIPE, file: 'src/test/java/com/acmepay/payments/acquirer/StripeAcquirerIT.java', line: 22, context: '    private static final String API_KEY = "{secret}";', author: 'Ravi Menon', message: 'Integration test against the Stripe sandbox' },
  { rule: SLACK, file: 'scripts/notify-release.sh', line: 6, context: 'WEBHOOK="{secret}"', author: 'Amara Okafor', message: 'Post release notes to #payments-releases' },
];

export const PLATFORM_SECRETS: readonly SecretPlacement[] = [
  { rule: PRIVATE_KEY, file: 'services/ledger/testdata/tls/server.key', line: 1, context: '{secret}', author: 'Mei Tanaka', message: 'Add TLS test certificates' },
  { rule: GENERIC, file: 'services/reconciler/config/dev.env', line: 3, context: 'BANK_SFTP_API_KEY={secret}', author: 'Lukas Novak', message: 'Reconciler: dev settings' },
  { rule: GITHUB, file: 'tools/release/publish.sh', line: 12, context: 'export GITHUB_TOKEN={secret}', author: 'Mei Tanaka', message: 'Publish release artifacts' },
];

export const NOTIFICATIONS_SECRETS: readonly SecretPlacement[] = [
  { rule: SENDGRID, file: 'src/config/default.ts', line: 8, context: "  sendgridApiKey: '{secret}',", author: 'Sofia Rossi', message: 'Send receipts through SendGrid' },
  { rule: TWILIO, file: 'test/fixtures/sms-provider.json', line: 4, context: '  "apiKeySid": "{secret}",', author: 'Sofia Rossi', message: 'SMS fallback fixtures' },
  { rule: SLACK, file: 'src/channels/slack.ts', line: 15, context: "const OPS_WEBHOOK = '{secret}';", author: 'Mei Tanaka', message: 'Page ops on failed payouts' },
];
