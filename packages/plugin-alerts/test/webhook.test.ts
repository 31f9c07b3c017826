import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackNotifier, telegramNotifier, webhookNotifier } from '../src/index.js';
import { slackSchema, telegramSchema, webhookSchema } from '../src/options.js';
import { notificationOf, signal } from './support/notification.js';
import { type Receiver, startReceiver } from './support/receiver.js';

const SECRET_A = `whsec_${Buffer.from('first secret, 32 bytes long.....').toString('base64')}`;
const SECRET_B = `whsec_${Buffer.from('second secret for rotation......').toString('base64')}`;

const notification = notificationOf(
  {
    fingerprint: 'abc',
    labels: { alertname: 'HighCpu', device: 'r1', severity: 'warning' },
    annotations: { summary: 'CPU <b>99%</b>' },
    value: 0.99,
  },
  {
    id: 'msg_2tTXrB5bX1',
    groupKey: '0:noc:{alertname="HighCpu"}',
    groupLabels: { alertname: 'HighCpu' },
    commonLabels: { alertname: 'HighCpu', severity: 'warning' },
  },
);

/** Verifies a Standard Webhooks signature header the way a receiver would. */
function verify(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  raw: string,
): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${raw}`)
    .digest();
  return String(headers['webhook-signature'])
    .split(' ')
    .some((sig) => {
      const [version, b64] = sig.split(',');
      const got = Buffer.from(b64 ?? '', 'base64');
      return version === 'v1' && got.length === expected.length && timingSafeEqual(got, expected);
    });
}

let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver();
});
afterAll(() => rx.close());

describe('webhook notifier', () => {
  it('posts the Alertmanager v4 payload, signed with both secrets during rotation', async () => {
    const n = webhookNotifier(
      'wh',
      webhookSchema.parse({ url: `${rx.url}/hook`, secrets: [SECRET_A, SECRET_B], allowLoopback: true }),
    );
    await expect(n.send(notification, { signal })).resolves.toEqual({ ok: true });
    const req = rx.requests.at(-1);
    expect(req?.body).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'noc',
      groupKey: notification.groupKey,
      truncatedAlerts: 0,
      alerts: [
        {
          status: 'firing',
          startsAt: '2026-01-01T00:00:00.000Z',
          endsAt: '0001-01-01T00:00:00Z',
          fingerprint: 'abc',
        },
      ],
    });
    const headers = req?.headers ?? {};
    expect(headers['webhook-id']).toBe(notification.id);
    expect(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(String(headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(SECRET_A, headers, req?.raw ?? '')).toBe(true);
    expect(verify(SECRET_B, headers, req?.raw ?? '')).toBe(true);
    const forged = `whsec_${Buffer.from('not the secret').toString('base64')}`;
    expect(verify(forged, headers, req?.raw ?? '')).toBe(false);
    expect(verify(SECRET_A, headers, `${req?.raw} `)).toBe(false);
  });

  it('refuses cloud metadata and link-local targets, and loopback unless allowed, after DNS resolution', async () => {
    const send = (o: Record<string, unknown>) =>
      webhookNotifier('wh', webhookSchema.parse(o)).send(notification, { signal });
    const before = rx.requests.length;
    await expect(
      send({ url: 'http://169.254.169.254/latest/meta-data/', allowLoopback: true, allow: ['0.0.0.0/0'] }),
    ).resolves.toMatchObject({
      ok: false,
      retry: false,
      error: expect.stringMatching(/link-local or cloud metadata/),
    });
    await expect(send({ url: 'http://[fe80::1]/x' })).resolves.toMatchObject({ ok: false, retry: false });
    // `localhost` is a name: the check happens on the address it resolves to.
    await expect(send({ url: `http://localhost:${rx.port}/x` })).resolves.toMatchObject({
      ok: false,
      retry: false,
      error: expect.stringMatching(/loopback/),
    });
    await expect(
      send({ url: `${rx.url}/x`, allowLoopback: true, deny: ['127.0.0.0/8'] }),
    ).resolves.toMatchObject({
      ok: false,
      error: expect.stringMatching(/deny list/),
    });
    await expect(send({ url: `${rx.url}/x`, allow: ['10.0.0.0/8'] })).resolves.toMatchObject({
      ok: false,
      retry: false,
    });
    expect(rx.requests.length).toBe(before);
    await expect(
      send({ url: `http://localhost:${rx.port}/x`, allow: ['127.0.0.1/32', '::1/128'] }),
    ).resolves.toEqual({ ok: true });
    expect(() => webhookSchema.parse({ url: rx.url, secrets: ['plain'] })).toThrow();
  });

  it('classifies answers: 5xx retries, 4xx is final, 429 carries Retry-After, a dead port retries', async () => {
    const n = webhookNotifier('wh', webhookSchema.parse({ url: rx.url, allowLoopback: true }));
    rx.respond(() => ({ status: 503 }));
    await expect(n.send(notification, { signal })).resolves.toMatchObject({
      ok: false,
      retry: true,
      error: 'HTTP 503',
    });
    rx.respond(() => ({ status: 400, body: 'bad payload' }));
    await expect(n.send(notification, { signal })).resolves.toMatchObject({
      ok: false,
      retry: false,
      error: 'HTTP 400: bad payload',
    });
    rx.respond(() => ({ status: 429, headers: { 'retry-after': '7' } }));
    await expect(n.send(notification, { signal })).resolves.toMatchObject({
      ok: false,
      retry: true,
      retryAfterMs: 7000,
    });
    rx.respond(() => ({ status: 200 }));
    const dead = webhookNotifier(
      'wh',
      webhookSchema.parse({ url: 'http://127.0.0.1:1/', allowLoopback: true }),
    );
    await expect(dead.send(notification, { signal })).resolves.toMatchObject({
      ok: false,
      retry: true,
      error: expect.stringMatching(/ECONNREFUSED/),
    });
  });
});

