import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { feedDir, kevFile } from '../../test/support/feed-files.js';
import { SMTP_PASSWORD as PASSWORD, smtpReceiver } from '../../test/support/smtp.js';
import { bytes, trivyReport, type Vulnerability } from '../../test/support/reports.js';
import { describeEachStore, openTestStore, POSTGRES_URL, type StoreKind } from '../../test/support/stores.js';
import type { Actor } from '../access/actor.js';
import { Access, type Grant } from '../access/roles.js';
import type { GrantRule } from '../access/sign-in-grants.js';
import { parseConfig } from '../config/config.js';
import { parseScope } from '../domain/scope.js';
import { Lantern } from '../lantern.js';
import { openStore } from '../store/database.js';
import { sendMail, transportOptions } from './email.js';
import { channelsFor, type NotificationConfig, type NotificationMessage } from './notification.js';

const T0 = '2026-05-01T10:00:00.000Z';
const DAY = 24 * 60 * 60 * 1000;
const at = (days: number) => new Date(Date.parse(T0) + days * DAY).toISOString();
const ENV = { LANTERN_TEST_SMTP_PASSWORD: PASSWORD };

interface Received {
  path: string;
  body: Record<string, unknown>;
}

/** A webhook receiver on a loopback port (Slack, Teams and the generic hook at their paths). */
async function webReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ path: request.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * Group team-pay (an address and a Slack channel) owns Component pay-api; User alice owns Resource
 * pay-db; `extra` documents are added.
 */
function catalogFolder(extra: readonly string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'lantern-notify-'));
  const docs = [
    'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-pay\n  annotations:\n    lantern.io/slack-channel: pay-slack\nspec:\n  type: team\n  profile:\n    email: team-pay@example.com\n  children: []\n',
    'apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: alice\nspec:\n  profile:\n    email: alice@example.com\n  memberOf: []\n',
    'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: pay-api\n  annotations:\n    harness.io/sto-test-target:\n      - name: acme/pay-api\nspec:\n  type: service\n  lifecycle: production\n  owner: team-pay\n',
    'apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: pay-db\n  annotations:\n    harness.io/sto-test-target:\n      - name: acme/pay-db\nspec:\n  type: database\n  owner: user:alice\n',
  ];
  writeFileSync(join(dir, 'catalog-info.yaml'), [...docs, ...extra].join('---\n'));
  return dir;
}

const vuln = (n: number, severity: Vulnerability['severity']): Vulnerability => ({ id: `CVE-2026-${1000 + n}`, pkg: `lib-${n}`, version: '1.0.0', severity, fixed: '1.0.1' });

interface Estate {
  lantern: Lantern;
  clock: { now: string };
  ingest(target: string, vulnerabilities: Vulnerability[], day: number): Promise<void>;
  deliveries(): Promise<Array<{ event: string; channel: string; key: string }>>;
  close(): Promise<void>;
}

