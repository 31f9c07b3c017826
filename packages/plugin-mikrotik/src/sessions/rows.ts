/**
 * `/ppp/active` rows → sessions: the checks of one row, the session interfaces' byte counters,
 * and `parsePpp` (one reply, no memory). `SessionTable` (table.ts) runs the same checks poll
 * after poll, remembering each valid row.
 */
import type { PppoeSessionFact } from '@ispmonitor/core';
import type { Row } from '../api/connection.js';
import { isSessionInterface } from '../parts/interfaces.js';
import { ip, isJunk, mac, RowTally, rosId, text } from '../parts/rows.js';
import { parseCounter, parseDuration } from '../values.js';
import { sessionKey } from './keys.js';

/** What `parsePpp` made of `/ppp/active`. */
export interface ParsedPpp {
  sessions: PppoeSessionFact[];
  /** Sessions per service (`pppoe` always present). */
  perService: Map<string, number>;
  tally: RowTally;
}

/** A valid row (but its uptime): its text as the router sent it, and what it was parsed into. */
export interface Known {
  // As sent: compared with the next poll's row of the same `.id`.
  name: string | undefined;
  service: string | undefined;
  address: string | undefined;
  caller: string | undefined;
  // Parsed.
  readonly id: string | undefined;
  readonly user: string;
  readonly svc: string;
  readonly addr: string | undefined;
  readonly callerId: string | undefined;
  /** The session's diff key (`sessionKey`), made when first needed. */
  key: string | undefined;
  /** `<SERVICE-USER>`, its dynamic interface's name, made when first needed. */
  ifName: string | undefined;
  /** Its interface name's slot in a `SessionTable` (rows of one name share it). */
  slot: NameSlot | undefined;
  /** The last poll that reported it, and the one before (see `SessionTable`). */
  seen: number;
  before: number;
}

/**
 * Checks one row's fields but the uptime; undefined (and counted) for a garbage row. Caller-id
 * is the MAC for PPPoE, an address for L2TP/PPTP/SSTP: any short printable text.
 */
export function check(r: Row, tally: RowTally): Known | undefined {
  const user = text(r.name);
  if (user === undefined || isJunk(user)) {
    tally.skip(user === undefined ? 'without a user name' : 'with a junk user name');
    return undefined;
  }
  const id = rosId(r['.id']);
  const service = text(r.service, 32);
  const address = ip(r.address);
  const caller = r['caller-id'] === undefined || r['caller-id'] === '' ? undefined : mac(r['caller-id']);
  const callerId = isJunk(caller) ? text(r['caller-id'], 64) : caller;
  if (isJunk(id) || isJunk(service) || isJunk(address) || isJunk(callerId)) {
    tally.skip('with a junk id, service, address or caller-id');
    return undefined;
  }
  return {
    name: r.name,
    service: r.service,
    address: r.address,
    caller: r['caller-id'],
    id: id || undefined,
    user,
    svc: service ?? 'unknown',
    addr: address || undefined,
    callerId: callerId || undefined,
    key: undefined,
    ifName: undefined,
    slot: undefined,
    seen: 0,
    before: 0,
  };
}

/**
 * Reads the uptime of a row whose other fields passed `check`: the seconds, undefined when the
 * row has none, or null for a junk one (the row is garbage).
 */
export function uptimeOf(r: Row): number | undefined | null {
  if (r.uptime === undefined) return undefined;
  return parseDuration(r.uptime) ?? null;
}

/**
 * The session of a checked row, as the driver reports it, with its interface's row when known
 * (see `attachRow`).
 */
export function sessionOf(k: Known, uptime: number | undefined, row?: Row): PppoeSessionFact {
  // The usual row has every field: one object of its final shape, the properties in the same
  // order as when they are added one by one.
  if (k.id !== undefined && k.addr !== undefined && k.callerId !== undefined && uptime !== undefined) {
    if (row === undefined) {
      return {
        user: k.user,
        service: k.svc,
        id: k.id,
        address: k.addr,
        callerId: k.callerId,
        uptimeSeconds: uptime,
      };
    }
    const bytesIn = counter(row['rx-byte']);
    const bytesOut = counter(row['tx-byte']);
    if (bytesIn !== undefined && bytesOut !== undefined) {
      return {
        user: k.user,
        service: k.svc,
        id: k.id,
        address: k.addr,
        callerId: k.callerId,
        uptimeSeconds: uptime,
        interface: row.name as string,
        bytesIn,
        bytesOut,
      };
    }
  }
  const s: PppoeSessionFact = { user: k.user, service: k.svc };
  if (k.id !== undefined) s.id = k.id;
  if (k.addr !== undefined) s.address = k.addr;
  if (k.callerId !== undefined) s.callerId = k.callerId;
  if (uptime !== undefined) s.uptimeSeconds = uptime;
  if (row !== undefined) attachRow(s, row);
  return s;
}

/** The diff key of a checked row's session (made once). */
export function keyOf(k: Known): string {
  if (k.key === undefined) {
    const s: PppoeSessionFact = { user: k.user, service: k.svc };
    if (k.id !== undefined) s.id = k.id;
    if (k.addr !== undefined) s.address = k.addr;
    if (k.callerId !== undefined) s.callerId = k.callerId;
    k.key = sessionKey(s);
  }
  return k.key;
}

/**
 * One `<SERVICE-USER>` interface name in a `SessionTable`: the sessions of that name this poll
 * and the `/interface` row of that name. Stamps are poll numbers.
 */
