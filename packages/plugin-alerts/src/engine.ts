/**
 * The rule engine: evaluates rules incrementally as samples arrive (each sample touches only its
 * own series and the rules that match it), feeds device statuses to device-status rules, and
 * runs the time-driven work (pending `for`, `keep_firing_for`, absent, staleness, flapping).
 * The life of each alert is in `lifecycle.ts`.
 */
import type { Clock, DeviceStatus, Labels, Sample } from '@ispmonitor/core';
import { type AlertRecord, fingerprint } from './alert.js';
import { AlertLifecycle, alertLabels, type EngineHooks } from './lifecycle.js';
import type { CompiledRule } from './rules.js';
import { matchAll } from './selector.js';
import { SeriesBuffer } from './series.js';

export interface EngineOptions {
  clock: Clock;
  capacity: number;
  flapping: { threshold: number; window: number; quiet: number };
  /** A firing alert whose series has been silent this long resolves. */
  staleMs: number;
  recentLimit: number;
}

interface SeriesEntry {
  buf: SeriesBuffer;
  labels: Labels;
  rules: CompiledRule[];
  slots: (AlertRecord | undefined)[];
  denoms: (SeriesBuffer | undefined)[];
}

/** Canonical key of a series: name plus sorted labels. */
export function seriesKey(name: string, labels: Labels): string {
  const keys = Object.keys(labels).sort();
  let key = name;
  for (const k of keys) key += `\u0000${k}\u0001${labels[k]}`;
  return key;
}

