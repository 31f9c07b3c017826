/**
 * Subscribers: `/ppp/active` → `pppoe_sessions_active{service}`, `facts.pppoeSessions` (with the
 * session's dynamic interface and its byte counters) and the appear/vanish diff;
 * `/ip/dhcp-server/lease` → `dhcp_leases_active{server}` (bound leases) and `facts.dhcpLeases`.
 * Both tables can hold thousands of rows: only the needed fields are asked for, the row bound
 * applies, and a garbage row is skipped and counted.
 */
import { catalog, type DhcpLeaseFact } from '@ispmonitor/core';
import type { Row } from '../api/connection.js';
import type { PppoeSession, SessionChange } from '../sessions.js';
import { parseCounter, parseDuration } from '../values.js';
import { emit, type PollScope, readMenu, sharedMenu } from './context.js';
import { INTERFACE_FIELDS, isSessionInterface, SESSION_TYPES } from './interfaces.js';
import { ip, isJunk, mac, RowTally, rosId, text } from './rows.js';

const PPP_FIELDS = ['.id', 'name', 'service', 'address', 'caller-id', 'uptime'];

/** `?type=a ?type=b ?#| …`: the session interfaces only, when `/interface` is not read anyway. */
const SESSION_QUERY = SESSION_TYPES.flatMap((t, i) => (i === 0 ? [`?type=${t}`] : [`?type=${t}`, '?#|']));
const SESSION_IF_FIELDS = ['name', 'type', 'rx-byte', 'tx-byte'];

/** What `parsePpp` made of `/ppp/active`. */
export interface ParsedPpp {
  sessions: PppoeSession[];
  /** Sessions per service (`pppoe` always present). */
  perService: Map<string, number>;
  tally: RowTally;
}

/**
 * `/ppp/active` rows → sessions. With `interfaces` (rows of `/interface` with name, type and
 * byte counters), each session gets its dynamic interface `<SERVICE-USER>` and that interface's
 * counters: `rx-byte` is what the router received from the subscriber (`bytesIn`, their upload),
 * `tx-byte` what it sent them (`bytesOut`). A user with two sessions of one service has
 * `<SERVICE-USER>` and `<SERVICE-USER-1>`, which cannot be told apart from `/ppp/active`: those
 * sessions get no interface and no bytes rather than a guess.
 */
export function parsePpp(rows: readonly Row[], interfaces?: readonly Row[]): ParsedPpp {
  const tally = new RowTally();
  const perService = new Map<string, number>([['pppoe', 0]]);
  const sessions: PppoeSession[] = [];
  for (const r of rows) {
    const user = text(r.name);
    if (user === undefined || isJunk(user)) {
      tally.skip(user === undefined ? 'without a user name' : 'with a junk user name');
      continue;
    }
    const id = rosId(r['.id']);
    const service = text(r.service, 32);
    const address = ip(r.address);
    const caller = r['caller-id'] === undefined || r['caller-id'] === '' ? undefined : mac(r['caller-id']);
    // Caller-id is the MAC for PPPoE, an address for L2TP/PPTP/SSTP: any short printable text.
    const callerId = isJunk(caller) ? text(r['caller-id'], 64) : caller;
    const uptime = r.uptime === undefined ? undefined : parseDuration(r.uptime);
    if (isJunk(id) || isJunk(service) || isJunk(address) || isJunk(callerId)) {
      tally.skip('with a junk id, service, address or caller-id');
      continue;
    }
    if (r.uptime !== undefined && uptime === undefined) {
      tally.skip('with a junk uptime');
      continue;
    }
    const s: PppoeSession = { user, service: service ?? 'unknown' };
    if (id) s.id = id;
    if (address) s.address = address;
    if (callerId) s.callerId = callerId;
    if (uptime !== undefined) s.uptimeSeconds = uptime;
    perService.set(s.service as string, (perService.get(s.service as string) ?? 0) + 1);
    sessions.push(s);
  }
  if (interfaces) attachInterfaces(sessions, interfaces);
  return { sessions, perService, tally };
}

