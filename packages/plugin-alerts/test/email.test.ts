import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { emailNotifier } from '../src/index.js';
import { emailSchema } from '../src/options.js';
import { notificationOf, signal } from './support/notification.js';

const n = notificationOf(
  {
    labels: { alertname: 'DeviceDown', device: 'bey-core-1', severity: 'critical' },
    annotations: { summary: 'bey-core-1 is not answering' },
  },
  { commonLabels: { alertname: 'DeviceDown' } },
);

interface Mail {
  secure: boolean;
  user?: string;
  raw: string;
}

const servers: SMTPServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function smtp(extra: Partial<SMTPServerOptions> = {}): Promise<{ port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'mon' && auth.password === 's3cret') cb(null, { user: 'mon' });
      else cb(new Error('bad credentials'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          secure: session.secure,
          user: session.user as string | undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
    ...extra,
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.server.address() as AddressInfo).port, mails };
}

describe('email notifier (real SMTP server)', () => {
  it('sends over STARTTLS with authentication', async () => {
    const { port, mails } = await smtp();
    const notifier = emailNotifier(
      'mail',
      emailSchema.parse({
        host: '127.0.0.1',
        port,
        rejectUnauthorized: false, // smtp-server's built-in certificate is self-signed
        auth: { user: 'mon', pass: 's3cret' },
        from: 'monitor@isp.example',
        to: ['noc@isp.example'],
      }),
    );
    await expect(notifier.send(n, { signal })).resolves.toEqual({ ok: true });
    await notifier.close?.();
    expect(mails).toHaveLength(1);
    expect(mails[0]?.secure).toBe(true);
    expect(mails[0]?.user).toBe('mon');
    expect(mails[0]?.raw).toMatch(/Subject: \[FIRING\] FIRING: DeviceDown/);
    expect(mails[0]?.raw).toContain('bey-core-1 is not answering');
    expect(mails[0]?.raw).toMatch(/X-ISPMonitor-Notification: n-1/i);
  });

  it('verifies the certificate by default, refuses a server without STARTTLS, and reports bad credentials', async () => {
    const { port } = await smtp();
    const base = { host: '127.0.0.1', port, from: 'm@isp.example', to: ['noc@isp.example'], timeout: '5s' };
    const strict = emailNotifier('mail', emailSchema.parse(base));
    const r1 = await strict.send(n, { signal });
    expect(r1).toMatchObject({ ok: false, retry: true, error: expect.stringMatching(/certificate/i) });
    await strict.close?.();

    const plain = await smtp({ disabledCommands: ['STARTTLS'] });
    const noTls = emailNotifier(
      'mail',
      emailSchema.parse({ ...base, port: plain.port, rejectUnauthorized: false }),
    );
    const r2 = await noTls.send(n, { signal });
    expect(r2.ok).toBe(false);
    expect(plain.mails).toHaveLength(0);
    await noTls.close?.();

    const wrong = emailNotifier(
      'mail',
      emailSchema.parse({ ...base, rejectUnauthorized: false, auth: { user: 'mon', pass: 'wrong-pass' } }),
    );
    const r3 = await wrong.send(n, { signal });
    expect(r3).toMatchObject({ ok: false, retry: false });
    expect(JSON.stringify(r3)).not.toContain('wrong-pass');
    await wrong.close?.();
  });
});
