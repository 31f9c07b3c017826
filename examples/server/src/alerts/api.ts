import type { Bus, StateStore } from '@ispmonitor/core';
import type { AlertInstance } from '@ispmonitor/plugin-alerts';
import { NS } from '../state-store.js';

/** An alert with its acknowledgement. */
export interface AlertView extends AlertInstance {
  acknowledged?: { by: string; at: number; comment?: string };
}

/** A silence: alerts whose labels match every matcher are not notified until `endsAt`. */
export interface Silence {
  id: string;
  matchers: Array<{ name: string; value: string; isRegex?: boolean; isEqual?: boolean }>;
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

/**
 * What the API needs from an alerting plugin. `silences` is absent when the plugin in use cannot
 * enforce silences: the API then answers 501 rather than store silences nobody applies.
 */
export interface AlertsApi {
  list(filter: { status?: 'firing' | 'pending' | 'resolved' }): Promise<object[]>;
  /** The acknowledged alert, or undefined when no such alert is active. */
  acknowledge(fingerprint: string, by: string, comment?: string): Promise<object | undefined>;
  /** Removes an alert's acknowledgement; false when the alert is not active or was not acknowledged. */
  unacknowledge(fingerprint: string): Promise<boolean>;
  silences?: {
    list(): Promise<object[]>;
    create(input: Omit<Silence, 'id'>): Promise<object & { id: string }>;
    expire(id: string): Promise<boolean>;
  };
}

/**
 * Alerts as the bus announces them (`alert:firing`, `alert:resolved`), with acknowledgements in
 * the StateStore. Used until the alerts plugin provides its own API; it knows the alerts since
 * this process started and cannot enforce silences.
 */
export function busAlerts(bus: Bus, store: StateStore, keepResolved = 500): AlertsApi & { close(): void } {
  const alerts = new Map<string, AlertInstance>();
  const resolvedOrder: string[] = [];
  const offs = [
    bus.on('alert:firing', ({ alert }) => void alerts.set(alert.fingerprint, alert)),
    bus.on('alert:resolved', ({ alert }) => {
      alerts.set(alert.fingerprint, alert);
      resolvedOrder.push(alert.fingerprint);
      // Bounded: resolved alerts are history, and history belongs to storage.
      while (resolvedOrder.length > keepResolved) {
        const old = resolvedOrder.shift() as string;
        if (alerts.get(old)?.status === 'resolved') alerts.delete(old);
      }
    }),
  ];
  const view = async (a: AlertInstance): Promise<AlertView> => {
    const ack = await store.get<AlertView['acknowledged']>(NS.acks, `${a.fingerprint}:${a.startsAt}`);
    return ack ? { ...a, acknowledged: ack } : { ...a };
  };
  return {
    async list(filter) {
      if (filter.status === 'pending') return [];
      const out: AlertView[] = [];
      for (const a of alerts.values())
        if (!filter.status || a.status === filter.status) out.push(await view(a));
      return out.sort((a, b) => b.startsAt - a.startsAt);
    },
    async acknowledge(fingerprint, by, comment) {
      const a = alerts.get(fingerprint);
      if (!a) return undefined;
      const ack = { by, at: Date.now(), ...(comment ? { comment } : {}) };
      await store.set(NS.acks, `${a.fingerprint}:${a.startsAt}`, ack);
      return { ...a, acknowledged: ack };
    },
    async unacknowledge(fingerprint) {
      const a = alerts.get(fingerprint);
      if (a?.status !== 'firing') return false;
      const key = `${a.fingerprint}:${a.startsAt}`;
      if (!(await store.get(NS.acks, key))) return false;
      await store.delete(NS.acks, key);
      return true;
    },
    close: () => {
      for (const off of offs) off();
    },
  };
}