/** Sets `interface`, `bytesIn` and `bytesOut` of the sessions whose `<SERVICE-USER>` is unique. */
function attachInterfaces(sessions: PppoeSession[], interfaces: readonly Row[]): void {
  // Per service, user → the interface row while unclaimed, then the index of the session that
  // claimed it, or -1 once a second session of that user claims it too (then neither gets it).
  // Keyed by the user (a slice of the name) rather than by `<SERVICE-USER>` built per session:
  // this runs for every session of every poll.
  const byService = new Map<string, Map<string, Row | number>>();
  for (const r of interfaces) {
    const name = r.name;
    if (!name || !isSessionInterface(r)) continue;
    const service = (r.type as string).slice(0, -3);
    if (!name.startsWith(service, 1) || name.charCodeAt(service.length + 1) !== 45 || !name.endsWith('>'))
      continue;
    let users = byService.get(service);
    if (!users) {
      users = new Map();
      byService.set(service, users);
    }
    users.set(name.slice(service.length + 2, -1), r);
  }
  if (byService.size === 0) return;
  const rows: Array<Row | undefined> = new Array(sessions.length);
  for (let i = 0; i < sessions.length; i++) {
    const s = sessions[i] as PppoeSession;
    const users = byService.get(s.service as string);
    const v = users?.get(s.user);
    if (v === undefined || v === -1) continue;
    if (typeof v === 'number') {
      users?.set(s.user, -1);
      continue;
    }
    users?.set(s.user, i);
    rows[i] = v;
  }
  for (let i = 0; i < sessions.length; i++) {
    const row = rows[i];
    if (!row) continue;
    const s = sessions[i] as PppoeSession;
    if (byService.get(s.service as string)?.get(s.user) !== i) continue;
    s.interface = row.name as string;
    const rx = parseCounter(row['rx-byte']);
    const tx = parseCounter(row['tx-byte']);
    if (rx !== undefined) s.bytesIn = rx;
    if (tx !== undefined) s.bytesOut = tx;
  }
}

/** The session interfaces: from the poll's `/interface` read when interfaces are collected. */
function sessionInterfaces(scope: PollScope): Promise<Row[] | undefined> {
  if (scope.settings.collect.includes('interfaces')) return sharedMenu(scope, '/interface', INTERFACE_FIELDS);
  return readMenu(scope, '/interface', SESSION_IF_FIELDS, SESSION_QUERY);
}

/** Reads active PPP sessions; reports the diff against the previous poll to `onChange`. */
export async function collectPpp(
  scope: PollScope,
  onChange?: (change: SessionChange) => void,
): Promise<void> {
  const [rows, interfaces] = await Promise.all([
    readMenu(scope, '/ppp/active', PPP_FIELDS),
    sessionInterfaces(scope),
  ]);
  if (!rows) return;
  const { sessions, perService, tally } = parsePpp(rows, interfaces);
  tally.report(scope.partErrors, '/ppp/active', rows.length);
  for (const [service, n] of perService) emit(scope, catalog.pppoeSessions.name, { service }, n);
  scope.facts.pppoeSessions = sessions;
  const diff = scope.memory.sessions.update(sessions);
  if (diff && onChange && (diff.appeared.length > 0 || diff.vanished.length > 0)) {
    onChange({ device: scope.device.id, ...diff, ts: scope.ts });
  }
}

const LEASE_FIELDS = [
  'address',
  'active-address',
  'mac-address',
  'active-mac-address',
  'host-name',
  'server',
  'active-server',
  'status',
  'expires-after',
];

/** What `parseLeases` made of `/ip/dhcp-server/lease`. */
export interface ParsedLeases {
  leases: DhcpLeaseFact[];
  /** Bound leases per server (every server seen is present). */
  bound: Map<string, number>;
  tally: RowTally;
}

/**
 * Lease rows → leases. The active address and MAC (what the client holds now) win over the
 * configured ones. A lease without any MAC (a static lease by client-id, not bound) is no
 * IP ↔ MAC binding and is left out silently; a junk address or MAC is a garbage row. The host
 * name is the client's own text: a junk one is dropped from the lease, never the lease.
 */
export function parseLeases(rows: readonly Row[]): ParsedLeases {
  const tally = new RowTally();
  const bound = new Map<string, number>();
  const leases: DhcpLeaseFact[] = [];
  for (const r of rows) {
    const address = ip(r['active-address'] || r.address);
    const hw = mac(r['active-mac-address'] || r['mac-address']);
    const server = text(r['active-server'] || r.server, 64);
    const status = text(r.status, 32);
    if (isJunk(address) || isJunk(hw) || isJunk(server) || isJunk(status)) {
      tally.skip('with a junk address, MAC, server or status');
      continue;
    }
    if (address === undefined) {
      tally.skip('without an address');
      continue;
    }
    const name = server ?? 'all';
    if (!bound.has(name)) bound.set(name, 0);
    if (status === 'bound') bound.set(name, (bound.get(name) ?? 0) + 1);
    if (hw === undefined) continue;
    const lease: DhcpLeaseFact = { address, mac: hw, server: name };
    const host = text(r['host-name']);
    if (host !== undefined && !isJunk(host)) lease.hostName = host;
    if (status) lease.status = status;
    const expires = parseDuration(r['expires-after']);
    if (expires !== undefined) lease.expiresAfterSeconds = expires;
    leases.push(lease);
  }
  return { leases, bound, tally };
}

/** Reads DHCP leases; counts bound ones per server. */
export async function collectDhcp(scope: PollScope): Promise<void> {
  const rows = await readMenu(scope, '/ip/dhcp-server/lease', LEASE_FIELDS);
  if (!rows) return;
  const { leases, bound, tally } = parseLeases(rows);
  tally.report(scope.partErrors, '/ip/dhcp-server/lease', rows.length);
  for (const [server, n] of bound) emit(scope, catalog.dhcpLeases.name, { server }, n);
  scope.facts.dhcpLeases = leases;
}
