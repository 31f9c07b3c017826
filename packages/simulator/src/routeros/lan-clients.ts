/**
 * The LAN side of an emulated BNG's subscribers (see `subscribers.ts`): DHCP clients staying on a
 * lease slot (arriving, renewing at half the lease time, leaving, the lease running out) and
 * wireless clients associating, for a few hours at a time, to one router of the fleet or another.
 */
import { mix, S, type SubscriberPlan, u01 } from './subscribers.js';

// ---------------------------------------------------------------- DHCP leases

/** One client's stay on a lease slot: it arrives, renews every half lease time, leaves. */
export interface LeaseSpan {
  j: number;
  cycle: number;
  /** Arrival, departure, and the lease's expiry after the last renewal before departure. */
  arrive: number;
  leave: number;
  expires: number;
  /** MAC (48-bit number): the slot's own device, or a visitor's on dynamic slots. */
  mac: number;
  visitor: boolean;
}

/** Whether lease slot `j` is a static lease (kept, `waiting`, while its device is away). */
export const isStaticLease = (j: number) => j % 2 === 1;

function leaseCycle(p: SubscriberPlan, j: number): { period: number; phase: number } {
  const k = p.index * 65_536 + j;
  const period = Math.max(4 * p.leaseTime, Math.floor(4 * 3600 + u01(p.seed, k, S.period, 9) * 32 * 3600));
  return { period, phase: Math.floor(u01(p.seed, k, S.phase, 9) * period) };
}

function leaseSpan(p: SubscriberPlan, j: number, cycle: number): LeaseSpan {
  const k = p.index * 65_536 + j;
  const { period, phase } = leaseCycle(p, j);
  const start = cycle * period - phase;
  const arrive = start + Math.floor(u01(p.seed, k, cycle, S.arrive) * 0.2 * period);
  // The lease must expire before the cycle ends: the next arrival finds the slot free.
  const room = start + period - p.leaseTime - arrive;
  const leave = arrive + Math.floor((0.4 + 0.6 * u01(p.seed, k, cycle, S.stay)) * room);
  const half = p.leaseTime / 2;
  const lastRenewal = arrive + Math.floor((leave - arrive) / half) * half;
  const visitor = !isStaticLease(j) && u01(p.seed, k, cycle, S.who) < 0.3;
  const own = 0x28_0000 + p.index * 4096 + j;
  const mac = visitor ? 0xa4c361000000 + (mix(p.seed, k, cycle) & 0xffffff) : 0xdc_a632_000000 + own;
  return { j, cycle, arrive, leave, expires: lastRenewal + p.leaseTime, mac, visitor };
}

/** When a live lease expires as seen at `t`: renewed every half lease time until the client left. */
export function leaseExpiry(p: SubscriberPlan, l: LeaseSpan, t: number): number {
  if (t >= l.leave) return l.expires;
  const half = p.leaseTime / 2;
  return l.arrive + Math.floor((Math.max(t, l.arrive) - l.arrive) / half) * half + p.leaseTime;
}

/** The stay of slot `j` whose lease is live at `t` (arrived, not yet expired), if any. */
export function leaseAt(p: SubscriberPlan, j: number, t: number): LeaseSpan | undefined {
  const { period, phase } = leaseCycle(p, j);
  const l = leaseSpan(p, j, Math.floor((t + phase) / period));
  return t >= l.arrive && t < l.expires ? l : undefined;
}

/** Every stay of slot `j` whose lease overlaps [from, to). */
export function leasesBetween(p: SubscriberPlan, j: number, from: number, to: number): LeaseSpan[] {
  const { period, phase } = leaseCycle(p, j);
  const out: LeaseSpan[] = [];
  for (let c = Math.floor((from + phase) / period); c * period - phase < to; c++) {
    const l = leaseSpan(p, j, c);
    if (l.expires > from && l.arrive < to) out.push(l);
  }
  return out;
}

/** A lease slot's address: 10.(20 + router).x.y, one per slot. */
export const leaseAddress = (p: SubscriberPlan, j: number) => 0x0a140000 + p.index * 65_536 + 10 + j;

// ---------------------------------------------------------------- wireless clients

/** A wireless client's association: which router and radio, from when to when. */
export interface AssociationSpan {
  /** Fleet-wide client number. */
  c: number;
  epoch: number;
  router: number;
  radio: number;
  from: number;
  to: number;
}

function association(
  p: SubscriberPlan,
  c: number,
  e: number,
  period: number,
  phase: number,
): AssociationSpan {
  const home = c % p.size;
  const start = e * period - phase;
  const away = p.size > 1 && u01(p.seed, c, e, S.who) < 0.3;
  const other = (home + 1 + (mix(p.seed, c, e, S.addr) % Math.max(1, p.size - 1))) % p.size;
  // Absent for part of some epochs: a phone out of range, a laptop asleep.
  const present = u01(p.seed, c, e, S.stay) < 0.85;
  const from = start + Math.floor(u01(p.seed, c, e, S.arrive) * 0.15 * period);
  const to = present ? start + Math.floor((0.75 + 0.25 * u01(p.seed, c, e, S.cut)) * period) : from;
  return { c, epoch: e, router: away ? other : home, radio: mix(p.seed, c, e, S.rate) % 2, from, to };
}

function clientClock(p: SubscriberPlan, c: number): { period: number; phase: number } {
  const period = 2 * 3600 + Math.floor(u01(p.seed, c, S.period, 7) * 6 * 3600);
  return { period, phase: Math.floor(u01(p.seed, c, S.phase, 7) * period) };
}

/** Clients of the whole fleet (each router homes `p.wireless`). */
export const fleetClients = (p: SubscriberPlan) => p.wireless * p.size;

/** Client `c`'s association at `t`, on whichever router, or undefined. */
export function associationAt(p: SubscriberPlan, c: number, t: number): AssociationSpan | undefined {
  const { period, phase } = clientClock(p, c);
  const a = association(p, c, Math.floor((t + phase) / period), period, phase);
  return t >= a.from && t < a.to ? a : undefined;
}

/** Client `c`'s associations overlapping [from, to), on any router. */
export function associationsBetween(
  p: SubscriberPlan,
  c: number,
  from: number,
  to: number,
): AssociationSpan[] {
  const { period, phase } = clientClock(p, c);
  const out: AssociationSpan[] = [];
  for (let e = Math.floor((from + phase) / period); e * period - phase < to; e++) {
    const a = association(p, c, e, period, phase);
    if (a.to > a.from && a.to > from && a.from < to) out.push(a);
  }
  return out;
}

/** A client's MAC (48-bit number), a phone's or a laptop's. */
export const clientMac = (c: number) => 0xf0d5bf000000 + ((Math.imul(c + 1, 0x2f1a5b) + 0x77) & 0xffffff);
