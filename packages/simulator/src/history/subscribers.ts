/**
 * The subscriber part of the demo's history, enumerated from the same model the emulated BNGs
 * answer from: every PPPoE session, lease and wireless association that overlaps the window. The
 * sessions active at `now` are the open ones (no end), with the user, router, `.id` and start the
 * emulator shows.
 */
import { rateAt } from '../model/traffic.js';
import {
  associationsBetween,
  clientMac,
  fleetClients,
  leaseAddress,
  leasesBetween,
} from '../routeros/lan-clients.js';
import { leaseHostName, leaseServer, ssidOf } from '../routeros/lan-tables.js';
import type { RouterModel } from '../routeros/model.js';
import { ipText, macText, sessionBytes } from '../routeros/subscriber-tables.js';
import { mix, sessionAddress, sessionId, sessionsBetween, userIdentity } from '../routeros/subscribers.js';
import type { HistoryLease, HistorySession, HistoryWireless } from './types.js';

/** A BNG of the demo: its device id and the emulator model behind it. */
export interface HistoryBng {
  id: string;
  model: RouterModel;
}

/** The storage's default reconnect window, seconds. */
const RECONNECT_WINDOW = 300;

const mac = (n: number) => macText(n).toLowerCase();

/** Highest rate (bits/s) of a user's traffic curve within [start, end]. */
function peakBps(mean: number, start: number, end: number): number {
  const c = { mean, amplitude: 0.6, peakSecond: 75_600 };
  const day = 86_400;
  const peakIn = end - start >= day || (((75_600 - (start % day)) % day) + day) % day <= end - start;
  const best = peakIn ? mean * 1.6 : Math.max(rateAt(c, start), rateAt(c, end));
  return Math.round(best * 8);
}

/** Every PPPoE session of the BNGs overlapping [from, now] (seconds). */
export function historySessions(bngs: readonly HistoryBng[], from: number, now: number): HistorySession[] {
  const out: HistorySession[] = [];
  for (const bng of bngs) {
    const m = bng.model;
    const p = m.subscribers;
    for (let s = 0; s < m.pppSessions; s++) {
      const who = userIdentity(p, s);
      for (const span of sessionsBetween(p, s, from, now)) {
        if (span.start > now) break;
        const open = span.end > now;
        const [down, up] = sessionBytes(m, span, open ? now : span.end);
        out.push({
          router: bng.id,
          user: who.name,
          service: 'pppoe',
          callerId: mac(who.mac),
          address: ipText(sessionAddress(p, span)),
          interface: `<pppoe-${who.name}>`,
          routerSessionId: `*${sessionId(p, span).toString(16).toUpperCase()}`,
          start: span.start * 1000,
          end: open ? null : span.end * 1000,
          endReason: open ? null : 'vanished',
          reconnect: span.gapBefore <= RECONNECT_WINDOW,
          bytesIn: up,
          bytesOut: down,
          peakInBps: peakBps(who.up, span.start, open ? now : span.end),
          peakOutBps: peakBps(who.down, span.start, open ? now : span.end),
        });
      }
    }
  }
  return out;
}

/** Every DHCP lease of the BNGs overlapping [from, now] (seconds). */
export function historyLeases(bngs: readonly HistoryBng[], from: number, now: number): HistoryLease[] {
  const out: HistoryLease[] = [];
  for (const bng of bngs) {
    const p = bng.model.subscribers;
    for (let j = 0; j < bng.model.leases; j++) {
      for (const l of leasesBetween(p, j, from, now)) {
        if (l.arrive > now) continue;
        out.push({
          router: bng.id,
          mac: mac(l.mac),
          address: ipText(leaseAddress(p, j)),
          hostName: leaseHostName(l),
          server: leaseServer(j),
          from: l.arrive * 1000,
          to: l.expires > now ? null : l.expires * 1000,
          expiresAt: l.expires * 1000,
        });
      }
    }
  }
  return out;
}

/** Every wireless association on the BNGs overlapping [from, now] (seconds): clients roam between them. */
export function historyWireless(bngs: readonly HistoryBng[], from: number, now: number): HistoryWireless[] {
  const first = bngs[0]?.model;
  if (!first || first.wirelessClients === 0) return [];
  const p = first.subscribers;
  const byIndex = new Map(bngs.map((b) => [b.model.subscribers.index, b]));
  const out: HistoryWireless[] = [];
  for (let c = 0; c < fleetClients(p); c++) {
    for (const a of associationsBetween(p, c, from, now)) {
      const bng = byIndex.get(a.router);
      if (!bng || a.from > now) continue;
      const legacy = bng.model.profile.wireless.shape === 'legacy';
      out.push({
        router: bng.id,
        mac: mac(clientMac(c)),
        interface: legacy ? `wlan${a.radio + 1}` : `wifi${a.radio + 1}`,
        ssid: ssidOf(a.radio),
        signalDbm: -45 - (mix(p.seed, c, Math.floor(Math.min(a.to, now) / 60)) % 40),
        from: a.from * 1000,
        to: a.to > now ? null : a.to * 1000,
      });
    }
  }
  return out;
}
