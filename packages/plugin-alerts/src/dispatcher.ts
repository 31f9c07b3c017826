/**
 * Grouping and the notification log, with Alertmanager's timing: a new group waits `group_wait`
 * before its first notification, then is looked at every `group_interval`; it notifies when an
 * alert that was not notified fires, when a notified alert resolves, or when `repeat_interval`
 * has passed. The log remembers which firing alerts each group has notified, so every firing
 * notification gets its resolve (even if a silence began in between) and a restart repeats none.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, Labels } from '@ispmonitor/core';
import { type AlertRecord, toInstance } from './alert.js';
import type { Delivery } from './delivery.js';
import type { Notification } from './events.js';
import { NS, type StateWriter } from './persist.js';
import { groupKey, groupLabels, matchRoutes, type RouteNode } from './routing.js';
import type { Suppressor } from './suppress.js';

/** What the log remembers about one group. */
export interface LogEntry {
  /** Fingerprints of firing alerts notified and not yet notified as resolved. */
  firing: string[];
  lastSentAt: number;
}

interface Group {
  key: string;
  route: RouteNode;
  labels: Labels;
  alerts: Map<string, { alert: AlertRecord; status: 'firing' | 'resolved' }>;
  timer: unknown;
  flushed: boolean;
}

export interface DispatcherOptions {
  clock: Clock;
  route: RouteNode;
  /** Integration names of each receiver. */
  integrations: (receiver: string) => string[];
  suppressor: Suppressor;
  delivery: Delivery;
  writer: StateWriter;
  /** Firing alerts (for inhibition). */
  firing: () => Iterable<AlertRecord>;
  /** Changes whenever the set of firing alerts changes. */
  version: () => number;
}

export class Dispatcher {
  readonly #o: DispatcherOptions;
  readonly #groups = new Map<string, Group>();
  readonly #log = new Map<string, LogEntry>();
  #stopped = false;

  constructor(options: DispatcherOptions) {
    this.#o = options;
  }

  /** Loads the notification log (at start, before any alert arrives). */
  async load(): Promise<void> {
    for (const { key, value } of await this.#o.writer.store.list<LogEntry>(NS.nflog))
      this.#log.set(key, value);
  }

  /** An alert became visibly firing or resolved. */
  update(alert: AlertRecord, status: 'firing' | 'resolved'): void {
    if (this.#stopped) return;
    for (const route of matchRoutes(this.#o.route, alert.labels)) {
      const labels = groupLabels(route, alert.labels);
      const key = groupKey(route, labels);
      let g = this.#groups.get(key);
      if (!g) {
        if (status === 'resolved' && !this.#log.get(key)?.firing.includes(alert.fingerprint)) continue;
        g = { key, route, labels, alerts: new Map(), timer: undefined, flushed: false };
        this.#groups.set(key, g);
        // A group the log already knows (a restart) is not new: it does not wait group_wait again.
        this.#schedule(g, this.#log.has(key) ? 0 : route.groupWait);
      }
      g.alerts.set(alert.fingerprint, { alert, status });
    }
  }

  #schedule(g: Group, ms: number): void {
    if (this.#stopped) return;
    g.timer = this.#o.clock.setTimeout(() => this.#flush(g), ms);
  }

  #flush(g: Group): void {
    g.timer = undefined;
    if (this.#stopped) return;
    const now = this.#o.clock.now();
    const { suppressor } = this.#o;
    const log = this.#log.get(g.key) ?? { firing: [], lastSentAt: 0 };
    const notified = new Set(log.firing);
    const send: Array<{ alert: AlertRecord; status: 'firing' | 'resolved' }> = [];
    let fresh = false;
    let firingCount = 0;
    const stillFiring = new Set<string>();
    const firing = this.#o.firing();
    for (const [fp, entry] of g.alerts) {
      if (entry.status === 'resolved') {
        if (notified.has(fp)) send.push(entry);
        else g.alerts.delete(fp);
        continue;
      }
      // A muted alert that was notified before stays in the log so that its resolve goes out.
      if (notified.has(fp)) stillFiring.add(fp);
      if (suppressor.muted(entry.alert, firing, now, this.#o.version())) continue;
      send.push(entry);
      firingCount++;
      if (!notified.has(fp)) fresh = true;
    }
    const resolvedCount = send.length - firingCount;
    const repeat = firingCount > 0 && now - log.lastSentAt >= g.route.repeatInterval;
    if (fresh || resolvedCount > 0 || repeat) {
      const integrations = this.#o.integrations(g.route.receiver);
      const status = firingCount > 0 ? 'firing' : 'resolved';
      const alerts = send.map((e) => toInstance(e.alert, e.status));
      const n: Notification = {
        id: randomUUID(),
        receiver: g.route.receiver,
        status,
        groupKey: g.key,
        groupLabels: g.labels,
        commonLabels: common(alerts.map((a) => a.labels)),
        commonAnnotations: common(alerts.map((a) => a.annotations)),
        alerts,
      };
      this.#o.delivery.enqueue({
        id: n.id,
        queue: g.key,
        notification: n,
        remaining: [...integrations],
        attempts: {},
        createdAt: now,
      });
      for (const e of send) {
        if (e.status === 'firing') stillFiring.add(e.alert.fingerprint);
        else g.alerts.delete(e.alert.fingerprint);
      }
      this.#setLog(g.key, { firing: [...stillFiring], lastSentAt: now });
    } else if (stillFiring.size !== notified.size) {
      this.#setLog(g.key, { firing: [...stillFiring], lastSentAt: log.lastSentAt });
    }
    g.flushed = true;
    if (g.alerts.size === 0) {
      this.#groups.delete(g.key);
      return;
    }
    this.#schedule(g, g.route.groupInterval);
  }

  #setLog(key: string, entry: LogEntry): void {
    if (entry.firing.length === 0) {
      this.#log.delete(key);
      this.#o.writer.put(NS.nflog, key, undefined);
    } else {
      this.#log.set(key, entry);
      this.#o.writer.put(NS.nflog, key, entry);
    }
  }

  /** Groups held (for tests and health). */
  get groups(): number {
    return this.#groups.size;
  }

  stop(): void {
    this.#stopped = true;
    for (const g of this.#groups.values()) if (g.timer !== undefined) this.#o.clock.clearTimeout(g.timer);
  }
}

/** Labels shared by every set. */
function common(sets: Labels[]): Labels {
  const [first, ...rest] = sets;
  if (!first) return {};
  const out: Labels = {};
  for (const [k, v] of Object.entries(first)) if (rest.every((s) => s[k] === v)) out[k] = v;
  return out;
}
