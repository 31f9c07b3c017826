/**
 * Webhook notifier: Alertmanager's version 4 JSON payload, signed as the Standard Webhooks spec
 * says: `webhook-id` (the notification id, the same on every retry so receivers can drop
 * duplicates), `webhook-timestamp` (seconds), and `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">`, one signature per secret (two while rotating), space-separated.
 */
import { createHmac } from 'node:crypto';
import { type Duration, parseDuration } from '@ispmonitor/core';
import type { Notification, Notifier } from '../events.js';
import type { WebhookOptions } from '../options.js';
import { addressPolicy } from './address-policy.js';
import { postJson } from './http.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** The Alertmanager version 4 webhook body. */
export function alertmanagerPayload(n: Notification, externalUrl = ''): Record<string, unknown> {
  return {
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: 0,
    status: n.status,
    receiver: n.receiver,
    groupLabels: n.groupLabels,
    commonLabels: n.commonLabels,
    commonAnnotations: n.commonAnnotations,
    externalURL: externalUrl,
    alerts: n.alerts.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: new Date(a.startsAt).toISOString(),
      endsAt: a.endsAt === undefined ? ZERO_TIME : new Date(a.endsAt).toISOString(),
      generatorURL: '',
      fingerprint: a.fingerprint,
    })),
  };
}

/** The `webhook-signature` header value for a message, one `v1,` entry per secret. */
export function signWebhook(
  secrets: readonly string[],
  id: string,
  timestampSec: number,
  body: string,
): string {
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
      return `v1,${createHmac('sha256', key).update(`${id}.${timestampSec}.${body}`).digest('base64')}`;
    })
    .join(' ');
}

/** Creates a webhook notifier. */
export function webhookNotifier(name: string, o: WebhookOptions, now: () => number = Date.now): Notifier {
  const policy = addressPolicy(o);
  const timeoutMs = parseDuration(o.timeout as Duration);
  return {
    name,
    async send(n, { signal }) {
      const body = JSON.stringify(alertmanagerPayload(n, o.externalUrl));
      const ts = Math.floor(now() / 1000);
      const headers: Record<string, string> = {
        ...o.headers,
        'webhook-id': n.id,
        'webhook-timestamp': String(ts),
      };
      if (o.secrets.length > 0) headers['webhook-signature'] = signWebhook(o.secrets, n.id, ts, body);
      return postJson({ url: o.url, body, headers, policy, signal, timeoutMs });
    },
  };
}
