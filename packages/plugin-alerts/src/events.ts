/**
 * The alerts plugin's own contract: alerts and notifications as notifiers see them, the notifier
 * role and its token, and the bus events this plugin emits — declared on core's `BusEvents` by
 * declaration merging, so `bus.on('alert:firing', …)` is typed wherever this package is imported
 * and core knows nothing of alerts.
 */
import { createToken, type Labels, type Token } from '@ispmonitor/core';

/** An alert as notifiers see it (Alertmanager's shape). */
export interface AlertInstance {
  /** Stable identity: hash of the labels. */
  fingerprint: string;
  /** Whether the alert is firing or resolved. */
  status: 'firing' | 'resolved';
  /** Identifying labels, `alertname` and `severity` among them. */
  labels: Labels;
  /** Rendered annotations (summary, description). */
  annotations: Labels;
  /** When it started firing, ms since the epoch. */
  startsAt: number;
  /** When it resolved, ms since the epoch. */
  endsAt?: number;
  /** The value that made it fire, when there is one. */
  value?: number;
}

/** One message to one receiver: a group of alerts. */
export interface Notification {
  /** Unique per send; receivers may use it to drop duplicates. */
  id: string;
  /** Receiver it goes to. */
  receiver: string;
  /** `firing` when any alert of the group fires. */
  status: 'firing' | 'resolved';
  /** Identity of the alert group. */
  groupKey: string;
  /** Labels the group is grouped by. */
  groupLabels: Labels;
  /** Labels every alert of the group shares. */
  commonLabels: Labels;
  /** Annotations every alert of the group shares. */
  commonAnnotations: Labels;
  /** The alerts of the group. */
  alerts: AlertInstance[];
}

/** Outcome of a delivery: retry 5xx, 429 and network errors; not other 4xx. */
export type SendResult = { ok: true } | { ok: false; retry: boolean; error: string; retryAfterMs?: number };

/**
 * Who hears about problems. Never throws: returns whether to retry. The plugin that provides a
 * notifier owns it and closes it in its stop hook; the alerts plugin closes those it made.
 */
export interface Notifier {
  /** Integration name: receivers refer to it. */
  name: string;
  /** Delivers one notification; `signal` aborts at the delivery timeout. */
  send(notification: Notification, ctx: { signal: AbortSignal }): Promise<SendResult>;
  /** Releases connections. */
  close?(): Promise<void>;
}

/**
 * Notifiers other plugins provide (`ctx.provide(NotifierToken, notifier)`); the alerts plugin
 * reads them with `resolveAll`, and provides its own under it too.
 */
export const NotifierToken: Token<Notifier> = createToken<Notifier>('ispmonitor.Notifier');

/** The events the alerts plugin emits, by name. */
export interface AlertEvents {
  /** An alert started firing. */
  'alert:firing': { alert: AlertInstance; labels: Labels };
  /** An alert resolved. */
  'alert:resolved': { alert: AlertInstance; labels: Labels };
  /** A notification was delivered. */
  'notification:sent': { notification: Notification; integration: string; durationMs: number };
  /** A delivery failed; `final` when no retry follows. */
  'notification:failed': { notification: Notification; integration: string; error: string; final: boolean };
}

declare module '@ispmonitor/core' {
  /** The alerts plugin's events join the bus's event map. */
  interface BusEvents extends AlertEvents {}
}
