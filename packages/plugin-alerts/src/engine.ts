/**
 * The rule engine: evaluates rules incrementally as samples arrive (each sample touches only its
 * own series and the rules that match it), runs the pending → firing → resolved state machine
 * with `for`, `keep_firing_for`, hysteresis and flapping, and reports visible changes.
 */
import type { Clock, DeviceStatus, Labels, Sample } from '@ispmonitor/core';
import { type AlertRecord, fingerprint } from './alert.js';
import type { CompiledRule } from './rules.js';
import { matchAll } from './selector.js';
import { SeriesBuffer } from './series.js';

/** What the engine tells its owner. */
export interface EngineHooks {
  /** A visible transition: the alert now shows as firing, or as resolved. */
  onVisible(alert: AlertRecord, status: 'firing' | 'resolved'): void;
  /** The record changed in a way worth persisting (`undefined` record = forget `fingerprint`). */
  onPersist(fingerprint: string, record: AlertRecord | undefined): void;
  /** Whether an interface series is an uplink (for `uplinksOnly` rules). */
  isUplink(labels: Labels): boolean;
}

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
  /** Alerts that are pending, firing or still visible, by fingerprint. */
  readonly active = new Map<string, AlertRecord>();
  /** Recently resolved alerts, newest last. */
  readonly recent: AlertRecord[] = [];
  readonly #restored = new Map<string, AlertRecord>();
  readonly #deviceStatus = new Map<string, { status: DeviceStatus; labels: Labels; notes: Labels }>();
  readonly #statusSlots = new Map<string, AlertRecord>();
  readonly #opts: EngineOptions;
  readonly #hooks: EngineHooks;
  /** Series evaluated on ticks (absent rules). */
  readonly #absentSeries = new Set<SeriesEntry>();
  /** Recent state changes of alerts that were dropped, so flapping is seen across drops. */
  readonly #history = new Map<string, number[]>();
  readonly #ruleCache = new WeakMap<AlertRecord, CompiledRule>();

  constructor(rules: CompiledRule[], opts: EngineOptions, hooks: EngineHooks) {
    this.#rules = rules;
    this.#opts = opts;
    this.#hooks = hooks;
    for (const r of rules) {
      if (r.kind !== 'metric') continue;
      const list = this.#byMetric.get(r.metric) ?? [];
      list.push(r);
      this.#byMetric.set(r.metric, list);
    }
    this.#statusRules = rules.filter((r) => r.kind === 'device_status');
  }

  get rules(): readonly CompiledRule[] {
    return this.#rules;
  }

  /** Puts back alerts persisted before a restart; they re-attach when their series reappears. */
  restore(records: AlertRecord[]): void {
    for (const r of records) {
      if (r.state === 'resolved' && !r.visible) continue;
      this.active.set(r.fingerprint, r);
      this.#restored.set(r.fingerprint, r);
    }
  }

  /** Every series of `metric` is kept, even without a rule, when some rule divides by it. */
  #wanted(name: string): boolean {
    if (this.#byMetric.has(name)) return true;
    for (const r of this.#rules) if (r.per === name) return true;
    return false;
  }

  #entry(s: Sample): SeriesEntry | undefined {
    const key = seriesKey(s.name, s.labels);
    let e = this.#series.get(key);
    if (e) return e;
    if (!this.#wanted(s.name)) return undefined;
    const candidates = this.#byMetric.get(s.name) ?? [];
    const rules = candidates.filter(
      (r) => matchAll(r.matchers, s.labels) && (!r.uplinksOnly || this.#hooks.isUplink(s.labels)),
    );
    e = { buf: new SeriesBuffer(this.#opts.capacity), labels: { ...s.labels }, rules, slots: [], denoms: [] };
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i] as CompiledRule;
      if (rule.fn === 'absent') this.#absentSeries.add(e);
      if (this.#restored.size > 0) {
        const fp = fingerprint(this.#alertLabels(rule, e.labels));
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

  #alertLabels(rule: CompiledRule, labels: Labels): Labels {
    return { ...labels, ...rule.labels, alertname: rule.name, severity: rule.severity };
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
    e.slots[i] = this.#step(rule, e.slots[i], e.labels, v, now);
  }

  /** One evaluation of one alert slot. Returns what the slot holds afterwards. */
  #step(rule: CompiledRule, a: AlertRecord | undefined, labels: Labels, v: number, now: number) {
    const live = a && a.state !== 'resolved';
    const active = a?.state === 'firing' ? rule.holds(v) : rule.breach(v);
    if (active) {
      if (!a) {
        const alertLabels = this.#alertLabels(rule, labels);
        const fp = fingerprint(alertLabels);
        a = this.active.get(fp) ?? {
          fingerprint: fp,
          rule: rule.name,
          labels: alertLabels,
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
      }
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
      if (a.state === 'pending' && now - a.activeAt >= rule.forMs) this.#fire(rule, a, now);
      return a;
    }
    if (!a || !live) return a;
    if (a.state === 'pending') {
      a.state = 'resolved';
      this.#drop(a);
      return a.visible ? a : undefined;
    }
    if (rule.keepFiringForMs > 0 && now - a.lastTrueAt < rule.keepFiringForMs) {
      a.keeping = true;
      return a;
    }
    a.value = v;
    this.#resolve(a, now);
    return a.visible ? a : undefined;
  }

  #render(rule: CompiledRule, a: AlertRecord): void {
    const data = { labels: a.labels, value: a.value, threshold: rule.threshold };
    const out: Labels = {};
    for (const [k, t] of Object.entries(rule.annotations)) out[k] = t(data);
    // Device-status alerts also say why the device is down (status reason, last poll error).
    if (rule.kind === 'device_status' && a.device)
      Object.assign(out, this.#deviceStatus.get(a.device)?.notes);
    a.annotations = out;
  }

  #change(a: AlertRecord, now: number): void {
    const f = this.#opts.flapping;
    a.changes.push(now);
    while (a.changes.length > 0 && (a.changes[0] as number) < now - f.window) a.changes.shift();
    if (a.changes.length > f.threshold * 4) a.changes.splice(0, a.changes.length - f.threshold * 4);
    if (!a.flapping && a.changes.length > f.threshold) a.flapping = true;
  }

  #fire(rule: CompiledRule, a: AlertRecord, now: number): void {
    a.state = 'firing';
    a.firedAt ??= now;
    if (!a.visible) a.firedAt = now;
    this.#render(rule, a);
    this.#change(a, now);
    if (!a.visible) {
      a.visible = true;
      this.#hooks.onVisible(a, 'firing');
    }
    this.#hooks.onPersist(a.fingerprint, a);
  }

  #resolve(a: AlertRecord, now: number): void {
    a.state = 'resolved';
    a.resolvedAt = now;
    this.#change(a, now);
    // A flapping alert stays visible as firing until it has been quiet (see tick).
    if (a.flapping) return void this.#hooks.onPersist(a.fingerprint, a);
    this.#drop(a);
  }

  /** Forgets an alert that is no longer live; a visible one is announced as resolved. */
  #drop(a: AlertRecord): void {
    this.active.delete(a.fingerprint);
    if (a.changes.length > 0 && !a.flapping) this.#history.set(a.fingerprint, a.changes);
    if (a.visible) {
      a.visible = false;
      a.resolvedAt ??= this.#opts.clock.now();
      this.recent.push({ ...a, changes: [] });
      if (this.recent.length > this.#opts.recentLimit)
        this.recent.splice(0, this.recent.length - this.#opts.recentLimit);
      this.#hooks.onVisible(a, 'resolved');
    }
    this.#hooks.onPersist(a.fingerprint, undefined);
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
        const fp = fingerprint(this.#alertLabels(rule, st.labels));
        slot = this.#restored.get(fp);
        this.#restored.delete(fp);
      }
      const next = this.#step(rule, slot, st.labels, rule.statuses.has(st.status) ? 1 : 0, now);
      if (next) this.#statusSlots.set(slotKey, next);
      else this.#statusSlots.delete(slotKey);
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
    for (const [fp, changes] of this.#history) {
      if ((changes.at(-1) ?? 0) < now - this.#opts.flapping.window) this.#history.delete(fp);
    }
    for (const a of [...this.active.values()]) {
      const rule = this.#ruleOf(a);
      if (!rule) continue;
      if (a.state === 'pending' && now - a.activeAt >= rule.forMs && rule.kind === 'metric') {
        if (now - a.lastTrueAt <= rule.forMs + this.#opts.staleMs) this.#fire(rule, a, now);
      } else if (a.state === 'firing' && rule.kind === 'metric') {
        const silent = now - a.lastTrueAt;
        if (a.keeping && silent >= rule.keepFiringForMs) this.#resolve(a, now);
        else if (rule.fn !== 'absent' && silent > Math.max(this.#opts.staleMs, rule.keepFiringForMs))
          this.#resolve(a, now);
      }
      if (a.flapping) {
        const last = a.changes.at(-1) ?? 0;
        if (now - last >= this.#opts.flapping.quiet) {
          a.flapping = false;
          a.changes = [];
          if (a.state === 'resolved') this.#drop(a);
          else this.#hooks.onPersist(a.fingerprint, a);
        }
      }
    }
  }

  /** Number of series held (for metrics and the benchmark). */
  get seriesCount(): number {
    return this.#series.size;
  }
}
