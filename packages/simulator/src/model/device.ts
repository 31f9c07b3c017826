/**
 * The state of one simulated device: when it booted, how its interfaces carry traffic, its faults.
 * Every value is a function of (seed, clock time), so two polls at the same instant agree and
 * counters only ever grow between reboots.
 */
import type { Faults } from './faults.js';
import { between, createRng, exponential, hashSeed, noise, type Rng } from './random.js';
import { bytesBetween, dayFactor, type TrafficCurve } from './traffic.js';

/** What a profile says about one interface: the same for every device of that profile. */
export interface InterfaceLayout {
  ifIndex: number;
  /** ifName (and ifDescr unless `descr` is given). */
  name: string;
  descr?: string;
  /** IANAifType: 6 ethernetCsmacd, 24 softwareLoopback, 53 propVirtual, 71 ieee80211, 209 bridge, 23 ppp. */
  type: number;
  speedBps: number;
  mtu: number;
  /** How busy it is: uplinks carry the most, loopbacks nothing. */
  role: 'uplink' | 'access' | 'virtual' | 'loopback' | 'wireless';
}

/** Per-device state of one interface. */
export interface InterfaceState {
  layout: InterfaceLayout;
  mac: Buffer;
  alias: string;
  adminUp: boolean;
  in: TrafficCurve;
  out: TrafficCurve;
  /** Absolute ms when the link went down (fault), or undefined. */
  downAtMs?: number;
}

type Direction = 'in' | 'out';

/** Counters derived from an interface's octets, e.g. `inOctets`, `outDiscards`. */
export type CounterKindName =
  `${Direction}${'Octets' | 'UcastPkts' | 'MulticastPkts' | 'BroadcastPkts' | 'Discards' | 'Errors'}`;

/**
 * One direction's counters as [name, [direction, ratio to octets]]: a packet every
 * `bytesPerPacket` octets, multicast 1/250 and broadcast 1/1000 of the packets, a discard and an
 * error every `discardEvery` and `errorEvery` packets.
 */
function directionKinds(d: Direction, bytesPerPacket: number, discardEvery: number, errorEvery: number) {
  const packets = 1 / bytesPerPacket;
  const ratios = {
    Octets: 1,
    UcastPkts: packets,
    MulticastPkts: packets / 250,
    BroadcastPkts: packets / 1000,
    Discards: packets / discardEvery,
    Errors: packets / errorEvery,
  };
  return Object.entries(ratios).map(([name, ratio]) => [`${d}${name}`, [d, ratio] as const] as const);
}

/** Counters derived from an interface's octets: [direction, ratio to octets]. */
export const CounterKind = Object.fromEntries([
  ...directionKinds('in', 900, 50_000, 1_000_000),
  ...directionKinds('out', 400, 80_000, 2_000_000),
]) as Readonly<Record<CounterKindName, readonly [Direction, number]>>;

const U64 = 1n << 64n;

const clamp = (lo: number, hi: number, v: number) => Math.min(hi, Math.max(lo, v));

/** Options for one device. */
export interface SimDeviceOptions {
  id: string;
  sysName: string;
  layout: readonly InterfaceLayout[];
  seed: number;
  /** Fleet start on its clock: fault times are relative to it. */
  startMs: number;
  faults: Faults;
  cpuCount: number;
  memTotalBytes: number;
  /** Added to every 64-bit counter (to test values beyond 2^53 or near 2^64). Default 0. */
  counterBase?: bigint;
  /** Uptime at start, ms; default random between 1 hour and 60 days. */
  uptimeAtStartMs?: number;
}

/** One simulated device. */
export class SimDevice {
  readonly id: string;
  readonly sysName: string;
  readonly interfaces: InterfaceState[];
  readonly faults: Faults;
  readonly startMs: number;
  readonly cpuCount: number;
  readonly memTotalBytes: number;
  readonly counterBase: bigint;
  /** Base CPU load (percent), temperature (°C) and wireless clients, drawn from the seed. */
  readonly cpuBase: number;
  readonly tempBase: number;
  readonly clientsBase: number;
  readonly memFraction: number;
  bootMs: number;
  /** For loss and jitter: a stream separate from the one that drew the device. */
  readonly rng: Rng;
  private readonly seed: number;
  private readonly pendingReboots: number[];
  private nextRandomReboot = Number.POSITIVE_INFINITY;
  private readonly rebootRng: Rng;
  private readonly memo: Float64Array;
  private memoNow = Number.NaN;
  private memoBoot = Number.NaN;