describe('chat notifiers', () => {
  it('Slack gets text and a coloured attachment', async () => {
    const n = slackNotifier(
      'slack',
      slackSchema.parse({ url: `${rx.url}/services/T/B/X`, channel: '#noc', allowLoopback: true }),
    );
    await expect(n.send(notification, { signal })).resolves.toEqual({ ok: true });
    const body = rx.requests.at(-1)?.body as {
      text: string;
      channel: string;
      attachments: Array<{ color: string; text: string }>;
    };
    expect(body.channel).toBe('#noc');
    expect(body.text).toBe('FIRING: HighCpu (1 firing, 0 resolved)');
    expect(body.attachments[0]?.color).toBe('danger');
    expect(body.attachments[0]?.text).toContain('CPU <b>99%</b> on r1');
    rx.respond(() => ({ status: 200, body: 'invalid_token' }));
    await expect(n.send(notification, { signal })).resolves.toMatchObject({
      ok: false,
      retry: false,
      error: 'invalid_token',
    });
    rx.respond(() => ({ status: 200 }));
  });

  it('Telegram gets sendMessage with escaped HTML, and its token never shows in errors', async () => {
    const token = '123456:SECRET-token';
    const n = telegramNotifier(
      'tg',
      telegramSchema.parse({ baseUrl: rx.url, botToken: token, chatId: -1001, allowLoopback: true }),
    );
    rx.respond(() => ({ status: 200, body: '{"ok":true,"result":{}}' }));
    await expect(n.send(notification, { signal })).resolves.toEqual({ ok: true });
    const req = rx.requests.at(-1);
    expect(req?.url).toBe(`/bot${token}/sendMessage`);
    expect(req?.body).toMatchObject({ chat_id: -1001, parse_mode: 'HTML' });
    expect((req?.body as { text?: string } | undefined)?.text).toContain('CPU &lt;b&gt;99%&lt;/b&gt; on r1');
    rx.respond(() => ({ status: 200, body: `{"ok":false,"description":"chat not found for ${token}"}` }));
    const r = await n.send(notification, { signal });
    expect(r).toMatchObject({ ok: false, retry: false });
    expect(JSON.stringify(r)).not.toContain(token);
    rx.respond(() => ({ status: 200 }));
  });
});
