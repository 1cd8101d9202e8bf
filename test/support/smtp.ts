import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** The only password the test SMTP server accepts (user name `lantern`). */
export const SMTP_PASSWORD = 'smtp-password-do-not-log';
const PASSWORD = SMTP_PASSWORD;

export interface Mail {
  from: string;
  to: string[];
  envelopeTo: string[];
  subject: string;
  text: string;
  raw: string;
}

/** A real SMTP server on a loopback port that wants a login, and records each message it accepted. */
export async function smtpReceiver(): Promise<{ url: string; mails: Mail[]; logins: string[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const logins: string[] = [];
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push(`${auth.username ?? ''}:${auth.password === PASSWORD ? 'right' : 'wrong'}`);
      if (auth.username === 'lantern' && auth.password === PASSWORD) callback(null, { user: 'lantern' });
      else callback(new Error('Invalid user name or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        void simpleParser(raw).then((parsed) => {
          const to = parsed.to === undefined ? [] : (Array.isArray(parsed.to) ? parsed.to : [parsed.to]).flatMap((a) => a.value.map((v) => v.address ?? ''));
          mails.push({ from: parsed.from?.value[0]?.address ?? '', to, envelopeTo: session.envelope.rcptTo.map((r) => r.address), subject: parsed.subject ?? '', text: parsed.text ?? '', raw });
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, mails, logins, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

