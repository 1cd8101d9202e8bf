import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cliDatabase } from '../../../test/support/cli-database.js';
import { SMTP_PASSWORD, smtpReceiver } from '../../../test/support/smtp.js';
import { describeEachStore, type StoreKind } from '../../../test/support/stores.js';
import type { Store } from '../../store/database.js';
import { run } from '../program.js';

describeEachStore('lantern serve --config with an email channel', (kind: StoreKind) => {
  let dir: string;
  let db: string;
  let store: Store | undefined;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lantern-serve-mail-'));
    ({ url: db, store } = await cliDatabase(kind, dir));
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('mails an exemption request to the channel’s address in the background, with the password from the variable passwordEnv names', async () => {
    const smtp = await smtpReceiver();
    const config = join(dir, 'lantern.yaml');
    writeFileSync(
      config,
      [
        'notifications:',
        '  channels:',
        `    - {name: mail, type: email, url: "${smtp.url}", from: lantern@example.com, to: [security@example.com], username: lantern, passwordEnv: SMTP_PASSWORD}`,
        '  rules:',
        '    - {events: [exemption.requested], channel: mail}',
        '',
      ].join('\n'),
    );
    let stderr = '';
    let exited: Promise<number> = Promise.resolve(-1);
    let stop = () => undefined as void;
    const stopSignal = new Promise<void>((resolve) => {
      stop = resolve;
    });
    try {
      const address = await new Promise<string>((resolve) => {
        const io = {
          out: () => undefined,
          err: (text: string) => {
            stderr += text;
            const found = /on (http:\/\/\S+)\n/.exec(stderr)?.[1];
            if (found) resolve(found);
          },
          env: { LANTERN_LOG_LEVEL: 'silent', SMTP_PASSWORD },
          stopSignal,
        };
        exited = run(['serve', '--port', '0', '--db', db, '--config', config], io);
      });
      const token = /\b(lnt_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43})\b/.exec(stderr)?.[1];
      const asked = await fetch(`${address}/api/exemptions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token ?? ''}`, 'content-type': 'application/json' },
        body: JSON.stringify({ level: 'account', key: 'CVE-2026-7001', reason: 'false_positive', comment: 'The package is never loaded.' }),
      });
      expect(asked.status, await asked.clone().text()).toBe(201);
      const { id } = (await asked.json()) as { id: number };
      // The server sends every 5 seconds: wait for the mail, for as long as a loaded machine needs.
      for (let i = 0; i < 120 && smtp.mails.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 500));
      expect(smtp.mails.map((m) => [m.from, m.to, m.subject])).toEqual([['lantern@example.com', ['security@example.com'], `[Lantern] Exemption ${id} requested by first admin at account`]]);
      expect(smtp.mails[0]?.text).toContain('first admin requests an exemption (false_positive) of CVE-2026-7001 in the account at account, to be decided by security at account: The package is never loaded.');
      expect(smtp.logins).toEqual(['lantern:right']);
      const log = await fetch(`${address}/api/notifications/deliveries`, { headers: { authorization: `Bearer ${token ?? ''}` } });
      expect(((await log.json()) as Array<{ channel: string; status: string }>).map((d) => [d.channel, d.status])).toEqual([['mail', 'sent']]);
    } finally {
      stop();
      expect(await exited).toBe(0);
      await smtp.close();
    }
  }, 90_000);
});