export interface NameSlot {
  readonly name: string;
  /** The type of the interfaces of this name's service (`pppoe-in`), '' if it has none. */
  readonly type: string;
  /** Remembered rows (`Known`) of this name. */
  refs: number;
  /** Poll in which a session of this name was seen; poll in which a second one was. */
  used: number;
  shared: number;
  /** Index of the last `/interface` row of this name, valid when `found` is this poll. */
  row: number;
  found: number;
  /** Where that row was last poll (where to look first). */
  hint: number;
}

/** `<SERVICE-USER>` of a checked row's session (made once). */
export function ifNameOf(k: Known): string {
  // Joined, not concatenated: a flat string that keeps nothing of the reply alive.
  k.ifName ??= ['<', k.svc, '-', k.user, '>'].join('');
  return k.ifName;
}

/** A byte counter: plain digits read in place, anything else as `parseCounter` reads it. */
export function counter(value: string | undefined): number | bigint | undefined {
  if (value === undefined) return undefined;
  const n = value.length;
  if (n === 0 || n > 15) return parseCounter(value);
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return parseCounter(value);
    v = v * 10 + c;
  }
  return v;
}

/**
 * Whether an `/interface` row is a session's dynamic interface whose name matches its type
 * (`<pppoe-…>` of a `pppoe-in`). The session types are no prefix of one another, so such a name
 * belongs to one service.
 */
export function isOwnInterface(r: Row): boolean {
  const name = r.name;
  if (!name || !isSessionInterface(r)) return false;
  const type = r.type as string;
  const len = type.length - 3; // `-in`
  return name.charCodeAt(len + 1) === 45 && name.endsWith('>') && name.startsWith(type.slice(0, len), 1);
}

/** Whether an interface row's type is the one of sessions of `service` (`pppoe` → `pppoe-in`). */
export function typeOf(r: Row, service: string): boolean {
  const type = r.type as string;
  return type.length === service.length + 3 && type.startsWith(service);
}

/** Sets a session's interface and its byte counters from the interface's row. */
export function attachRow(s: PppoeSessionFact, row: Row): void {
  s.interface = row.name as string;
  const rx = counter(row['rx-byte']);
  const tx = counter(row['tx-byte']);
  if (rx !== undefined) s.bytesIn = rx;
  if (tx !== undefined) s.bytesOut = tx;
}

/**
 * Sets `interface`, `bytesIn` and `bytesOut` of the sessions whose `<SERVICE-USER>` is unique
 * (`rows[i]` is the checked row of `sessions[i]`): `rx-byte` is what the router received from
 * the subscriber (`bytesIn`, their upload), `tx-byte` what it sent them (`bytesOut`). A user with
 * two sessions of one service has `<SERVICE-USER>` and `<SERVICE-USER-1>`, which cannot be told
 * apart from `/ppp/active`: those sessions get no interface and no bytes rather than a guess.
 */
export function attachInterfaces(
  sessions: readonly PppoeSessionFact[],
  rows: readonly Known[],
  interfaces: readonly Row[],
): void {
  // Name → index of the last row of that name that matches its type (`<pppoe-…>` of a
  // `pppoe-in`). The session types are no prefix of one another: a name has one service.
  const byName = new Map<string, number>();
  for (let j = 0; j < interfaces.length; j++) {
    const r = interfaces[j] as Row;
    if (isOwnInterface(r)) byName.set(r.name as string, j);
  }
  if (byName.size === 0) return;
  // Per interface row: the session that claimed it, or -1 once a second one claims it too.
  const claimedBy = new Int32Array(interfaces.length).fill(-2);
  const rowOf = new Int32Array(sessions.length).fill(-1);
  for (let i = 0; i < sessions.length; i++) {
    const k = rows[i] as Known;
    const j = byName.get(ifNameOf(k));
    if (j === undefined) continue;
    // Its type is this session's service's (`<pppoe-x>` is no L2TP session's interface).
    if (!typeOf(interfaces[j] as Row, k.svc)) continue;
    claimedBy[j] = claimedBy[j] === -2 ? i : -1;
    rowOf[i] = j;
  }
  for (let i = 0; i < sessions.length; i++) {
    const j = rowOf[i] as number;
    if (j < 0 || claimedBy[j] !== i) continue;
    attachRow(sessions[i] as PppoeSessionFact, interfaces[j] as Row);
  }
}

/**
 * `/ppp/active` rows → sessions, once (no memory of an earlier poll). With `interfaces` (rows of
 * `/interface` with name, type and byte counters), each session gets its dynamic interface and
 * that interface's counters. A garbage row is skipped and counted in `tally`.
 */
export function parsePpp(rows: readonly Row[], interfaces?: readonly Row[]): ParsedPpp {
  const { sessions, perService, tally } = parseOnce(rows, interfaces);
  return { sessions, perService, tally };
}

/** `parsePpp`, with the checked row of each session. */
export function parseOnce(
  rows: readonly Row[],
  interfaces?: readonly Row[],
): ParsedPpp & { checked: Known[] } {
  const tally = new RowTally();
  const perService = new Map<string, number>([['pppoe', 0]]);
  const sessions: PppoeSessionFact[] = [];
  const checked: Known[] = [];
  for (const r of rows) {
    const k = check(r, tally);
    if (k === undefined) continue;
    const uptime = uptimeOf(r);
    if (uptime === null) {
      tally.skip('with a junk uptime');
      continue;
    }
    perService.set(k.svc, (perService.get(k.svc) ?? 0) + 1);
    sessions.push(sessionOf(k, uptime));
    checked.push(k);
  }
  if (interfaces) attachInterfaces(sessions, checked, interfaces);
  return { sessions, perService, tally, checked };
}