async function estate(kind: StoreKind, notifications: NotificationConfig, options: { catalog?: readonly string[]; grants?: GrantRule[] } = {}): Promise<Estate> {
  const clock = { now: T0 };
  const lantern = new Lantern(await openTestStore(kind), { clock: () => clock.now, notifications, ...(options.grants ? { grants: options.grants } : {}) });
  const folder = catalogFolder(options.catalog);
  await lantern.registerLocation(folder, parseScope('acme.pay'));
  return {
    lantern,
    clock,
    ingest: async (target, vulnerabilities, day) => {
      await lantern.ingest({ report: bytes(trivyReport(vulnerabilities)), source: 'trivy.json', target, targetType: 'repository', variant: 'main', scope: parseScope('acme.pay'), scannedAt: at(day) });
    },
    deliveries: async () =>
      (await lantern.store.db.selectFrom('notification_deliveries').select(['event', 'channel', 'event_key as key']).orderBy('id').execute()).map((r) => ({ event: r.event, channel: r.channel, key: r.key })),
    close: async () => {
      await lantern.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

async function signIn(lantern: Lantern, subject: string, email: string, grants: Grant[]): Promise<Actor> {
  await lantern.store.db.insertInto('sessions').values({ hash: `hash-${subject}`, subject, name: email, email, groups: '[]', grants: JSON.stringify(grants), created_at: T0, expires_at: at(1) }).execute();
  return { principal: { kind: 'user', id: `user:${subject}`, name: email, access: new Access(grants) }, clientAddress: '203.0.113.7' };
}

describeEachStore('notification events', (kind: StoreKind) => {
  const closing: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
  });

  it('emails exemption requests to approvers, decisions to the requester, expiry within 7 days to both (once), logging in without the password in clear', async () => {
    const smtp = await smtpReceiver();
    closing.push(smtp.close);
    const mail = { name: 'mail', type: 'email' as const, url: smtp.url, from: 'lantern@example.com', to: ['audit@example.com'], username: 'lantern', passwordEnv: 'LANTERN_TEST_SMTP_PASSWORD' };
    const e = await estate(kind, { channels: [mail], rules: [{ events: ['exemption.requested', 'exemption.decided', 'exemption.expiring'], channel: 'mail' }] });
    closing.push(e.close);
    await e.ingest('acme/pay-api', [vuln(1, 'HIGH')], 0);
    const developer = await signIn(e.lantern, 'dev-1', 'dev@example.com', [{ role: 'developer', scope: 'acme.pay' }]);
    const security = await signIn(e.lantern, 'sec-1', 'sec@example.com', [{ role: 'security', scope: 'acme' }]);
    await signIn(e.lantern, 'sec-2', 'edge-sec@example.com', [{ role: 'security', scope: 'acme.edge' }]);
    const issue = await e.lantern.store.db.selectFrom('issues').select('id').executeTakeFirstOrThrow();

    const requested = await e.lantern.requestExemption({ issueId: issue.id, reason: 'accepted_risk', comment: 'Behind the WAF.', duration: '30d' }, developer);
    expect(await e.lantern.deliverNotifications(ENV)).toEqual({ sent: 1, failed: 0 });
    const [request] = smtp.mails.splice(0);
    expect(request).toMatchObject({ from: 'lantern@example.com', to: ['sec@example.com', 'audit@example.com'], envelopeTo: ['sec@example.com', 'audit@example.com'], subject: `[Lantern] Exemption ${requested.id} requested by dev@example.com at acme.pay` });
    expect(request?.text).toContain(`dev@example.com requests an exemption (accepted_risk) of issue ${issue.id} at acme.pay, to be decided by security at acme.pay: Behind the WAF.`);
    expect(request?.text).toContain('Event: exemption.requested');

    e.clock.now = at(1);
    await e.lantern.decideExemption(requested.id, 'approved', security, { duration: '7d', comment: 'Until the fix ships.' });
    expect(await e.lantern.deliverNotifications(ENV)).toEqual({ sent: 1, failed: 0 });
    const [decision] = smtp.mails.splice(0);
    expect(decision).toMatchObject({ to: ['dev@example.com', 'audit@example.com'], subject: `[Lantern] Exemption ${requested.id} approved by sec@example.com` });

    // Approved for 7 days: it ends within 7 days from the start, and is announced once.
    e.clock.now = at(2);
    expect(await e.lantern.notifyTimedEvents(at(2))).toBe(1);
    expect(await e.lantern.notifyTimedEvents(at(3))).toBe(0);
    expect(await new Lantern(e.lantern.store, { clock: () => e.clock.now, notifications: e.lantern.notifications }).notifyTimedEvents(at(3))).toBe(0);
    expect(await e.lantern.deliverNotifications(ENV)).toEqual({ sent: 1, failed: 0 });
    const [expiring] = smtp.mails.splice(0);
    expect(expiring).toMatchObject({ to: ['dev@example.com', 'sec@example.com', 'audit@example.com'], subject: `[Lantern] Exemption ${requested.id} (issue ${issue.id}) expires ${at(8).slice(0, 10)}` });
    expect(expiring?.text).toContain(`expires at ${at(8)}`);
    expect((await e.deliveries()).map((d) => d.key)).toEqual([`exemption.requested:${requested.id}`, `exemption.decided:${requested.id}`, `exemption.expiring:${requested.id}`]);

    // The server saw the right password each time; it is in no message, and nowhere in the database.
    expect(smtp.logins).toEqual(['lantern:right', 'lantern:right', 'lantern:right']);
    const rows = await e.lantern.store.db.selectFrom('notification_deliveries').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(PASSWORD);
    expect(decision?.raw).not.toContain(PASSWORD);
    expect(decision?.raw).not.toContain(Buffer.from(PASSWORD).toString('base64'));

    // A wrong password: the server's answer, with the channel's name and without the password.
    await e.lantern.cancelExemption((await e.lantern.requestExemption({ issueId: issue.id, level: 'project', reason: 'false_positive', comment: 'Not used.' }, developer)).id, developer);
    expect(await e.lantern.deliverNotifications({ LANTERN_TEST_SMTP_PASSWORD: 'wrong' }, { firstRetryMs: 0 })).toEqual({ sent: 0, failed: 1 });
    const failed = await e.lantern.store.db.selectFrom('notification_deliveries').select(['status', 'last_error']).where('event_key', 'like', 'exemption.requested:%').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(failed).toEqual({ status: 'pending', last_error: 'mail answered 535' });
    // Catalog reads, ingests and SMTP sessions on a loaded CI machine.
  }, 90_000);

  it('announces new critical or known-exploited issues at ingest to the owner through the catalog, filtered by severity, kind and scope, once per issue and entity', async () => {
    const smtp = await smtpReceiver();
    const web = await webReceiver();
    closing.push(smtp.close, web.close);
    const e = await estate(kind, {
      channels: [
        { name: 'mail', type: 'email', url: smtp.url, from: 'lantern@example.com', username: 'lantern', passwordEnv: 'LANTERN_TEST_SMTP_PASSWORD' },
        { name: 'pay-slack', type: 'slack', url: `${web.url}/slack` },
        { name: 'hook', type: 'webhook', url: `${web.url}/hook` },
        { name: 'edge-teams', type: 'teams', url: `${web.url}/teams` },
      ],
      rules: [
        { events: ['issue.new'], channel: 'owner' },
        { events: ['issue.new'], channel: 'mail', severities: ['critical'] },
        { events: ['issue.new', 'scorecard.check-failing'], channel: 'hook', kinds: ['resource'] },
        { events: ['issue.new'], channel: 'edge-teams', scopes: ['acme.edge'] },
      ],
    });
    closing.push(e.close);
    // The first scans set the starting point: nothing is new to anyone yet.
    await e.ingest('acme/pay-api', [vuln(1, 'HIGH')], 0);
    await e.ingest('acme/pay-db', [vuln(1, 'HIGH')], 0);
    await e.lantern.defineScorecard({ id: 'clean', name: 'Clean', checks: [{ id: 'no-critical', name: 'No critical issues', rules: [{ dataPoint: 'sto.critical', operator: '==', value: 0 }] }] });
    expect(await e.deliveries()).toEqual([]);
    const feeds = feedDir();
    await e.lantern.importFeed('kev', kevFile(feeds, [{ cveID: vuln(3, 'HIGH').id, dateAdded: '2026-04-01' }]));
    rmSync(feeds, { recursive: true, force: true });

    e.clock.now = at(1);
    await e.ingest('acme/pay-api', [vuln(1, 'HIGH'), vuln(2, 'CRITICAL'), vuln(3, 'HIGH'), vuln(4, 'MEDIUM')], 1);
    await e.ingest('acme/pay-db', [vuln(1, 'HIGH'), vuln(5, 'CRITICAL')], 1);
    const id = async (n: number, target: string) =>
      (await e.lantern.store.db.selectFrom('issues').innerJoin('targets', 'targets.id', 'issues.target_id').select('issues.id').where('vulnerability_id', '=', vuln(n, 'HIGH').id).where('targets.name', '=', target).executeTakeFirstOrThrow()).id;
    const [api2, api3, db5] = [await id(2, 'acme/pay-api'), await id(3, 'acme/pay-api'), await id(5, 'acme/pay-db')];
    expect(await e.deliveries()).toEqual([
      { event: 'issue.new', channel: 'pay-slack', key: `issue.new:component:default/pay-api:${api2}` },
      { event: 'issue.new', channel: 'mail', key: `issue.new:component:default/pay-api:${api2}` },
      { event: 'issue.new', channel: 'pay-slack', key: `issue.new:component:default/pay-api:${api3}` },
      { event: 'scorecard.check-failing', channel: 'hook', key: expect.stringMatching(/^scorecard\.check-failing:clean:no-critical:resource:default\/pay-db:/) as unknown as string },
      { event: 'issue.new', channel: 'mail', key: `issue.new:resource:default/pay-db:${db5}` },
      { event: 'issue.new', channel: 'hook', key: `issue.new:resource:default/pay-db:${db5}` },
    ]);
    expect(await e.lantern.deliverNotifications(ENV)).toEqual({ sent: 6, failed: 0 });

    expect(web.received.filter((r) => r.path === '/slack').map((r) => r.body.text)).toEqual([
      'New critical issue on component:default/pay-api: CVE-2026-1002 in lib-2 1.0.0 (critical), found by trivy in acme/pay-api (main); fixed in 1.0.1.',
      'New known-exploited issue on component:default/pay-api: CVE-2026-1003 in lib-3 1.0.0 (high), found by trivy in acme/pay-api (main); fixed in 1.0.1.',
    ]);
    const hooked = web.received.filter((r) => r.path === '/hook').map((r) => r.body);
    expect(hooked.map((b) => b.event)).toEqual(['scorecard.check-failing', 'issue.new']);
    expect(hooked[0]).toMatchObject({ scope: 'acme.pay', entities: [{ ref: 'resource:default/pay-db', kind: 'Resource', owner: 'user:default/alice' }], recipients: { emails: ['alice@example.com'], channels: [] }, data: { check: { id: 'no-critical', name: 'No critical issues' } } });
    expect(hooked[1]).toMatchObject({ severity: 'critical', data: { issue: { id: db5, vulnerabilityId: 'CVE-2026-1005', knownExploited: false }, target: { name: 'acme/pay-db', variant: 'main' } } });
    expect(smtp.mails.map((m) => [m.to, m.subject])).toEqual([
      [['team-pay@example.com'], '[Lantern] New critical issue on component:default/pay-api: CVE-2026-1002'],
      [['alice@example.com'], '[Lantern] New critical issue on resource:default/pay-db: CVE-2026-1005'],
    ]);
    expect(web.received.filter((r) => r.path === '/teams')).toEqual([]);

    // Remediated, then back: new again to the scan, but announced once per issue and entity.
    await e.ingest('acme/pay-db', [vuln(1, 'HIGH')], 2);
    await e.ingest('acme/pay-db', [vuln(1, 'HIGH'), vuln(5, 'CRITICAL')], 3);
    expect((await e.deliveries()).filter((d) => d.event === 'issue.new')).toHaveLength(5);
    // Catalog reads, ingests and SMTP sessions on a loaded CI machine.
  }, 90_000);

  it('mails the members of an owner Group without an address of its own, and the approvers the grants name by email, signed in or not', async () => {
    const smtp = await smtpReceiver();
    closing.push(smtp.close);
    // team-ops has no address: bob is a member by the Group's spec.members, carol by her spec.memberOf; dave has no address; erin belongs elsewhere.
    const catalog = [
      'apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-ops\nspec:\n  type: team\n  children: []\n  members: [bob, dave]\n',
      'apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: bob\nspec:\n  profile:\n    email: bob@example.com\n  memberOf: []\n',
      'apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: carol\nspec:\n  profile:\n    email: carol@example.com\n  memberOf: [team-ops]\n',
      'apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: dave\nspec:\n  memberOf: []\n',
      'apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: erin\nspec:\n  profile:\n    email: erin@example.com\n  memberOf: [team-pay]\n',
      'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ops-api\n  annotations:\n    harness.io/sto-test-target:\n      - name: acme/ops-api\nspec:\n  type: service\n  lifecycle: production\n  owner: team-ops\n',
    ];
    const grants: GrantRule[] = [
      { user: 'Lead@Example.com', role: 'security', scope: 'acme' },
      { user: 'edge-lead@example.com', role: 'security', scope: 'acme.edge' },
      { user: 'dev@example.com', role: 'developer', scope: 'acme' },
      { user: 'sub-1234', role: 'admin', scope: 'account' },
      { group: 'security-team', role: 'security', scope: 'account' },
    ];
    const mail = { name: 'mail', type: 'email' as const, url: smtp.url, from: 'lantern@example.com', username: 'lantern', passwordEnv: 'LANTERN_TEST_SMTP_PASSWORD' };
    const e = await estate(kind, { channels: [mail], rules: [{ events: ['issue.new', 'exemption.requested'], channel: 'mail' }] }, { catalog, grants });
    closing.push(e.close);
    await e.ingest('acme/ops-api', [vuln(1, 'HIGH')], 0);
    await e.ingest('acme/pay-api', [vuln(1, 'HIGH')], 0);
    e.clock.now = at(1);
    await e.ingest('acme/ops-api', [vuln(1, 'HIGH'), vuln(2, 'CRITICAL')], 1);
    await e.ingest('acme/pay-api', [vuln(1, 'HIGH'), vuln(2, 'CRITICAL')], 1);
    expect(await e.lantern.deliverNotifications(ENV)).toEqual({ sent: 2, failed: 0 });
    // A Group with its own address is written to there only, not to its members (erin).
    expect(smtp.mails.splice(0).map((m) => [m.subject, m.to])).toEqual([
      ['[Lantern] New critical issue on component:default/ops-api: CVE-2026-1002', ['bob@example.com', 'carol@example.com']],
      ['[Lantern] New critical issue on component:default/pay-api: CVE-2026-1002', ['team-pay@example.com']],
    ]);

    // Nobody signed in: the approvers of acme.pay are whom the grants name by email with security there.
    const issue = await e.lantern.store.db.selectFrom('issues').innerJoin('targets', 'targets.id', 'issues.target_id').select('issues.id').where('targets.name', '=', 'acme/pay-api').where('vulnerability_id', '=', vuln(1, 'HIGH').id).executeTakeFirstOrThrow();
    const developer = await signIn(e.lantern, 'dev-1', 'dev@example.com', [{ role: 'developer', scope: 'acme.pay' }]);
    await e.lantern.requestExemption({ issueId: issue.id, reason: 'accepted_risk', comment: 'Behind the WAF.', duration: '30d' }, developer);
    expect(await e.lantern.deliverNotifications(ENV)).toEqual({ sent: 1, failed: 0 });
    expect(smtp.mails.map((m) => m.to)).toEqual([['lead@example.com']]);
    // One address once, however both a grant and a session name it.
    smtp.mails.length = 0;
    await signIn(e.lantern, 'lead-1', 'lead@example.com', [{ role: 'security', scope: 'acme' }]);
    await e.lantern.requestExemption({ issueId: issue.id, level: 'project', reason: 'false_positive', comment: 'Not used.' }, developer);
    expect(await e.lantern.deliverNotifications(ENV)).toEqual({ sent: 1, failed: 0 });
    expect(smtp.mails.map((m) => m.to)).toEqual([['lead@example.com']]);
    // Catalog reads, ingests and SMTP sessions on a loaded CI machine.
  }, 90_000);

  it('announces an open issue a KEV import makes known-exploited to its owner once, and nothing when the same catalog is imported again', async () => {
    const web = await webReceiver();
    closing.push(web.close);
    const e = await estate(kind, {
      channels: [{ name: 'hook', type: 'webhook', url: `${web.url}/hook` }],
      rules: [{ events: ['issue.known-exploited'], channel: 'hook' }, { events: ['issue.known-exploited'], channel: 'owner', severities: ['critical'] }],
    });
    closing.push(e.close);
    // pay-api has 1 (high) and 2 (medium) open; pay-db had 3, fixed since; 4 is open on pay-db but exempted.
    await e.ingest('acme/pay-api', [vuln(1, 'HIGH'), vuln(2, 'MEDIUM')], 0);
    await e.ingest('acme/pay-db', [vuln(3, 'HIGH'), vuln(4, 'LOW')], 0);
    await e.ingest('acme/pay-db', [vuln(4, 'LOW')], 1);
    const id = async (n: number, target: string) =>
      (await e.lantern.store.db.selectFrom('issues').innerJoin('targets', 'targets.id', 'issues.target_id').select('issues.id').where('vulnerability_id', '=', vuln(n, 'HIGH').id).where('targets.name', '=', target).executeTakeFirstOrThrow()).id;
    const exemption = await e.lantern.requestExemption({ issueId: await id(4, 'acme/pay-db'), reason: 'false_positive', comment: 'Test fixture only.' });
    await e.lantern.decideExemption(exemption.id, 'approved');
    const api2 = await id(2, 'acme/pay-api');
    const feeds = feedDir();
    closing.push(async () => rmSync(feeds, { recursive: true, force: true }));
    const kev = kevFile(feeds, [
      { cveID: vuln(2, 'HIGH').id, dateAdded: '2026-04-20', dueDate: '2026-05-11', knownRansomwareCampaignUse: 'Known' },
      { cveID: vuln(3, 'HIGH').id, dateAdded: '2026-04-21' },
      { cveID: vuln(4, 'HIGH').id, dateAdded: '2026-04-22' },
      { cveID: 'CVE-2020-0001', dateAdded: '2026-04-23' },
    ]);
    e.clock.now = at(2);
    await e.lantern.importFeed('kev', kev);
    // The owner rule passes critical ones only: a medium goes to the hook alone.
    expect(await e.deliveries()).toEqual([{ event: 'issue.known-exploited', channel: 'hook', key: `issue.known-exploited:component:default/pay-api:${api2}` }]);
    expect(await e.lantern.deliverNotifications({})).toEqual({ sent: 1, failed: 0 });
    expect(web.received).toHaveLength(1);
    expect(web.received[0]?.body).toEqual({
      event: 'issue.known-exploited',
      key: `issue.known-exploited:component:default/pay-api:${api2}`,
      scope: 'acme.pay',
      at: at(2),
      text: 'Now known to be exploited (CISA listed CVE-2026-1002 on 2026-04-20, due 2026-05-11), open on component:default/pay-api: CVE-2026-1002 in lib-2 1.0.0 (medium) in acme/pay-api (main); fixed in 1.0.1.',
      severity: 'medium',
      entities: [{ ref: 'component:default/pay-api', kind: 'Component', owner: 'group:default/team-pay' }],
      recipients: { emails: ['team-pay@example.com'], channels: ['pay-slack'] },
      data: {
        issue: { id: api2, title: expect.any(String), vulnerabilityId: 'CVE-2026-1002', ruleId: null, package: 'lib-2', installedVersion: '1.0.0', fixedVersion: '1.0.1', severity: 'medium', knownExploited: true, kevDateAdded: '2026-04-20' },
        target: { id: expect.any(Number), name: 'acme/pay-api', scope: 'acme.pay', variant: 'main' },
        kev: { cve: 'CVE-2026-1002', dateAdded: '2026-04-20', dueDate: '2026-05-11', knownRansomware: true },
        audience: 'owner of component:default/pay-api',
      },
    });

    // The same catalog again, from a second server too: nothing new is queued, nothing is sent.
    e.clock.now = at(3);
    await e.lantern.importFeed('kev', kev);
    await new Lantern(e.lantern.store, { clock: () => e.clock.now, notifications: e.lantern.notifications }).importFeed('kev', kev);
    expect(await e.deliveries()).toHaveLength(1);
    expect(await e.lantern.deliverNotifications({})).toEqual({ sent: 0, failed: 0 });

    // A later catalog adds issue 1's CVE: announced then; one that leaves and comes back is not announced twice.
    await e.lantern.importFeed('kev', kevFile(feeds, [{ cveID: vuln(1, 'HIGH').id, dateAdded: '2026-05-03' }], undefined, 'kev-2.json'));
    await e.lantern.importFeed('kev', kev);
    await e.lantern.importFeed('kev', kevFile(feeds, [{ cveID: vuln(1, 'HIGH').id, dateAdded: '2026-05-03' }, { cveID: vuln(2, 'HIGH').id, dateAdded: '2026-04-20' }], undefined, 'kev-3.json'));
    expect((await e.deliveries()).map((d) => d.key)).toEqual([`issue.known-exploited:component:default/pay-api:${api2}`, `issue.known-exploited:component:default/pay-api:${await id(1, 'acme/pay-api')}`]);
    // Catalog reads, ingests and imports on a loaded CI machine.
  }, 90_000);

  it('announces a stale scan once per entity and last scan, also when a second server looks at the same time', async () => {
    const web = await webReceiver();
    closing.push(web.close);
    const notifications: NotificationConfig = { channels: [{ name: 'hook', type: 'webhook', url: `${web.url}/hook` }], rules: [{ events: ['scan.stale'], channel: 'hook', kinds: ['component'] }, { events: ['scan.stale'], channel: 'owner' }], staleScanDays: 10 };
    const e = await estate(kind, notifications);
    closing.push(e.close);
    await e.ingest('acme/pay-api', [vuln(1, 'HIGH')], 0);
    await e.ingest('acme/pay-db', [vuln(1, 'HIGH')], 5);
    expect(await e.lantern.notifyTimedEvents(at(9))).toBe(0);
    const other = new Lantern(e.lantern.store, { clock: () => e.clock.now, notifications });
    e.clock.now = at(12);
    const [a, b] = await Promise.all([e.lantern.notifyTimedEvents(at(12)), other.notifyTimedEvents(at(12))]);
    expect([a, b]).toEqual([1, 1]);
    // The component goes to the hook (kind filter) and to team-pay's annotated channel, which is not configured: a failed delivery says so.
    expect(await e.deliveries()).toEqual([
      { event: 'scan.stale', channel: 'hook', key: `scan.stale:component:default/pay-api:${at(0)}` },
      { event: 'scan.stale', channel: 'pay-slack', key: `scan.stale:component:default/pay-api:${at(0)}` },
    ]);
    expect(await e.lantern.deliverNotifications({})).toEqual({ sent: 1, failed: 1 });
    expect(web.received[0]?.body).toMatchObject({ event: 'scan.stale', text: `No scan of component:default/pay-api for 12 days (the last one ran at ${at(0)}; scans go stale after 10 days).` });
    const failed = await e.lantern.store.db.selectFrom('notification_deliveries').select(['status', 'last_error']).where('channel', '=', 'pay-slack').executeTakeFirstOrThrow();
    expect(failed).toEqual({ status: 'failed', last_error: 'no channel named pay-slack in the configuration' });
    // pay-db goes stale later; pay-api is not announced again; a new scan that goes stale is.
    e.clock.now = at(13);
    await e.ingest('acme/pay-api', [vuln(1, 'HIGH'), vuln(6, 'LOW')], 13);
    e.clock.now = at(30);
    expect(await e.lantern.notifyTimedEvents(at(30))).toBe(2);
    expect((await e.deliveries()).filter((d) => d.channel === 'hook').map((d) => d.key)).toEqual([`scan.stale:component:default/pay-api:${at(0)}`, `scan.stale:component:default/pay-api:${at(13)}`]);
    // Catalog reads, ingests and SMTP sessions on a loaded CI machine.
  }, 90_000);
});

describe.runIf(POSTGRES_URL)('known-exploited notifications with two servers on one PostgreSQL database [postgres]', () => {
  it('queues one delivery per issue and channel when two servers import the same KEV catalog at once', async () => {
    const web = await webReceiver();
    const notifications: NotificationConfig = { channels: [{ name: 'hook', type: 'webhook', url: `${web.url}/hook` }], rules: [{ events: ['issue.known-exploited'], channel: 'hook' }] };
    const e = await estate('postgres', notifications);
    const feeds = feedDir();
    try {
      await e.ingest('acme/pay-api', [vuln(1, 'HIGH'), vuln(2, 'CRITICAL'), vuln(3, 'LOW')], 0);
      const kev = kevFile(feeds, [1, 2, 3].map((n) => ({ cveID: vuln(n, 'HIGH').id, dateAdded: '2026-04-20' })));
      const schema = (await e.lantern.store.db.selectNoFrom((eb) => eb.fn<string>('current_schema', []).as('s')).executeTakeFirstOrThrow()).s;
      const other = new Lantern(await openStore(POSTGRES_URL as string, { schema, poolSize: 4 }), { clock: () => e.clock.now, notifications });
      try {
        await Promise.all([e.lantern.importFeed('kev', kev), other.importFeed('kev', kev)]);
        const [a, b] = await Promise.all([e.lantern.deliverNotifications({}), other.deliverNotifications({})]);
        expect(a.sent + b.sent).toBe(3);
      } finally {
        await other.close();
      }
      expect((await e.deliveries()).map((d) => d.channel)).toEqual(['hook', 'hook', 'hook']);
      const ids = web.received.map((r) => (r.body.data as { issue: { id: number } }).issue.id);
      expect(new Set(ids).size).toBe(3);
    } finally {
      rmSync(feeds, { recursive: true, force: true });
      await e.close();
      await web.close();
    }
    // Two servers, imports and deliveries on a loaded CI machine.
  }, 90_000);
});

describe('the email channel', () => {
  const channel = { name: 'mail', type: 'email' as const, url: 'smtp://mail.example.com:587', from: 'lantern@example.com', username: 'lantern', passwordEnv: 'P' };

  it('requires TLS for a login to a server off this machine, never for one on loopback or without a login', () => {
    expect(transportOptions(channel, { P: 'pw' }, 1000)).toMatchObject({ host: 'mail.example.com', port: 587, secure: false, requireTLS: true, auth: { user: 'lantern', pass: 'pw' } });
    expect(transportOptions({ ...channel, url: 'smtp://127.0.0.1:2525' }, { P: 'pw' }, 1000)).toMatchObject({ requireTLS: false });
    expect(transportOptions({ ...channel, url: 'smtps://mail.example.com' }, {}, 1000)).toMatchObject({ port: 465, secure: true, requireTLS: false });
    expect(transportOptions({ ...channel, url: 'smtps://mail.example.com' }, {}, 1000)).not.toHaveProperty('auth');
  });

  it('says why a server could not be reached, naming the channel', async () => {
    const smtp = await smtpReceiver();
    await smtp.close();
    const message: NotificationMessage = { event: 'scan.stale', key: 'k', scope: 'account', at: T0, text: 't', title: 't', recipients: { emails: ['a@example.com'], channels: [] }, data: {} };
    expect(await sendMail({ ...channel, url: smtp.url }, message, 1, {}, 5000)).toMatch(/^mail could not be reached: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
  });
});

describe('notification rules', () => {
  const message = (over: Partial<NotificationMessage>): NotificationMessage => ({ event: 'issue.new', key: 'k', scope: 'acme.pay', at: T0, text: 't', title: 't', severity: 'high', entities: [{ ref: 'component:default/a', kind: 'Component', owner: null }], recipients: { emails: [], channels: [] }, data: {}, ...over });
  const config: NotificationConfig = {
    channels: [
      { name: 'hook', type: 'webhook', url: 'https://hooks.example.com/x' },
      { name: 'mail', type: 'email', url: 'smtp://mail.example.com:25', from: 'lantern@example.com' },
      { name: 'team-slack', type: 'slack', url: 'https://hooks.slack.com/services/a' },
    ],
    rules: [
      { events: ['issue.new'], channel: 'hook', severities: ['critical', 'high'], kinds: ['component'], scopes: ['acme'] },
      { events: ['issue.new'], channel: 'mail' },
      { events: ['issue.new'], channel: 'owner', severities: ['critical'] },
    ],
  };

  it('filter by event, scope, severity and entity kind; owner expands to the owner’s channels; email needs someone to write to', () => {
    expect(channelsFor(config, message({}))).toEqual(['hook']);
    expect(channelsFor(config, message({ severity: 'medium' }))).toEqual([]);
    expect(channelsFor(config, message({ scope: 'globex.web' }))).toEqual([]);
    expect(channelsFor(config, message({ entities: [{ ref: 'resource:default/db', kind: 'Resource', owner: null }] }))).toEqual([]);
    expect(channelsFor(config, message({ severity: 'critical', recipients: { emails: ['team@example.com'], channels: ['team-slack'] } }))).toEqual(['hook', 'mail', 'team-slack']);
    expect(channelsFor(config, message({ event: 'scan.stale', severity: undefined }))).toEqual([]);
  });

  it('are checked in the configuration file, each mistake naming its key', () => {
    const text = [
      'notifications:',
      '  staleScanDays: 0',
      '  channels:',
      '    - {name: mail, type: email, url: "smtp://user:pw@mail.example.com", from: "not an address", to: [ops@example.com, "x"], password: pw}',
      '    - {name: hook, type: webhook, url: "https://hooks.example.com/x", from: a@example.com}',
      '    - {name: owner, type: slack, url: "https://hooks.slack.com/services/a"}',
      '  rules:',
      '    - {events: [issue.new, exemption.requested], channel: hook, severities: [critical, urgent], kinds: [component, widget]}',
      '    - {events: [exemption.decided], channel: owner}',
      '',
    ].join('\n');
    const { config: parsed, problems } = parseConfig(text, 'lantern.yaml');
    expect(parsed).toBeUndefined();
    expect(problems.map((p) => `${p.line}:${p.column} ${p.field ?? ''}: ${p.message}`)).toEqual([
      '2:18 notifications.staleScanDays: Invalid notifications.staleScanDays 0: expected a whole number of days from 1 to 3650.',
      '4:135 notifications.channels[0].password: An SMTP password is never written in the configuration file: remove password and name the environment variable that holds it with passwordEnv.',
      '4:38 notifications.channels[0].url: Invalid channel URL: expected smtp://HOST:PORT or smtps://HOST:PORT for an email channel (no user or password in it: use username and passwordEnv).',
      '5:77 notifications.channels[1].from: A webhook channel has no from: only an email channel takes from, to, username and passwordEnv.',
      '6:14 notifications.channels[2].name: A channel may not be named "owner": rules use it for the channels an entity\'s owner names.',
      '8:88 notifications.rules[0].severities[1]: Invalid severity "urgent" in notifications.rules[0].severities: expected critical, high, medium, low, info.',
      '8:65 notifications.rules[0].severities: A severities filter needs events about issues (issue.new, issue.known-exploited); exemption.requested carry no severity and would never pass: give them a rule of their own.',
      '8:116 notifications.rules[0].kinds[1]: Invalid entity kind "widget" in notifications.rules[0].kinds: expected component, api, resource, system, domain, group, user, location.',
      '8:97 notifications.rules[0].kinds: A kinds filter needs events about catalog entities (issue.new, issue.known-exploited, scan.stale, scorecard.check-failing); exemption.requested name no entity and would never pass: give them a rule of their own.',
      '9:46 notifications.rules[1].channel: The owner channel needs events about catalog entities (issue.new, issue.known-exploited, scan.stale, scorecard.check-failing); exemption.decided name no entity: route them to a named channel.',
    ]);
  });

  it('read an email channel and filtered rules', () => {
    const text = [
      'notifications:',
      '  staleScanDays: 21',
      '  channels:',
      '    - {name: mail, type: email, url: "smtps://mail.example.com:465", from: lantern@example.com, to: [security@example.com], username: lantern, passwordEnv: SMTP_PASSWORD}',
      '  rules:',
      '    - {events: [issue.new, scan.stale], channel: owner, kinds: [Component, resource], scopes: [acme]}',
      '    - {events: [issue.new], channel: mail, severities: [critical]}',
      '',
    ].join('\n');
    expect(parseConfig(text, 'lantern.yaml')).toEqual({
      config: {
        grants: [],
        notifications: {
          staleScanDays: 21,
          channels: [{ name: 'mail', type: 'email', url: 'smtps://mail.example.com:465', from: 'lantern@example.com', to: ['security@example.com'], username: 'lantern', passwordEnv: 'SMTP_PASSWORD' }],
          rules: [
            { events: ['issue.new', 'scan.stale'], channel: 'owner', kinds: ['component', 'resource'], scopes: ['acme'] },
            { events: ['issue.new'], channel: 'mail', severities: ['critical'] },
          ],
        },
      },
      problems: [],
    });
  });
});
