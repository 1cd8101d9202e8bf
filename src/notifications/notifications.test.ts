import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type AccessEstate, buildAccessEstate } from '../../test/support/access-estate.js';
import { describeEachStore, POSTGRES_URL, type StoreKind } from '../../test/support/stores.js';
import { parseConfig } from '../config/config.js';
import { Lantern } from '../lantern.js';
import { openStore } from '../store/database.js';
import type { NotificationConfig } from './notification.js';

const T0 = '2026-05-01T10:00:00.000Z';
const SECRET = 'hook-secret-do-not-log';
const ENV = { LANTERN_TEST_HOOK_SECRET: SECRET };

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A webhook receiver on a loopback port that answers `status` (changeable) and records what it got. */
async function receiver(): Promise<{ url: string; received: Received[]; status: { code: number }; close(): Promise<void> }> {
  const received: Received[] = [];
  const status = { code: 200 };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body });
      response.statusCode = status.code;
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, status, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const config = (url: string): NotificationConfig => ({
  channels: [
    { name: 'hook', type: 'webhook', url: `${url}/hook`, secretEnv: 'LANTERN_TEST_HOOK_SECRET' },
    { name: 'slack', type: 'slack', url: `${url}/slack` },
  ],
  rules: [
    { events: ['exemption.requested', 'exemption.decided'], channel: 'hook' },
    { events: ['exemption.requested'], channel: 'slack', scopes: ['acme.pay'] },
  ],
});

