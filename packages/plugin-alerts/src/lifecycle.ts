/**
 * The life of one alert: `pending → firing → resolved`, with `for`, `keep_firing_for`,
 * hysteresis (the rule's `holds` once firing) and flapping. Keeps the active alerts, the recently
 * resolved ones, and reports visible transitions and what to persist.
 */
import type { Clock, Labels } from '@ispmonitor/core';
import { type AlertRecord, fingerprint } from './alert.js';
import type { CompiledRule } from './rules.js';

/** What the engine tells its owner. */
export interface EngineHooks {
  /** A visible transition: the alert now shows as firing, or as resolved. */
  onVisible(alert: AlertRecord, status: 'firing' | 'resolved'): void;
  /** The record changed in a way worth persisting (`undefined` record = forget `fingerprint`). */
  onPersist(fingerprint: string, record: AlertRecord | undefined): void;
  /** Whether an interface series is an uplink (for `uplinksOnly` rules). */
  isUplink(labels: Labels): boolean;
}

export interface LifecycleOptions {
  clock: Clock;
  flapping: { threshold: number; window: number; quiet: number };
  recentLimit: number;
  /** Extra annotations of a device's status alerts (reason, last error). */
  notes(device: string): Labels | undefined;
  /** Extra annotations of the monitor's own alerts (why it is overloaded). */
  monitorNotes(): Labels | undefined;
}

/** The labels of the alert a rule raises for a series or device. */
export function alertLabels(rule: CompiledRule, labels: Labels): Labels {
  return { ...labels, ...rule.labels, alertname: rule.name, severity: rule.severity };
}

export class AlertLifecycle {
  /** Alerts that are pending, firing or still visible, by fingerprint. */
  readonly active = new Map<string, AlertRecord>();
  /** Recently resolved alerts, newest last. */
  readonly recent: AlertRecord[] = [];
  /** Recent state changes of alerts that were dropped, so flapping is seen across drops. */
  readonly #history = new Map<string, number[]>();
  readonly #o: LifecycleOptions;
  readonly #hooks: EngineHooks;
  /** Bumped whenever an alert starts or stops firing (lets inhibition cache its index). */
  version = 0;

  constructor(options: LifecycleOptions, hooks: EngineHooks) {
    this.#o = options;
    this.#hooks = hooks;
  }

  /** One evaluation of one alert slot with value `v`. Returns what the slot holds afterwards. */
  step(rule: CompiledRule, a: AlertRecord | undefined, labels: Labels, v: number, now: number) {
    const live = a && a.state !== 'resolved';
    const active = a?.state === 'firing' ? rule.holds(v) : rule.breach(v);
    if (active) {
      if (!a) a = this.#create(rule, labels, now);
      if (!live) {
        a.state = 'pending';
        a.activeAt = now;
        this.active.set(a.fingerprint, a);
        a.value = v;
        this.#render(rule, a);
        this.#hooks.onPersist(a.fingerprint, a);
      }
      a.lastTrueAt = now;
      a.value = v;
      a.keeping = false;
      if (a.state === 'pending' && now - a.activeAt >= rule.forMs) this.fire(rule, a, now);
      return a;
    }
    if (!a || !live) return a;
    if (a.state === 'pending') {
      this.dropPending(a);
      return a.visible ? a : undefined;
    }
    if (rule.keepFiringForMs > 0 && now - a.lastTrueAt < rule.keepFiringForMs) {
      a.keeping = true;
      return a;
    }
    a.value = v;
    this.resolve(a, now);
    return a.visible ? a : undefined;
  }

  #create(rule: CompiledRule, labels: Labels, now: number): AlertRecord {
    const l = alertLabels(rule, labels);
    const fp = fingerprint(l);
    const existing = this.active.get(fp);
    if (existing) return existing;
    const a: AlertRecord = {
      fingerprint: fp,
      rule: rule.name,
      labels: l,
      annotations: {},
      state: 'resolved',
      visible: false,
      activeAt: now,
      lastTrueAt: now,
      changes: this.#history.get(fp) ?? [],
      flapping: false,
    };
    this.#history.delete(fp);
    if (labels.device) a.device = labels.device;
    return a;
  }

  #render(rule: CompiledRule, a: AlertRecord): void {
    const data = { labels: a.labels, value: a.value, threshold: rule.threshold };
    const out: Labels = {};
    for (const [k, t] of Object.entries(rule.annotations)) out[k] = t(data);
    // Device-status alerts also say why the device is down (status reason, last poll error).
    if (rule.kind === 'device_status' && a.device) Object.assign(out, this.#o.notes(a.device));
    if (rule.kind === 'monitor') Object.assign(out, this.#o.monitorNotes());
    a.annotations = out;
  }

  #change(a: AlertRecord, now: number): void {
    const f = this.#o.flapping;
    a.changes.push(now);
    while (a.changes.length > 0 && (a.changes[0] as number) < now - f.window) a.changes.shift();
    if (a.changes.length > f.threshold * 4) a.changes.splice(0, a.changes.length - f.threshold * 4);
    if (!a.flapping && a.changes.length > f.threshold) a.flapping = true;
  }

  /** Pending → firing. */
  fire(rule: CompiledRule, a: AlertRecord, now: number): void {
    this.version++;
    a.state = 'firing';
    if (!a.visible) a.firedAt = now;
    this.#render(rule, a);
    this.#change(a, now);
    if (!a.visible) {
      a.visible = true;
      this.#hooks.onVisible(a, 'firing');
    }
    this.#hooks.onPersist(a.fingerprint, a);
  }

  /** Firing → resolved. A flapping alert stays visible as firing until it has been quiet. */
  resolve(a: AlertRecord, now: number): void {
    this.version++;
    a.state = 'resolved';
    a.resolvedAt = now;
    this.#change(a, now);
    if (a.flapping) {
      this.#hooks.onPersist(a.fingerprint, a);
      return;
    }
    this.#drop(a);
  }

  /** A pending alert whose condition cleared (or whose series went silent) is forgotten. */
  dropPending(a: AlertRecord): void {
    a.state = 'resolved';
    this.#drop(a);
  }

  /** Forgets an alert that is no longer live; a visible one is announced as resolved. */
  #drop(a: AlertRecord): void {
    this.version++;
    this.active.delete(a.fingerprint);
    if (a.changes.length > 0 && !a.flapping) this.#history.set(a.fingerprint, a.changes);
    if (a.visible) {
      a.visible = false;
      a.resolvedAt ??= this.#o.clock.now();
      this.recent.push({ ...a, changes: [] });
      const extra = this.recent.length - this.#o.recentLimit;
      if (extra > 0) this.recent.splice(0, extra);
      this.#hooks.onVisible(a, 'resolved');
    }
    this.#hooks.onPersist(a.fingerprint, undefined);
  }

  /** Ends flapping after a quiet window; forgets old change history. */
  settle(a: AlertRecord, now: number): void {
    if (!a.flapping || now - (a.changes.at(-1) ?? 0) < this.#o.flapping.quiet) return;
    a.flapping = false;
    a.changes = [];
    if (a.state === 'resolved') this.#drop(a);
    else this.#hooks.onPersist(a.fingerprint, a);
  }

  /** Forgets change histories older than the flapping window. */
  pruneHistory(now: number): void {
    for (const [fp, changes] of this.#history) {
      if ((changes.at(-1) ?? 0) < now - this.#o.flapping.window) this.#history.delete(fp);
    }
  }
}
