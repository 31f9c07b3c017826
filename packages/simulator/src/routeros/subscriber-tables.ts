/**
 * The PPPoE menus of an emulated router, from the subscriber model at the request's time:
 * `/ppp/active` and the dynamic `pppoe-in` interfaces of active sessions (the LAN menus are in
 * `lan-tables.ts`). Each is computed in one pass over the users, O(1) each.
 */
import { bytesBetween, type TrafficCurve } from '../model/traffic.js';
import { formatRosDate, formatRosDuration } from './format.js';
import type { RouterModel } from './model.js';
import { type SessionSpan, sessionAddress, sessionAt, sessionId, userIdentity } from './subscribers.js';
import type { Row } from './tables.js';

const hexId = (n: number) => `*${n.toString(16).toUpperCase()}`;

/** A 48-bit number as RouterOS prints a MAC: `DC:A6:32:00:00:01`. */
export function macText(n: number): string {
  const hex = n.toString(16).padStart(12, '0').toUpperCase();
  return `${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}:${hex.slice(8, 10)}:${hex.slice(10, 12)}`;
}

/** A 32-bit number as a dotted IPv4 address. */
export function ipText(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Evening-peaked traffic of one user (the SNMP devices' curve). */
const curve = (mean: number): TrafficCurve => ({ mean, amplitude: 0.6, peakSecond: 75_600 });

/** Bytes a session carried so far, [download (router → user), upload]. */
export function sessionBytes(m: RouterModel, span: SessionSpan, t: number): [number, number] {
  const who = userIdentity(m.subscribers, span.s);
  return [
    Math.floor(bytesBetween(curve(who.down), span.start, t)),
    Math.floor(bytesBetween(curve(who.up), span.start, t)),
  ];
}

/** What a session's rows need besides the time: computed once per session, not per request. */
interface LiveSession {
  span: SessionSpan;
  id: string;
  sessionIdText: string;
  interfaceId: string;
  name: string;
  interfaceName: string;
  callerId: string;
  address: string;
  linkUp: string;
  down: TrafficCurve;
  up: TrafficCurve;
}

/** Per router: the session each user was last seen in (a poll of 8,000 rows reuses them). */
const live = new WeakMap<RouterModel, Array<LiveSession | undefined>>();

function liveSession(m: RouterModel, span: SessionSpan): LiveSession {
  const p = m.subscribers;
  const who = userIdentity(p, span.s);
  const id = sessionId(p, span);
  return {
    span,
    id: hexId(id),
    sessionIdText: `0x${((id & 0xffff) | 0x8100_0000).toString(16).toUpperCase()}`,
    interfaceId: hexId(0x100000 + (id & 0xfffff)),
    name: who.name,
    interfaceName: `<pppoe-${who.name}>`,
    callerId: macText(who.mac),
    address: ipText(sessionAddress(p, span)),
    linkUp: formatRosDate(span.start * 1000),
    down: curve(who.down),
    up: curve(who.up),
  };
}

/** The sessions up at `t`: the cached one of each user while it lasts, else the model's. */
function activeSessions(m: RouterModel, t: number): LiveSession[] {
  let cache = live.get(m);
  if (!cache) {
    cache = new Array(m.pppSessions);
    live.set(m, cache);
  }
  const out: LiveSession[] = [];
  for (let s = 0; s < m.pppSessions; s++) {
    let c = cache[s];
    if (!c || t < c.span.start || t >= c.span.end) {
      const span = sessionAt(m.subscribers, s, t);
      if (!span) continue;
      c = liveSession(m, span);
      cache[s] = c;
    }
    out.push(c);
  }
  return out;
}

/** `/ppp/active`. */
export function pppActive(m: RouterModel): Row[] {
  const t = m.unixSeconds();
  return activeSessions(m, t).map((c) => ({
    '.id': c.id,
    name: c.name,
    service: 'pppoe',
    'caller-id': c.callerId,
    encoding: '',
    address: c.address,
    uptime: formatRosDuration(t - c.span.start),
    'session-id': c.sessionIdText,
    'limit-bytes-in': '0',
    'limit-bytes-out': '0',
    radius: 'false',
  }));
}

/** The dynamic `<pppoe-USER>` interfaces of active sessions (appended to `/interface`). */
export function pppoeInterfaces(m: RouterModel): Row[] {
  const t = m.unixSeconds();
  return activeSessions(m, t).map((c) => {
    const tx = Math.floor(bytesBetween(c.down, c.span.start, t));
    const rx = Math.floor(bytesBetween(c.up, c.span.start, t));
    return {
      '.id': c.interfaceId,
      name: c.interfaceName,
      type: 'pppoe-in',
      'actual-mtu': '1480',
      mtu: '1480',
      dynamic: 'true',
      disabled: 'false',
      running: 'true',
      'last-link-up-time': c.linkUp,
      'link-downs': '0',
      'rx-byte': String(rx),
      'tx-byte': String(tx),
      'rx-packet': String(Math.floor(rx / 400)),
      'tx-packet': String(Math.floor(tx / 1100)),
      'rx-drop': '0',
      'tx-drop': '0',
      'rx-error': '0',
      'tx-error': '0',
      'tx-queue-drop': '0',
    };
  });
}