describeEachStore('notifications of exemptions to webhooks', (kind: StoreKind) => {
  let e: AccessEstate;
  let hook: Awaited<ReturnType<typeof receiver>>;
  afterEach(async () => {
    await e.close();
    await hook.close();
  });

  it('queues one delivery per event and channel, signs webhook bodies with HMAC-SHA256, formats Slack, retries while the receiver is down', async () => {
    hook = await receiver();
    hook.status.code = 503;
    e = await buildAccessEstate(kind, { clock: () => T0, notifications: config(hook.url) });
    // The estate requested one exemption in acme.pay and one in acme.edge: the hook gets both, Slack only acme.pay's.
    const first = await e.lantern.deliverNotifications(ENV, { firstRetryMs: 0 });
    expect(first).toEqual({ sent: 0, failed: 3 });
    const listed = await e.server.app.inject({ method: 'GET', url: '/api/notifications/deliveries', headers: { authorization: `Bearer ${e.tokens['admin@account']}` } });
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().map((d: { channel: string; status: string; attempts: number; lastError: string }) => [d.channel, d.status, d.attempts, d.lastError])).toEqual([
      ['hook', 'pending', 1, 'hook answered 503'],
      ['slack', 'pending', 1, 'slack answered 503'],
      ['hook', 'pending', 1, 'hook answered 503'],
    ]);
    const denied = await e.server.app.inject({ method: 'GET', url: '/api/notifications/deliveries', headers: { authorization: `Bearer ${e.tokens['admin@acme.pay']}` } });
    expect(denied.statusCode).toBe(403);

    hook.status.code = 204;
    hook.received.length = 0;
    expect(await e.lantern.deliverNotifications(ENV, { firstRetryMs: 0 })).toEqual({ sent: 3, failed: 0 });
    expect(await e.lantern.deliverNotifications(ENV, { firstRetryMs: 0 })).toEqual({ sent: 0, failed: 0 });

    const hooks = hook.received.filter((r) => r.path === '/hook');
    expect(hooks).toHaveLength(2);
    for (const r of hooks) {
      expect(r.headers['x-lantern-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(r.body).digest('hex')}`);
      expect(r.headers['x-lantern-event']).toBe('exemption.requested');
    }
    const pay = hooks.map((r) => JSON.parse(r.body)).find((b) => b.scope === 'acme.pay');
    expect(pay).toMatchObject({
      event: 'exemption.requested',
      key: `exemption.requested:${e.pay.exemptionId}`,
      scope: 'acme.pay',
      at: T0,
      text: `developer@acme.pay requests an exemption (accepted_risk) of issue ${e.pay.issueId} at acme.pay, to be decided by security at acme.pay: Not reachable in pay-api.`,
      data: { exemption: { id: e.pay.exemptionId, status: 'pending', requestedBy: 'developer@acme.pay' }, audience: 'approvers of acme.pay' },
    });
    const slack = hook.received.filter((r) => r.path === '/slack');
    expect(slack.map((r) => [r.headers['x-lantern-signature'], JSON.parse(r.body)])).toEqual([[undefined, { text: pay.text }]]);

    // A decision goes to the hook (the rule for Slack names only requests).
    hook.received.length = 0;
    await e.lantern.decideExemption(e.pay.exemptionId, 'rejected', await e.actor('security@acme.pay'), { comment: 'Reachable <!channel>.' });
    expect(await e.lantern.deliverNotifications(ENV)).toEqual({ sent: 1, failed: 0 });
    expect(JSON.parse(hook.received[0]?.body ?? '{}')).toMatchObject({ event: 'exemption.decided', text: `security@acme.pay rejected the exemption (accepted_risk) of issue ${e.pay.issueId} that developer@acme.pay requested: Reachable <!channel>.` });

    // The secret is neither stored nor in any delivery's error.
    const rows = await e.lantern.store.db.selectFrom('notification_deliveries').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(SECRET);
  });

  it('gives a delivery up after the last attempt and says why', async () => {
    hook = await receiver();
    await hook.close();
    e = await buildAccessEstate(kind, { clock: () => T0, notifications: { channels: [{ name: 'hook', type: 'webhook', url: `${hook.url}/hook` }], rules: [{ events: ['exemption.requested'], channel: 'hook', scopes: ['acme.edge'] }] } });
    for (let i = 0; i < 2; i++) expect(await e.lantern.deliverNotifications({}, { firstRetryMs: 0, maxAttempts: 2 })).toEqual({ sent: 0, failed: 1 });
    const [row] = await e.lantern.store.db.selectFrom('notification_deliveries').selectAll().execute();
    expect(row).toMatchObject({ status: 'failed', attempts: 2, last_error: expect.stringMatching(/^hook could not be reached: /) });
    hook = await receiver();
  });
});

describe.runIf(POSTGRES_URL)('notifications with two servers on one PostgreSQL database [postgres]', () => {
  it('sends each delivery once while two Lanterns claim at the same time', async () => {
    const hook = await receiver();
    const e = await buildAccessEstate('postgres', { clock: () => T0, notifications: config(hook.url) });
    try {
      for (let i = 0; i < 30; i++) await e.lantern.requestExemption({ level: 'project', scope: 'acme.pay', key: `CVE-2026-${5000 + i}`, reason: 'false_positive', comment: `Case ${i}.` });
      const schema = (await e.lantern.store.db.selectNoFrom((eb) => eb.fn<string>('current_schema', []).as('s')).executeTakeFirstOrThrow()).s;
      const other = new Lantern(await openStore(POSTGRES_URL as string, { schema, poolSize: 4 }), { clock: () => T0, notifications: config(hook.url) });
      try {
        const drain = async (lantern: Lantern) => {
          let total = 0;
          for (;;) {
            const { sent } = await lantern.deliverNotifications(ENV, { batch: 3 });
            if (sent === 0) return total;
            total += sent;
          }
        };
        const [a, b] = await Promise.all([drain(e.lantern), drain(other)]);
        // 32 requests to the hook, 31 in acme.pay to Slack.
        expect(a + b).toBe(63);
        const ids = hook.received.map((r) => r.headers['x-lantern-delivery']);
        expect(ids).toHaveLength(63);
        expect(new Set(ids).size).toBe(63);
      } finally {
        await other.close();
      }
    } finally {
      await e.close();
      await hook.close();
    }
    // Two servers, 30 requests and 63 deliveries on a loaded CI machine.
  }, 90_000);
});

describe('notifications in the configuration file', () => {
  it('reads channels and rules, and names the line and column of each mistake', () => {
    const good = parseConfig(
      ['notifications:', '  channels:', '    - {name: hook, type: webhook, url: "https://hooks.example.com/x", secretEnv: HOOK_SECRET}', '  rules:', '    - {events: [exemption.requested], channel: hook, scopes: [acme]}', ''].join('\n'),
      'lantern.yaml',
    );
    expect(good).toEqual({
      config: { grants: [], notifications: { channels: [{ name: 'hook', type: 'webhook', url: 'https://hooks.example.com/x', secretEnv: 'HOOK_SECRET' }], rules: [{ events: ['exemption.requested'], channel: 'hook', scopes: ['acme'] }] } },
      problems: [],
    });
    const bad = parseConfig(
      [
        'notifications:',
        '  channels:',
        '    - name: hook',
        '      type: pager',
        '      url: ftp://x',
        '      secret: s3cr3t',
        '  rules:',
        '    - events: [exemption.exploded]',
        '      channel: nowhere',
        '',
      ].join('\n'),
      'lantern.yaml',
    );
    expect(bad.config).toBeUndefined();
    expect(bad.problems.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual([
      '6:15 A webhook secret is never written in the configuration file: remove secret and name the environment variable that holds it with secretEnv.',
      '4:13 Invalid channel type "pager": expected webhook, slack, teams, email.',
      '5:12 Invalid channel URL: expected an absolute http(s) URL.',
      '8:7 Invalid event "exemption.exploded": expected exemption.requested, exemption.decided, exemption.expiring, issue.new, issue.known-exploited, scan.stale, scorecard.check-failing.',
      '9:16 No channel named "nowhere": expected one of the notifications.channels names, or owner for the channels an entity\'s owner names.',
    ]);
  });
});
