/**
 * Forwards alerts to a Prometheus Alertmanager (`POST /api/v2/alerts`), which then does its own
 * routing. Resolved alerts are sent with their `endsAt`, which is how Alertmanager learns of a
 * resolve.
 */
import { type Duration, parseDuration } from '@ispmonitor/core';
import type { Notifier } from '../events.js';
import type { AlertmanagerOptions } from '../options.js';
import { addressPolicy } from './address-policy.js';
import { postJson } from './http.js';

/** Creates an Alertmanager forwarder. `url` is Alertmanager's base URL. */
export function alertmanagerNotifier(name: string, o: AlertmanagerOptions): Notifier {
  const policy = addressPolicy(o);
  const timeoutMs = parseDuration(o.timeout as Duration);
  const url = `${o.url.replace(/\/$/, '')}/api/v2/alerts`;
  return {
    name,
    async send(n, { signal }) {
      const body = JSON.stringify(
        n.alerts.map((a) => {
          const out: Record<string, unknown> = {
            labels: a.labels,
            annotations: a.annotations,
            startsAt: new Date(a.startsAt).toISOString(),
          };
          if (a.endsAt !== undefined) out.endsAt = new Date(a.endsAt).toISOString();
          return out;
        }),
      );
      return postJson({ url, body, headers: {}, policy, signal, timeoutMs });
    },
  };
}