  constructor(o: SimDeviceOptions) {
    this.id = o.id;
    this.sysName = o.sysName;
    this.faults = o.faults;
    this.startMs = o.startMs;
    this.cpuCount = o.cpuCount;
    this.memTotalBytes = o.memTotalBytes;
    this.counterBase = o.counterBase ?? 0n;
    this.seed = hashSeed(o.id, o.seed);
    const r = createRng(this.seed);
    this.rng = createRng(this.seed ^ 0x5bd1e995);
    this.rebootRng = createRng(this.seed ^ 0x1b873593);
    this.bootMs = o.startMs - (o.uptimeAtStartMs ?? Math.floor(between(r, 3_600_000, 60 * 86_400_000)));
    this.cpuBase = between(r, 4, 30);
    this.tempBase = between(r, 34, 48);
    this.clientsBase = Math.floor(between(r, 4, 12));
    this.memFraction = between(r, 0.25, 0.6);
    const peak = between(r, 19, 22.5) * 3600;
    this.interfaces = o.layout.map((l) => {
      const util = {
        uplink: [0.15, 0.45],
        access: [0.01, 0.25],
        virtual: [0.05, 0.2],
        wireless: [0.03, 0.2],
        loopback: [0, 0],
      }[l.role];
      const mean = (between(r, util[0]!, util[1]!) * l.speedBps) / 8;
      const amplitude = between(r, 0.35, 0.7);
      // A few access ports are shut, as on any real switch.
      const adminUp = l.role !== 'access' || r() > 0.1;
      const mac = Buffer.from([
        0x4c,
        0x5e,
        0x0c,
        (this.seed >>> 16) & 0xff,
        (this.seed >>> 8) & 0xff,
        l.ifIndex & 0xff,
      ]);
      return {
        layout: l,
        mac: l.role === 'loopback' ? Buffer.alloc(0) : mac,
        alias: l.role === 'uplink' ? `uplink-${l.ifIndex}` : '',
        adminUp,
        in: { mean: adminUp ? mean : 0, amplitude, peakSecond: peak },
        out: { mean: adminUp ? mean * between(r, 0.15, 0.5) : 0, amplitude, peakSecond: peak },
      };
    });
    this.memo = new Float64Array(2 * this.interfaces.length);
    for (const d of o.faults.linkDown ?? []) {
      const iface = this.interfaces.find((i) => i.layout.ifIndex === d.ifIndex);
      if (iface) iface.downAtMs = o.startMs + d.atMs;
    }
    this.pendingReboots = (o.faults.reboots?.atMs ?? []).map((t) => o.startMs + t).sort((a, b) => a - b);
    const rate = o.faults.reboots?.ratePerHour ?? 0;
    if (rate > 0) this.nextRandomReboot = o.startMs + exponential(this.rebootRng, 3_600_000 / rate);
  }

  /** Applies reboots due by `now`. Called before every answer. */
  sync(now: number): void {
    while (this.pendingReboots.length > 0 && this.pendingReboots[0]! <= now) {
      this.bootMs = Math.max(this.bootMs, this.pendingReboots.shift()!);
    }
    const rate = this.faults.reboots?.ratePerHour ?? 0;
    while (this.nextRandomReboot <= now) {
      this.bootMs = Math.max(this.bootMs, this.nextRandomReboot);
      this.nextRandomReboot += exponential(this.rebootRng, 3_600_000 / rate);
    }
  }

  /**
   * Set at run time (`ispmonitor-sim --control-port`): `down` silences the device, `up` makes it
   * answer whatever its planned faults say; `undefined` follows the plan.
   */
  forced: 'down' | 'up' | undefined;

  /** Whether the device answers at all at `now`. */
  isDead(now: number): boolean {
    if (this.forced !== undefined) return this.forced === 'down';
    const f = this.faults;
    return f.dead === true || (f.deadAfterMs !== undefined && now - this.startMs >= f.deadAfterMs);
  }

  /** sysUpTime in hundredths of a second. */
  uptimeTicks(now: number): number {
    return Math.max(0, Math.floor((now - this.bootMs) / 10));
  }

  /** Whether interface `i` (position in the layout) is up at `now`. */
  operUp(i: number, now: number): boolean {
    const s = this.interfaces[i]!;
    if (s.layout.role === 'loopback') return true;
    if (!s.adminUp) return false;
    return s.downAtMs === undefined || now < s.downAtMs;
  }

