/**
 * Live interface rates kept in memory from the samples of every poll (the bus's `samples`
 * event), so the router page's interface table and its default chart choice cost no storage
 * query: the newest per-second rate of each counter, and an hour of 2-minute sparkline buckets.
 *
 * A router's figures live in typed arrays, one slot per interface (about 0.6 KB an interface:
 * 20,000 interfaces hold 12 MB). Storage stays the source for what this process did not see —
 * polls made before it started, or by another replica — through `seedSpark` and the callers'
 * fallbacks.
 */
import type { Bus, Device, Sample } from '@ispmonitor/core';
import { counterIncrease } from './rates.js';

/** The counters kept, in slot order. */
export const LIVE_COUNTERS = [
  'interface_in_octets_total',
  'interface_out_octets_total',
  'interface_in_errors_total',
  'interface_out_errors_total',
  'interface_in_discards_total',
  'interface_out_discards_total',
] as const;
/** A counter's place in `LIVE_COUNTERS`. */
export type CounterIndex = 0 | 1 | 2 | 3 | 4 | 5;
const C = LIVE_COUNTERS.length;
const INDEX = new Map<string, number>(LIVE_COUNTERS.map((n, i) => [n, i]));

/** Sparkline points of the table (an hour of 2-minute buckets). */
export const SPARK_POINTS = 30;
/** Buckets kept per interface: the sparkline's, and the one still filling. */
const RING = SPARK_POINTS + 1;
/** Width of a sparkline bucket (ms). */
export const SPARK_STEP_MS = 120_000;
/** Per bucket and interface: in bits, seconds they span, out bits, seconds. */
const S = 4;

/** What one router's polls said lately. */
export class LiveRouter {
  /** When the first counter reading of this router reached this process (ms). */
  readonly since: number;
  /** Newest counter reading (ms), or undefined before the first. */
  at: number | undefined;
  /** Whether stored sparkline buckets older than `since` were read in (`seedSpark`). */
  seeded = false;
  readonly #slots = new Map<string, number>();
  /** Per slot and counter: last value, its time. */
  #last = new Float64Array(0);
  /** Per slot and counter: per-second rate of the newest pair of readings, NaN when none. */
  #rate = new Float64Array(0);
  /** The bucket number (time / step) each ring position holds; -1 for none. */
  readonly #bucket = new Float64Array(RING).fill(-1);
  /** Per slot, ring position and S: the buckets' sums. */
  #spark = new Float32Array(0);

  constructor(since: number) {
    this.since = since;
  }

  /** The slot of an interface, made on first sight. */
  #slot(ifName: string): number {
    let slot = this.#slots.get(ifName);
    if (slot !== undefined) return slot;
    slot = this.#slots.size;
    this.#slots.set(ifName, slot);
    if ((slot + 1) * C > this.#rate.length) {
      const cap = Math.max(8, Math.ceil((slot + 1) * 1.5));
      const grow = <T extends Float64Array | Float32Array>(old: T, make: (n: number) => T, per: number) => {
        const next = make(cap * per);
        next.fill(Number.NaN);
        next.set(old);
        return next;
      };
      this.#last = grow(this.#last, (n) => new Float64Array(n), C * 2);
      this.#rate = grow(this.#rate, (n) => new Float64Array(n), C);
      const spark = new Float32Array(cap * RING * S);
      spark.set(this.#spark);
      this.#spark = spark;
    }
    return slot;
  }

  /** The ring position of bucket `b`, emptied for every slot when it held an older bucket. */
  #position(b: number): number | undefined {
    const p = b % RING;
    const held = this.#bucket[p] as number;
    if (held > b) return undefined;
    if (held < b) {
      this.#bucket[p] = b;
      for (let i = p * S; i < this.#spark.length; i += RING * S) this.#spark.fill(0, i, i + S);
    }
    return p;
  }

  /** One counter reading; a pair closer than `maxGapMs` gives a rate (a longer gap: no rate). */
  add(ifName: string, counter: number, value: number, ts: number, maxGapMs: number): void {
    const slot = this.#slot(ifName);
    const k = (slot * C + counter) * 2;
    const prev = this.#last[k] as number;
    const prevTs = this.#last[k + 1] as number;
    if (ts <= prevTs) return;
    this.#last[k] = value;
    this.#last[k + 1] = ts;
    if (this.at === undefined || ts > this.at) this.at = ts;
    const dt = ts - prevTs;
    if (!(dt > 0 && dt <= maxGapMs)) {
      this.#rate[slot * C + counter] = Number.NaN;
      return;
    }
    const increase = counterIncrease(prev, value);
    this.#rate[slot * C + counter] = increase / (dt / 1000);
    if (counter > 1) return;
    const p = this.#position(Math.floor(ts / SPARK_STEP_MS));
    if (p === undefined) return;
    const i = (slot * RING + p) * S + counter * 2;
    this.#spark[i] = (this.#spark[i] as number) + increase * 8;
    this.#spark[i + 1] = (this.#spark[i + 1] as number) + dt / 1000;
  }

