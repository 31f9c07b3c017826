import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification } from '../src/index.js';
import { alertmanagerNotifier } from '../src/index.js';
import { alertmanagerSchema } from '../src/options.js';
import {
  alertmanagerAvailable,
  type RunningAlertmanager,
  startAlertmanager,
} from './support/alertmanager.js';
import { notificationOf } from './support/notification.js';

const available = alertmanagerAvailable();
if (!available)
  console.warn('skipping Alertmanager tests: /usr/bin/prometheus-alertmanager is not installed');

const alert = (status: 'firing' | 'resolved', endsAt?: number): Notification =>
  notificationOf(
    {
      labels: {
        alertname: 'BgpSessionDown',
        device: 'bey-border-1',
        peer: '192.0.2.1',
        severity: 'critical',
      },
      annotations: { summary: 'BGP session to 192.0.2.1 on bey-border-1 is down' },
      startsAt: Date.now() - 60_000,
      ...(endsAt === undefined ? {} : { endsAt }),
    },
    { id: `n-${status}`, receiver: 'am', status },
  );

describe.skipIf(!available)('Alertmanager forwarding (real Alertmanager)', () => {
  let am: RunningAlertmanager;
  beforeAll(async () => {
    am = await startAlertmanager();
  }, 30_000);
  afterAll(() => am?.stop());

  it('posts to /api/v2/alerts; the alert shows in its GET /api/v2/alerts, and the resolve ends it', async () => {
    const notifier = alertmanagerNotifier(
      'am',
      alertmanagerSchema.parse({ url: am.url, allowLoopback: true }),
    );
    const signal = new AbortController().signal;
    await expect(notifier.send(alert('firing'), { signal })).resolves.toEqual({ ok: true });
    const list = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as Array<{
      labels: Record<string, string>;
      annotations: Record<string, string>;
      status: { state: string };
    }>;
    expect(list).toHaveLength(1);
    expect(list[0]?.labels).toMatchObject({ alertname: 'BgpSessionDown', peer: '192.0.2.1' });
    expect(list[0]?.annotations.summary).toContain('bey-border-1');
    expect(list[0]?.status.state).toBe('active');
    await expect(notifier.send(alert('resolved', Date.now() - 1000), { signal })).resolves.toEqual({
      ok: true,
    });
    const after = (await (await fetch(`${am.url}/api/v2/alerts?active=true`)).json()) as unknown[];
    expect(after).toHaveLength(0);
  });

  it('reports a malformed request as a final failure', async () => {
    const notifier = alertmanagerNotifier(
      'am',
      alertmanagerSchema.parse({ url: am.url, allowLoopback: true }),
    );
    const bad = alert('firing');
    bad.alerts[0] = { ...bad.alerts[0], labels: {} } as never;
    const r = await notifier.send(bad, { signal: new AbortController().signal });
    expect(r).toMatchObject({ ok: false, retry: false, error: expect.stringMatching(/HTTP 400/) });
  });
});
