/**
 * A notification carrying one alert, shaped as the dispatcher builds it, for notifier tests: each
 * test names only the fields that matter to it (labels, annotations, ids), the rest are neutral.
 */
import type { AlertInstance, Notification } from '../../src/index.js';

/** The alert's fields a test sets; `labels` always, as every alert has its own. */
export type AlertFields = Partial<AlertInstance> & Pick<AlertInstance, 'labels'>;

/** One-alert notification; `fields` override the envelope, `alert` the alert (status follows the envelope's). */
export function notificationOf(
  alert: AlertFields,
  fields: Partial<Omit<Notification, 'alerts'>> = {},
): Notification {
  const status = fields.status ?? 'firing';
  return {
    id: 'n-1',
    receiver: 'noc',
    status,
    groupKey: 'g',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    ...fields,
    alerts: [{ fingerprint: 'f', status, annotations: {}, startsAt: Date.UTC(2026, 0, 1), ...alert }],
  };
}

/** A signal that never aborts, for sends that must not time out on their own. */
export const signal: AbortSignal = new AbortController().signal;