  /** Whether any rate was computed yet (two readings of one counter). */
  hasRates(): boolean {
    for (let i = 0; i < this.#slots.size * C; i++) if (!Number.isNaN(this.#rate[i])) return true;
    return false;
  }

  /** Per-second rate of a counter of an interface from its newest pair, if there is one. */
  rate(ifName: string, counter: CounterIndex): number | undefined {
    const slot = this.#slots.get(ifName);
    if (slot === undefined) return undefined;
    const r = this.#rate[slot * C + counter] as number;
    return Number.isNaN(r) ? undefined : r;
  }

  /** The interfaces seen, in the order they were first seen. */
  interfaces(): string[] {
    return [...this.#slots.keys()];
  }

  /**
   * In and out bits/s of an interface for `points` buckets from the one starting at `from` (a
   * multiple of the step), null where the ring holds nothing for it.
   */
  spark(
    ifName: string,
    from: number,
    points = SPARK_POINTS,
  ): { in: Array<number | null>; out: Array<number | null> } {
    const out = {
      in: new Array<number | null>(points).fill(null),
      out: new Array<number | null>(points).fill(null),
    };
    const slot = this.#slots.get(ifName);
    if (slot === undefined) return out;
    const first = Math.floor(from / SPARK_STEP_MS);
    for (let j = 0; j < points; j++) {
      const b = first + j;
      const p = b % RING;
      if (this.#bucket[p] !== b) continue;
      const i = (slot * RING + p) * S;
      const inS = this.#spark[i + 1] as number;
      const outS = this.#spark[i + 3] as number;
      if (inS > 0) out.in[j] = (this.#spark[i] as number) / inS;
      if (outS > 0) out.out[j] = (this.#spark[i + 2] as number) / outS;
    }
    return out;
  }

  /**
   * A stored bucket (bits/s in and out) for an interface, where the ring holds nothing of its
   * own for it: history from before this process saw the router.
   */
  seedBucket(
    ifName: string,
    bucketStart: number,
    inBps: number | undefined,
    outBps: number | undefined,
  ): void {
    const p = this.#position(Math.floor(bucketStart / SPARK_STEP_MS));
    if (p === undefined) return;
    const i = (this.#slot(ifName) * RING + p) * S;
    const seconds = SPARK_STEP_MS / 1000;
    for (const [o, v] of [
      [0, inBps],
      [2, outBps],
    ] as const) {
      if (v === undefined || !Number.isFinite(v) || (this.#spark[i + o + 1] as number) > 0) continue;
      this.#spark[i + o] = v * seconds;
      this.#spark[i + o + 1] = seconds;
    }
  }
}

/**
 * Every router's live interface figures in this process, fed by the bus. `maxGapMs(device)` is
 * the longest pair of readings that still makes a live rate (the table's rate window).
 */
export class LiveInterfaces {
  readonly #routers = new Map<string, LiveRouter>();
  readonly #offs: Array<() => void>;

  constructor(
    bus: Bus,
    private readonly maxGapMs: (device: Device) => number,
  ) {
    this.#offs = [
      bus.on('samples', ({ device, samples }) => this.ingest(device, samples)),
      bus.on('device:removed', ({ device }) => void this.#routers.delete(device.id)),
    ];
  }

  /** Feeds one poll's samples (the bus does this; tests may call it directly). */
  ingest(device: Device, samples: readonly Sample[]): void {
    let router: LiveRouter | undefined;
    let gap = 0;
    for (const s of samples) {
      const counter = INDEX.get(s.name);
      if (counter === undefined) continue;
      const ifName = s.labels.ifName;
      if (!ifName) continue;
      if (!router) {
        router = this.#routers.get(device.id);
        if (!router) {
          router = new LiveRouter(s.ts);
          this.#routers.set(device.id, router);
        }
        gap = this.maxGapMs(device);
      }
      const value = typeof s.value === 'bigint' ? Number(s.value) : s.value;
      if (Number.isFinite(value)) router.add(ifName, counter, value, s.ts, gap);
    }
  }

  /** What this process saw of a router's interfaces, if it saw any counter. */
  router(device: string): LiveRouter | undefined {
    return this.#routers.get(device);
  }

  /** Stops following the bus. */
  close(): void {
    for (const off of this.#offs) off();
    this.#routers.clear();
  }
}