  /** sysUpTime ticks at the interface's last state change. */
  lastChangeTicks(i: number, now: number): number {
    const s = this.interfaces[i]!;
    if (s.downAtMs !== undefined && now >= s.downAtMs && s.downAtMs > this.bootMs) {
      return Math.floor((s.downAtMs - this.bootMs) / 10);
    }
    return Math.min(this.uptimeTicks(now), 1_500);
  }

  /** Bytes an interface carried in one direction since boot (none after its link went down). */
  octets(i: number, dir: 'in' | 'out', now: number): number {
    // One request reads a dozen counters per interface at one instant: compute each once.
    if (now !== this.memoNow || this.bootMs !== this.memoBoot) {
      this.memo.fill(Number.NaN);
      this.memoNow = now;
      this.memoBoot = this.bootMs;
    }
    const k = 2 * i + (dir === 'in' ? 0 : 1);
    const hit = this.memo[k]!;
    if (!Number.isNaN(hit)) return hit;
    const s = this.interfaces[i]!;
    const end = s.downAtMs !== undefined ? Math.min(now, s.downAtMs) : now;
    const v = bytesBetween(s[dir], this.bootMs / 1000, end / 1000);
    this.memo[k] = v;
    return v;
  }

  /**
   * A 64-bit counter's value (wraps at 2^64, starts from `counterBase` at boot). A plain number
   * while it is exact (below 2^53, no base), a bigint otherwise.
   */
  counter(i: number, kind: CounterKindName, now: number): number | bigint {
    const [dir, ratio] = CounterKind[kind];
    const v = Math.floor(this.octets(i, dir, now) * ratio);
    if (this.counterBase === 0n && v < 2 ** 53) return v;
    return (this.counterBase + BigInt(v)) % U64;
  }

  /** CPU load in percent of one processor. */
  cpuLoad(cpu: number, now: number): number {
    const spike = this.faults.cpuSpike;
    const since = now - this.startMs;
    const jitter = noise(this.seed + cpu, Math.floor(now / 10_000));
    if (
      spike &&
      since >= spike.atMs &&
      (spike.durationMs === undefined || since < spike.atMs + spike.durationMs)
    ) {
      return Math.min(100, Math.round((spike.load ?? 97) - 3 + jitter * 3));
    }
    const base = this.cpuBase * dayFactor(0.5, this.interfaces[0]?.in.peakSecond ?? 75_600, now / 1000);
    return Math.max(0, Math.min(100, Math.round(base + (jitter - 0.5) * 10)));
  }

  /** Memory in use, bytes. */
  memUsedBytes(now: number): number {
    const drift = (noise(this.seed, Math.floor(now / 60_000)) - 0.5) * 0.04;
    return Math.floor(this.memTotalBytes * (this.memFraction + drift));
  }

  /** Board temperature in °C (follows CPU load a little). */
  temperature(now: number): number {
    return this.tempBase + this.cpuLoad(0, now) / 12 + noise(this.seed ^ 7, Math.floor(now / 30_000));
  }

  /** Supply voltage in volts. */
  voltage(now: number): number {
    return 24 + (noise(this.seed ^ 11, Math.floor(now / 30_000)) - 0.5) * 0.4;
  }

  /** Wireless clients associated, following the day (at most 16: the rows a profile has). */
  wirelessClients(now: number): number {
    const f = dayFactor(0.6, this.interfaces[0]?.in.peakSecond ?? 75_600, now / 1000);
    return clamp(
      0,
      16,
      Math.round(this.clientsBase * f + (noise(this.seed ^ 3, Math.floor(now / 60_000)) - 0.5) * 4),
    );
  }

  /** Noise in [0, 1) for thing `k`, steady for a minute: lets table rows wander over time. */
  jitter(k: number, now: number): number {
    return noise(this.seed + 101 * (k + 1), Math.floor(now / 60_000));
  }

  /** Reply delay for a request answered with `varbinds` varbinds, ms (latency, jitter, slowness). */
  delayMs(varbinds: number): number {
    const f = this.faults;
    let d = f.latencyMs ?? 0;
    if (f.jitterMs) d += this.rng() * f.jitterMs;
    if (f.slowPerVarbindMs) d += f.slowPerVarbindMs * varbinds;
    return d;
  }

  /** Whether this request is lost (loss fault). */
  dropsRequest(): boolean {
    const p = this.faults.lossRate ?? 0;
    return p > 0 && this.rng() < p;
  }
}
