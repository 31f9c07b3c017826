/**
 * Subscribers: `/ppp/active` → `pppoe_sessions_active{service}`, `facts.pppoeSessions` (with the
 * session's dynamic interface and its byte counters) and the appear/vanish diff;
 * `/ip/dhcp-server/lease` → `dhcp_leases_active{server}` (bound leases) and `facts.dhcpLeases`.
 * Both tables can hold thousands of rows: only the needed fields are asked for, the row bound
 * applies, and a garbage row is skipped and counted.
 */
import { catalog, type DhcpLeaseFact } from '@ispmonitor/core';
import type { Row } from '../api/connection.js';
import type { SessionChange } from '../sessions.js';
import { parseDuration } from '../values.js';
import { emit, type PollScope, readMenu, sharedMenu } from './context.js';
import { INTERFACE_FIELDS, SESSION_TYPES } from './interfaces.js';
import { ip, isJunk, mac, RowTally, text } from './rows.js';

const PPP_FIELDS = ['.id', 'name', 'service', 'address', 'caller-id', 'uptime'];

/** `?type=a ?type=b ?#| …`: the session interfaces only, when `/interface` is not read anyway. */
const SESSION_QUERY = SESSION_TYPES.flatMap((t, i) => (i === 0 ? [`?type=${t}`] : [`?type=${t}`, '?#|']));
const SESSION_IF_FIELDS = ['name', 'type', 'rx-byte', 'tx-byte'];

export { type ParsedPpp, parsePpp } from '../sessions/rows.js';

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
  // Parsed by the router's session tracker: it remembers last poll's rows (a BNG's thousands).
  const { sessions, perService, tally, change } = scope.memory.sessions.read(rows, interfaces);
  tally.report(scope.partErrors, '/ppp/active', rows.length);
  for (const [service, n] of perService) emit(scope, catalog.pppoeSessions.name, { service }, n);
  scope.facts.pppoeSessions = sessions;
  if (change && onChange && (change.appeared.length > 0 || change.vanished.length > 0)) {
    onChange({ device: scope.device.id, ...change, ts: scope.ts });
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
