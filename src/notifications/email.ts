import { type EmailChannel, emailRecipients, type NotificationMessage } from './notification.js';

/** The mail a message becomes: a subject and a plain-text body. Pure. */
export function mailFor(channel: EmailChannel, message: NotificationMessage): { from: string; to: string[]; subject: string; text: string } {
  const lines = [message.text, '', `Event: ${message.event}`, `Scope: ${message.scope}`, `At: ${message.at}`];
  if (message.severity) lines.push(`Severity: ${message.severity}`);
  for (const entity of message.entities ?? []) lines.push(`Entity: ${entity.ref}${entity.owner ? ` (owner ${entity.owner})` : ''}`);
  lines.push('', `Sent by Lantern (${message.key}).`);
  return { from: channel.from, to: emailRecipients(channel, message), subject: `[Lantern] ${message.title.replace(/[\r\n\t]+/g, ' ')}`, text: `${lines.join('\n')}\n` };
}

/**
 * How to reach the channel's server. smtp:// upgrades with STARTTLS when the server offers it; a
 * login to a server off this machine requires it, so that a password never crosses a network in
 * clear. Pure.
 */
export function transportOptions(channel: EmailChannel, env: NodeJS.ProcessEnv, timeoutMs: number) {
  const url = new URL(channel.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const password = channel.passwordEnv === undefined ? undefined : env[channel.passwordEnv];
  const login = channel.username !== undefined && password ? { user: channel.username, pass: password } : undefined;
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  return {
    host,
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
    secure: url.protocol === 'smtps:',
    requireTLS: login !== undefined && !loopback,
    ...(login ? { auth: login } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  };
}

/**
 * Sends one message through the channel's SMTP server; undefined when the server accepted it for
 * every recipient, else why not, naming the channel but never the password. nodemailer is loaded
 * on first use: a CLI command that sends nothing never reads it.
 */
export async function sendMail(channel: EmailChannel, message: NotificationMessage, deliveryId: number, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string | undefined> {
  const { createTransport } = await import('nodemailer');
  const transport = createTransport(transportOptions(channel, env, timeoutMs));
  try {
    const mail = mailFor(channel, message);
    const info = await transport.sendMail({ ...mail, headers: { 'X-Lantern-Event': message.event, 'X-Lantern-Delivery': String(deliveryId) } });
    if (info.rejected.length > 0) return `${channel.name} refused ${info.rejected.length} of ${mail.to.length} recipients`;
    return undefined;
  } catch (error) {
    const e = error as Error & { code?: string; responseCode?: number };
    const why = e.responseCode !== undefined ? `answered ${e.responseCode}` : `could not be reached: ${e.message}`;
    return `${channel.name} ${why}`;
  } finally {
    transport.close();
  }
}
