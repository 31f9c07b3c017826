/**
 * The subscribers of a fleet of emulated BNGs, as pure functions of (plan, absolute time): PPPoE
 * users and their sessions, DHCP clients and their leases, wireless clients roaming between the
 * fleet's routers. Nothing is stored and nothing ticks: the state at any instant is computed on
 * request in O(1) per subscriber, and the same functions enumerate the past for the demo's
 * history, so what a router answers now is exactly the end of that history.
 *
 * Each subscriber's time is cut into epochs of its own length and phase; each epoch holds exactly
 * one event drawn from a hash of (seed, subscriber, epoch): a PPPoE user disconnects once per
 * epoch (and redials after a gap), a DHCP client arrives once and leaves once, a wireless client
 * associates to one router for part of the epoch. Times are Unix seconds. PPPoE users are here;
 * DHCP and wireless clients in `lan-clients.ts`.
 */

/** Where a router sits among the routers sharing one subscriber population. */
export interface SubscriberPlan {
  /** Seed of the population (shared by the fleet, unlike the per-router seed). */
  seed: number;
  /** This router's position in the fleet, and the fleet's size. */
  index: number;
  size: number;
  /** PPPoE users homed on this router. */
  users: number;
  /** Fleet-wide number of this router's first user (names and addresses are unique per fleet). */
  userBase: number;
  /** Mean session length of an ordinary user, seconds. */
  meanSession: number;
  /** Users among `users` who reconnect every few minutes (since hours before `flapFrom`). */
  flapping: number;
  /** Unix seconds the flapping is anchored to: the router's start, so its history ends flapping. */
  flapFrom: number;
  /** DHCP lease slots, and the lease time (clients renew at half of it). */
  leases: number;
  leaseTime: number;
  /** Wireless clients homed on this router (they roam to the fleet's other routers). */
  wireless: number;
}

function step(h: number, v: number): number {
  const hi = Math.floor(v / 4294967296) >>> 0;
  let x = Math.imul(h ^ (v >>> 0), 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x ^ hi, 0xc2b2ae35);
  return x ^ (x >>> 16);
}

/** 32-bit mix of a seed and up to three values (values may exceed 2^32). */
export function mix(seed: number, a: number, b = 0, c = 0): number {
  return step(step(step((seed ^ 0x9e3779b9) >>> 0, a), b), c) >>> 0;
}

/** A uniform value in [0, 1) from {@link mix}. */
export const u01 = (seed: number, a: number, b = 0, c = 0) => mix(seed, a, b, c) / 4294967296;

/** Salts, so one subscriber's draws for different purposes are independent. */
export const S = {
  period: 1,
  phase: 2,
  cut: 3,
  gap: 4,
  gapKind: 5,
  addr: 6,
  rate: 7,
  arrive: 8,
  stay: 9,
  who: 10,
};

// ---------------------------------------------------------------- PPPoE users

/** Whether user `s` of the router is one of its flapping users (spread evenly over the table). */
export function isFlapping(p: SubscriberPlan, s: number): boolean {
  if (p.flapping <= 0) return false;
  const stride = Math.max(1, Math.floor(p.users / p.flapping));
  return (s + 1) % stride === 0 && (s + 1) / stride <= p.flapping;
}

/** One PPPoE session: `start` and `end` in seconds (`end` = when the user disconnects). */
export interface SessionSpan {
  /** User's number on this router. */
  s: number;
  /** Epoch of the user whose reconnect started the session: the session's identity. */
  epoch: number;
  start: number;
  end: number;
  /** How long the user was offline before this session (a reconnect when short). */
  gapBefore: number;
}

interface UserClock {
  /** Epoch `e` runs from `e × period − phase` for one period. */
  period: number;
  phase: number;
  flapping: boolean;
}

/** Flapping epochs are numbered from here, so their sessions' identities never meet ordinary ones. */
const FLAP_EPOCH = 1_000_000_000;

/** When flapping user `s` started flapping (a line gone bad 6–48 hours before `flapFrom`), else Infinity. */
export function flapStart(p: SubscriberPlan, s: number): number {
  if (!isFlapping(p, s)) return Number.POSITIVE_INFINITY;
  return Math.floor(p.flapFrom - (6 + 42 * u01(p.seed, p.userBase + s, S.cut, 11)) * 3600);
}

function ordinaryClock(p: SubscriberPlan, s: number): UserClock {
  const g = p.userBase + s;
  const period = Math.max(20, Math.floor(p.meanSession * (0.5 + u01(p.seed, g, S.period))));
  return { period, phase: Math.floor(u01(p.seed, g, S.phase) * period), flapping: false };
}

/** A flapping user's clock: epoch 0 starts (with a disconnect) when the flapping starts. */
function flapClock(p: SubscriberPlan, s: number, from: number): UserClock {
  return {
    period: 180 + Math.floor(u01(p.seed, p.userBase + s, S.period) * 300),
    phase: -from,
    flapping: true,
  };
}

