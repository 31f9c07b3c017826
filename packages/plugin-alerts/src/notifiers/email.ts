/**
 * Email over SMTP with nodemailer. STARTTLS is required by default (`requireTls`), and the
 * server's certificate is verified unless told otherwise. nodemailer is loaded on first send, not
 * at import. SMTP errors are classified: 4xx replies and network errors retry, 5xx do not.
 */
import type { Duration } from '@ispmonitor/core';
import { parseDuration } from '@ispmonitor/core';
import type { Notification, Notifier } from '../events.js';
import type { EmailOptions } from '../options.js';
import { summarise } from './chat.js';

type Transport = { sendMail(m: Record<string, unknown>): Promise<unknown>; close(): void };

/** The plain-text body of an alert email. */
export function emailText(n: Notification): { subject: string; text: string } {
  const { title, lines } = summarise(n);
  const details = n.alerts
    .map((a) => {
      const labels = Object.entries(a.labels)
        .map(([k, v]) => `  ${k}=${v}`)
        .join('\n');
      const ann = Object.entries(a.annotations)
        .map(([k, v]) => `  ${k}: ${v}`)
        .join('\n');
      return `${a.status.toUpperCase()} since ${new Date(a.startsAt).toISOString()}\n${labels}\n${ann}`;
    })
    .join('\n\n');
  return { subject: `[${n.status.toUpperCase()}] ${title}`, text: `${lines.join('\n')}\n\n${details}\n` };
}

/** Creates an email notifier. */
export function emailNotifier(name: string, o: EmailOptions): Notifier {
  const timeout = parseDuration(o.timeout as Duration);
  let transport: Transport | undefined;
  const open = async (): Promise<Transport> => {
    if (transport) return transport;
    const nodemailer = (await import('nodemailer')).default;
    transport = nodemailer.createTransport({
      host: o.host,
      port: o.port,
      secure: false,
      requireTLS: o.requireTls,
      auth: o.auth,
      tls: { rejectUnauthorized: o.rejectUnauthorized, ...(o.ca ? { ca: o.ca } : {}) },
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    }) as unknown as Transport;
    return transport;
  };
  return {
    name,
    async send(n, { signal }) {
      if (signal.aborted) return { ok: false, retry: true, error: 'aborted' };
      try {
        const t = await open();
        const { subject, text } = emailText(n);
        await t.sendMail({
          from: o.from,
          to: o.to,
          subject,
          text,
          headers: { 'X-ISPMonitor-Notification': n.id },
        });
        return { ok: true };
      } catch (err) {
        const e = err as { responseCode?: number; code?: string; message?: string };
        // The message may quote the server; the password is never part of it (nodemailer does not echo AUTH).
        const error = `${e.code ?? 'SMTP'}: ${e.message ?? String(err)}`.slice(0, 300);
        const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500;
        return { ok: false, retry: !permanent, error };
      }
    },
    async close() {
      transport?.close();
      transport = undefined;
    },
  };
}
