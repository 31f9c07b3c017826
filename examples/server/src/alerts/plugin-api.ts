import { type Monitor, MonitorError } from '@ispmonitor/core';
import { alertsApi, type AlertsApi as PluginAlertsApi } from '@ispmonitor/plugin-alerts';
import { HttpError } from '../http/errors.js';
import type { AlertsApi } from './api.js';

const TYPE = (m: { isRegex?: boolean; isEqual?: boolean }) =>
  (m.isRegex ? (m.isEqual === false ? '!~' : '=~') : m.isEqual === false ? '!=' : '=') as
    | '='
    | '!='
    | '=~'
    | '!~';

/** The plugin's own checks (an end in the past, a bad matcher) are the caller's mistakes: 400. */
async function asBadRequest<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    // The plugin's own errors carry their status (a missing alert is a 404); the rest is bad input.
    if (err instanceof MonitorError) throw err;
    throw new HttpError(400, (err as Error).message);
  }
}

/** The alerts plugin's API in the shape the routes use: alerts, acknowledgements, silences. */
export function pluginAlerts(api: PluginAlertsApi): AlertsApi {
  return {
    async list(filter) {
      return api.list(filter.status ? { state: filter.status } : undefined);
    },
    async acknowledge(fingerprint, by, comment) {
      if (!api.get(fingerprint)) return undefined;
      await asBadRequest(() => api.acknowledge(fingerprint, { by, ...(comment ? { comment } : {}) }));
      return api.get(fingerprint);
    },
    async unacknowledge(fingerprint) {
      if (!api.get(fingerprint)?.ack) return false;
      return api.unacknowledge(fingerprint);
    },
    silences: {
      list: async () => api.silences.list(),
      create: (input) =>
        asBadRequest(() =>
          api.silences.create({
            matchers: input.matchers.map((m) => ({ name: m.name, value: m.value, type: TYPE(m) })),
            startsAt: input.startsAt,
            endsAt: input.endsAt,
            createdBy: input.createdBy,
            comment: input.comment,
          }),
        ),
      expire: (id) => api.silences.expire(id).catch(() => false),
    },
  };
}

/** The alerts plugin's API when that plugin is installed. */
export function installedAlerts(monitor: Monitor): AlertsApi | undefined {
  return monitor.has(alertsApi) ? pluginAlerts(monitor.resolve(alertsApi)) : undefined;
}