/** The disconnect of epoch `e`: the session before it ends at `down`, the next starts at `up`. */
function disconnect(p: SubscriberPlan, s: number, c: UserClock, e: number): { down: number; up: number } {
  const g = p.userBase + s;
  const id = c.flapping ? FLAP_EPOCH + e : e;
  const r = u01(p.seed, g, id, S.gapKind);
  const x = u01(p.seed, g, id, S.gap);
  let gap: number;
  if (c.flapping) gap = 5 + x * 55;
  // A quarter redial at once (a reconnect), half after a modem restart, the rest after hours off.
  else if (r < 0.25) gap = 2 + x * 58;
  else if (r < 0.75) gap = 120 + x * 2280;
  else gap = 3600 + x * 32_400;
  gap = Math.min(Math.floor(gap), Math.floor(c.period * 0.15));
  const start = e * c.period - c.phase;
  // Flapping starts with a disconnect.
  const cut = c.flapping && e === 0 ? 0 : Math.floor(u01(p.seed, g, id, S.cut) * (c.period - gap));
  return { down: start + cut, up: start + cut + gap };
}

const span = (
  s: number,
  c: UserClock,
  e: number,
  d: { down: number; up: number },
  end: number,
): SessionSpan => ({
  s,
  epoch: c.flapping ? FLAP_EPOCH + e : e,
  start: d.up,
  end,
  gapBefore: d.up - d.down,
});

/** User `s`'s session at `t`, or undefined while the user is offline. */
export function sessionAt(p: SubscriberPlan, s: number, t: number): SessionSpan | undefined {
  const flap = flapStart(p, s);
  const c = t >= flap ? flapClock(p, s, flap) : ordinaryClock(p, s);
  const e = Math.floor((t + c.phase) / c.period);
  const d = disconnect(p, s, c, e);
  // An ordinary session still up when the flapping starts ends then.
  const cap = (end: number) => (c.flapping ? end : Math.min(end, flap));
  if (t >= d.up) return span(s, c, e, d, cap(disconnect(p, s, c, e + 1).down));
  if (t >= d.down) return undefined;
  return span(s, c, e - 1, disconnect(p, s, c, e - 1), cap(d.down));
}

/** Every session of user `s` that overlaps [from, to), oldest first. */
export function sessionsBetween(p: SubscriberPlan, s: number, from: number, to: number): SessionSpan[] {
  const flap = flapStart(p, s);
  const out: SessionSpan[] = [];
  const walk = (c: UserClock, first: number, until: number, cap: number) => {
    let e = first;
    let d = disconnect(p, s, c, e);
    for (; d.up < until; e++) {
      const next = disconnect(p, s, c, e + 1);
      const end = Math.min(next.down, cap);
      if (end > from) out.push(span(s, c, e, d, end));
      d = next;
    }
  };
  if (from < flap) {
    const c = ordinaryClock(p, s);
    walk(c, Math.floor((from + c.phase) / c.period) - 1, Math.min(to, flap), flap);
  }
  if (to > flap) {
    const c = flapClock(p, s, flap);
    walk(c, Math.max(0, Math.floor((from + c.phase) / c.period) - 1), to, Number.POSITIVE_INFINITY);
  }
  return out;
}

/** Who user `s` is: name, CPE MAC (number) and traffic. */
export interface UserIdentity {
  name: string;
  /** The CPE's MAC as a 48-bit number (unique per fleet). */
  mac: number;
  /** Mean download and upload, bytes per second, while online. */
  down: number;
  up: number;
}

const FIRST = [
  'rami',
  'nadia',
  'karim',
  'layla',
  'omar',
  'maya',
  'ziad',
  'hana',
  'fadi',
  'rana',
  'samir',
  'dina',
];
const LAST = ['haddad', 'khoury', 'saleh', 'nassar', 'aoun', 'chami', 'farah', 'hayek', 'sabbagh', 'touma'];
/** CPE vendors' OUIs (MikroTik, TP-Link, Huawei, ZTE). */
const CPE_OUI = [0x4c5e0c, 0x50c7bf, 0x00e0fc, 0x344b50];

/** User `s`'s identity. */
export function userIdentity(p: SubscriberPlan, s: number): UserIdentity {
  const g = p.userBase + s;
  const h = mix(p.seed, g, S.who);
  const name = `${FIRST[h % FIRST.length]}.${LAST[(h >>> 8) % LAST.length]}${g + 1}`;
  // An odd multiplier permutes the 24-bit space: distinct users, distinct MACs.
  const low = (Math.imul(g + 1, 0x9e3779) + 0x51ed) & 0xffffff;
  const mac = (CPE_OUI[(h >>> 16) % CPE_OUI.length] as number) * 0x1000000 + low;
  const down = 20_000 + u01(p.seed, g, S.rate) * 380_000;
  return { name, mac, down, up: down * (0.1 + u01(p.seed, g, S.rate, 1) * 0.2) };
}

/** The address of a session: the user's own, now and then the second one of its pair. */
export function sessionAddress(p: SubscriberPlan, session: SessionSpan): number {
  const g = p.userBase + session.s;
  const second = mix(p.seed, g, session.epoch, S.addr) % 4 === 0 ? 1 : 0;
  // 100.64.0.0/10 (CGNAT): user g owns pool slots 2g and 2g+1, so no two users ever share one.
  return 0x64400000 + 256 + 2 * g + second;
}

/** The RouterOS `.id` number of a session: new for each session, stable for its life. */
export function sessionId(p: SubscriberPlan, session: SessionSpan): number {
  return 0x80000000 + (mix(p.seed ^ 0x5e55, p.userBase + session.s, session.epoch) & 0x7fffffff);
}