export class AlertEngine {
  readonly #rules: CompiledRule[];
  readonly #byMetric = new Map<string, CompiledRule[]>();
  readonly #statusRules: CompiledRule[];
  readonly #series = new Map<string, SeriesEntry>();
  readonly #restored = new Map<string, AlertRecord>();
  readonly #deviceStatus = new Map<string, { status: DeviceStatus; labels: Labels; notes: Labels }>();
  readonly #statusSlots = new Map<string, AlertRecord>();
  readonly #monitorRules: CompiledRule[];
  /** The monitor's own condition (`monitor:overloaded`), and the slot of each monitor rule. */
  #monitor: { overloaded: boolean; labels: Labels; notes: Labels } = {
    overloaded: false,
    labels: {},
    notes: {},
  };
  readonly #monitorSlots = new Map<CompiledRule, AlertRecord>();
  readonly #opts: EngineOptions;
  readonly #hooks: EngineHooks;
  /** Series evaluated on ticks (absent rules). */
  readonly #absentSeries = new Set<SeriesEntry>();
  readonly #ruleCache = new WeakMap<AlertRecord, CompiledRule>();
  readonly #wanted = new Set<string>();

  readonly #life: AlertLifecycle;

  constructor(rules: CompiledRule[], opts: EngineOptions, hooks: EngineHooks) {
    this.#rules = rules;
    this.#opts = opts;
    this.#hooks = hooks;
    this.#life = new AlertLifecycle(
      {
        clock: opts.clock,
        flapping: opts.flapping,
        recentLimit: opts.recentLimit,
        notes: (device) => this.#deviceStatus.get(device)?.notes,
        monitorNotes: () => this.#monitor.notes,
      },
      hooks,
    );
    for (const r of rules) {
      if (r.kind !== 'metric') continue;
      const list = this.#byMetric.get(r.metric) ?? [];
      list.push(r);
      this.#byMetric.set(r.metric, list);
    }
    this.#statusRules = rules.filter((r) => r.kind === 'device_status');
    this.#monitorRules = rules.filter((r) => r.kind === 'monitor');
    for (const r of rules) if (r.per) this.#wanted.add(r.per);
    for (const name of this.#byMetric.keys()) this.#wanted.add(name);
  }

  /** Alerts that are pending, firing or still visible, by fingerprint. */
  get active(): Map<string, AlertRecord> {
    return this.#life.active;
  }

  /** Changes whenever an alert starts or stops firing. */
  get version(): number {
    return this.#life.version;
  }

  /** Recently resolved alerts, newest last. */
  get recent(): readonly AlertRecord[] {
    return this.#life.recent;
  }

  /** Puts back alerts persisted before a restart; they re-attach when their series reappears. */
  restore(records: AlertRecord[]): void {
    for (const r of records) {
      if (r.state === 'resolved' && !r.visible) continue;
      this.active.set(r.fingerprint, r);
      this.#restored.set(r.fingerprint, r);
    }
  }

  #entry(s: Sample): SeriesEntry | undefined {
    // Only metrics some rule reads (or divides by) are kept; the rest cost one set lookup.
    if (!this.#wanted.has(s.name)) return undefined;
    const key = seriesKey(s.name, s.labels);
    let e = this.#series.get(key);
    if (e) return e;
    const candidates = this.#byMetric.get(s.name) ?? [];
    const rules = candidates.filter(
      (r) => matchAll(r.matchers, s.labels) && (!r.uplinksOnly || this.#hooks.isUplink(s.labels)),
    );
    e = { buf: new SeriesBuffer(this.#opts.capacity), labels: { ...s.labels }, rules, slots: [], denoms: [] };
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as CompiledRule;
      if (rule.fn === 'absent') this.#absentSeries.add(e);
      if (this.#restored.size > 0) {
        const fp = fingerprint(alertLabels(rule, e.labels));
        const back = this.#restored.get(fp);
        if (back) {
          e.slots[i] = back;
          this.#restored.delete(fp);
        }
      }
    }
    this.#series.set(key, e);
    return e;
  }

  /** Feeds samples; evaluates the rules matching each sample's series. */
  ingest(samples: readonly Sample[]): void {
    const now = this.#opts.clock.now();
    for (const s of samples) {
      // Whatever a driver hands over, a malformed sample is skipped, never a crash.
      if (typeof s?.name !== 'string' || typeof s.labels !== 'object' || s.labels === null) continue;
      if (typeof s.value !== 'bigint' && !Number.isFinite(s.value)) continue;
      if (!Number.isFinite(s.ts)) continue;
      const e = this.#entry(s);
      if (!e?.buf.push(s.ts, s.value)) continue;
      for (let i = 0; i < e.rules.length; i++) this.#evaluate(e, i, s.ts, now);
    }
  }

  #evaluate(e: SeriesEntry, i: number, at: number, now: number): void {
    const rule = e.rules[i] as CompiledRule;
    let v = e.buf.evaluate(rule.fn, rule.window, at) * rule.scale;
    if (rule.per) {
      let d = e.denoms[i];
      if (!d) {
        d = this.#series.get(seriesKey(rule.per, e.labels))?.buf;
        e.denoms[i] = d;
      }
      const den = d ? d.lastValue : Number.NaN;
      v = den > 0 ? v / den : Number.NaN;
    }
    if (Number.isNaN(v)) return;
    e.slots[i] = this.#life.step(rule, e.slots[i], e.labels, v, now);
  }

  /**
   * The rule an alert belongs to. Several rules may share a name (a warning and a critical
   * level), so the match also uses severity and the rule's own labels.
   */
  #ruleOf(a: AlertRecord): CompiledRule | undefined {
    const cached = this.#ruleCache.get(a);
    if (cached) return cached;
    const found = this.#rules.find(
      (r) =>
        r.name === a.rule &&
        r.severity === a.labels.severity &&
        Object.entries(r.labels).every(([k, v]) => a.labels[k] === v),
    );
    if (found) this.#ruleCache.set(a, found);
    return found;
  }

  /**
   * A device changed status: evaluates the device-status rules for it. `notes` (the reason, the
   * last poll error) are added to the annotations of its device-status alerts.
   */
  deviceStatus(id: string, labels: Labels, status: DeviceStatus, notes: Labels = {}): void {
    this.#deviceStatus.set(id, { status, labels: { ...labels, device: id }, notes });
    this.#evaluateStatus(id);
  }

  #evaluateStatus(id: string): void {
    const st = this.#deviceStatus.get(id);
    if (!st) return;
    const now = this.#opts.clock.now();
    for (const rule of this.#statusRules) {
      const slotKey = `${rule.name}\u0000${rule.severity}\u0000${id}`;
      let slot = this.#statusSlots.get(slotKey);
      if (!slot && this.#restored.size > 0) {
        const fp = fingerprint(alertLabels(rule, st.labels));
        slot = this.#restored.get(fp);
        this.#restored.delete(fp);
      }
      // A device outside the rule's matchers raises nothing; one that left them resolves.
      const inScope = matchAll(rule.matchers, st.labels);
      if (!inScope && !slot) continue;
      const breached = inScope && rule.statuses.has(st.status);
      const next = this.#life.step(rule, slot, st.labels, breached ? 1 : 0, now);
      if (next) this.#statusSlots.set(slotKey, next);
      else this.#statusSlots.delete(slotKey);
    }
  }

  /**
   * The monitor entered or left its overloaded state: evaluates the `monitor` rules. `labels`
   * identify this monitor (a replica's name, or nothing); `notes` become annotations.
   */
  monitorState(overloaded: boolean, labels: Labels = {}, notes: Labels = {}): void {
    this.#monitor = { overloaded, labels: { ...labels }, notes: { ...notes } };
    this.#evaluateMonitor();
  }

  #evaluateMonitor(): void {
    const now = this.#opts.clock.now();
    const m = this.#monitor;
    for (const rule of this.#monitorRules) {
      let slot = this.#monitorSlots.get(rule);
      if (!slot && this.#restored.size > 0) {
        const fp = fingerprint(alertLabels(rule, m.labels));
        slot = this.#restored.get(fp);
        this.#restored.delete(fp);
      }
      const next = this.#life.step(rule, slot, m.labels, m.overloaded ? 1 : 0, now);
      if (next) this.#monitorSlots.set(rule, next);
      else this.#monitorSlots.delete(rule);
    }
  }

  /**
   * Time-driven work, called every evaluation interval: pending alerts whose `for` elapsed fire,
   * keep-firing windows end, absent series are checked, stale alerts resolve, flapping ends.
   */
  tick(): void {
    const now = this.#opts.clock.now();
    for (const e of this.#absentSeries) {
      for (let i = 0; i < e.rules.length; i++)
        if (e.rules[i]?.fn === 'absent') this.#evaluate(e, i, now, now);
    }
    for (const id of this.#deviceStatus.keys()) this.#evaluateStatus(id);
    // A pending monitor alert fires once its `for` elapsed; one restored from before a restart resolves if calm.
    if (this.#monitorRules.length > 0) this.#evaluateMonitor();
    this.#life.pruneHistory(now);
    for (const a of [...this.active.values()]) {
      const rule = this.#ruleOf(a);
      if (!rule) {
        // Its rule is gone (configuration changed across a restart): it resolves, so that a
        // notified alert still gets its resolve.
        if (a.state === 'pending') this.#life.dropPending(a);
        else if (a.state === 'firing') this.#life.resolve(a, now);
        this.#life.settle(a, now);
        continue;
      }
      const silent = now - a.lastTrueAt;
      if (a.state === 'pending' && rule.kind === 'metric') {
        // A pending alert whose series went silent is forgotten rather than fired blind.
        if (silent > this.#opts.staleMs) this.#life.dropPending(a);
        else if (now - a.activeAt >= rule.forMs) this.#life.fire(rule, a, now);
      } else if (a.state === 'firing' && rule.kind === 'metric') {
        if (a.keeping && silent >= rule.keepFiringForMs) this.#life.resolve(a, now);
        else if (rule.fn !== 'absent' && silent > Math.max(this.#opts.staleMs, rule.keepFiringForMs)) {
          this.#life.resolve(a, now);
        }
      }
      this.#life.settle(a, now);
    }
  }

  /**
   * Forgets everything held about these devices (their series, statuses and alerts) without
   * announcing or persisting anything: another replica polls them now and carries their alerts on.
   */
  forget(devices: ReadonlySet<string>): void {
    if (devices.size === 0) return;
    for (const [key, e] of this.#series) {
      const device = e.labels.device;
      if (device === undefined || !devices.has(device)) continue;
      this.#series.delete(key);
      this.#absentSeries.delete(e);
    }
    for (const id of devices) {
      this.#deviceStatus.delete(id);
      for (const rule of this.#statusRules)
        this.#statusSlots.delete(`${rule.name}\u0000${rule.severity}\u0000${id}`);
    }
    for (const [fp, a] of this.active) {
      const device = a.device ?? a.labels.device;
      if (device === undefined || !devices.has(device)) continue;
      this.active.delete(fp);
      this.#restored.delete(fp);
    }
  }

  /** Number of series held (for metrics and the benchmark). */
  get seriesCount(): number {
    return this.#series.size;
  }
}
