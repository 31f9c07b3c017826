import type { Bus, InterfaceFact, Sample } from '@ispmonitor/core';

/** A counter reading: value and when it was taken (ms). */
export interface Reading {
  value: number;
  ts: number;
}

/** What the topology knows about one interface from the latest polls. */
export interface InterfaceRate {
  /** Receive rate in bits per second (from `interface_in_octets_total`). */
  inBps?: number;
  /** Transmit rate in bits per second (from `interface_out_octets_total`). */
  outBps?: number;
  /** Speed in bits per second (`interface_speed_bps`). */
  speedBps?: number;
  operUp?: boolean;
  adminUp?: boolean;
}

const TWO_32 = 2 ** 32;

/**
 * Bits per second between two readings of an octet counter: the difference over the time between
 * the readings themselves (not over a query step: a 10 s step with polls 30 s apart read 3× high,
 * which is how links showed 406 %), times 8 (octets → bits). A counter that went down wrapped
 * when it was a 32-bit counter and the wrap gives a rate the interface can carry; otherwise the
 * device restarted its counters and there is no rate for this pair (undefined).
 */
export function counterBps(prev: Reading, next: Reading, speedBps?: number): number | undefined {
  const seconds = (next.ts - prev.ts) / 1000;
  if (!(seconds > 0) || !Number.isFinite(prev.value) || !Number.isFinite(next.value)) return undefined;
  let delta = next.value - prev.value;
  if (delta < 0) {
    if (prev.value >= TWO_32) return undefined;
    delta += TWO_32;
    const bps = (delta * 8) / seconds;
    // A wrap that implies more than the line rate is a reset in disguise.
    if (speedBps && bps > speedBps * 1.05) return undefined;
    return bps;
  }
  return (delta * 8) / seconds;
}

/** Utilisation 0..1 of a rate over a speed, clamped (counter jitter can read a little above line rate). */
export function utilisationOf(bps: number | undefined, speedBps: number | undefined): number | undefined {
  if (bps === undefined || !speedBps || !(speedBps > 0) || !Number.isFinite(bps)) return undefined;
  return Math.min(1, Math.max(0, bps / speedBps));
}

interface Tracked extends InterfaceRate {
  lastIn?: Reading;
  lastOut?: Reading;
}

const NAMES = new Set([
  'interface_in_octets_total',
  'interface_out_octets_total',
  'interface_speed_bps',
  'interface_oper_up',
  'interface_admin_up',
]);

/**
 * Live interface rates and states from the samples of every poll (the bus's `samples` event):
 * each new counter reading against the previous one of the same interface, so a link's rate is
 * as fresh as its last poll and costs no storage query. Only interfaces `wanted` (the ends of
 * links) are kept, so the hot path does a name check and a map lookup per sample.
 */
export class LinkRates {
  readonly #byKey = new Map<string, Tracked>();
  #wanted = new Set<string>();
  readonly #off: () => void;

  constructor(bus: Bus) {
    const offs = [
      bus.on('samples', ({ samples }) => this.ingest(samples)),
      bus.on('facts', ({ device, facts }) => {
        if (facts.interfaces) this.ingestInterfaces(device.id, facts.interfaces);
      }),
    ];
    this.#off = () => {
      for (const off of offs) off();
    };
  }

  /** Speeds and states from a poll's interface facts (drivers that send no speed samples still send these). */
  ingestInterfaces(device: string, interfaces: readonly InterfaceFact[]): void {
    for (const f of interfaces) {
      const key = rateKey(device, f.name);
      if (!this.#wanted.has(key)) continue;
      let t = this.#byKey.get(key);
      if (!t) {
        t = {};
        this.#byKey.set(key, t);
      }
      if (f.speedBps !== undefined && f.speedBps > 0) t.speedBps = f.speedBps;
      if (f.operUp !== undefined) t.operUp = f.operUp;
      if (f.adminUp !== undefined) t.adminUp = f.adminUp;
    }
  }

  /** Interfaces to follow, as `device` + NUL + `ifName`; others are dropped. */
  want(keys: Set<string>): void {
    this.#wanted = keys;
    for (const k of this.#byKey.keys()) if (!keys.has(k)) this.#byKey.delete(k);
  }

  /** Feeds samples (the bus does this; tests may call it directly). */
  ingest(samples: readonly Sample[]): void {
    for (const s of samples) {
      if (!NAMES.has(s.name)) continue;
      const device = s.labels.device;
      const ifName = s.labels.ifName;
      if (!device || !ifName) continue;
      const key = rateKey(device, ifName);
      if (!this.#wanted.has(key)) continue;
      let t = this.#byKey.get(key);
      if (!t) {
        t = {};
        this.#byKey.set(key, t);
      }
      const value = Number(s.value);
      switch (s.name) {
        case 'interface_speed_bps':
          if (value > 0) t.speedBps = value;
          break;
        case 'interface_oper_up':
          t.operUp = value === 1;
          break;
        case 'interface_admin_up':
          t.adminUp = value === 1;
          break;
        case 'interface_in_octets_total': {
          const r = { value, ts: s.ts };
          if (t.lastIn && r.ts > t.lastIn.ts) t.inBps = counterBps(t.lastIn, r, t.speedBps) ?? t.inBps;
          if (!t.lastIn || r.ts > t.lastIn.ts) t.lastIn = r;
          break;
        }
        default: {
          const r = { value, ts: s.ts };
          if (t.lastOut && r.ts > t.lastOut.ts) t.outBps = counterBps(t.lastOut, r, t.speedBps) ?? t.outBps;
          if (!t.lastOut || r.ts > t.lastOut.ts) t.lastOut = r;
        }
      }
    }
  }

  /** The latest rates and state of one interface, if it was seen. */
  get(device: string, ifName: string): InterfaceRate | undefined {
    const t = this.#byKey.get(rateKey(device, ifName));
    if (!t) return undefined;
    const { lastIn: _i, lastOut: _o, ...rest } = t;
    return rest;
  }

  close(): void {
    this.#off();
  }
}

/** The key of one interface in `LinkRates.want`. */
export function rateKey(device: string, ifName: string): string {
  return `${device}\u0000${ifName}`;
}
