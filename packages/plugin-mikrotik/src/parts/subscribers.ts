/**
 * Subscribers: `/ppp/active` → `pppoe_sessions_active{service}`, `facts.pppoeSessions` and the
 * appear/vanish diff; `/ip/dhcp-server/lease` → `dhcp_leases_active{server}` (bound leases) and
 * `facts.dhcpLeases`. Both tables can hold thousands of rows: only the needed fields are asked
 * for, and the row bound applies.
 */
import { catalog, type DhcpLeaseFact } from '@ispmonitor/core';
import type { PppoeSession, SessionChange } from '../sessions.js';
import { parseDuration } from '../values.js';
import { emit, type PollScope, readMenu } from './context.js';

const PPP_FIELDS = ['.id', 'name', 'service', 'address', 'caller-id', 'uptime'];

/** Reads active PPP sessions; reports the diff against the previous poll to `onChange`. */
export async function collectPpp(
  scope: PollScope,
  onChange?: (change: SessionChange) => void,
): Promise<void> {
  const rows = await readMenu(scope, '/ppp/active', PPP_FIELDS);
  if (!rows) return;
  const perService = new Map<string, number>([['pppoe', 0]]);
  const sessions: PppoeSession[] = [];
  for (const r of rows) {
    const service = r.service || 'unknown';
    perService.set(service, (perService.get(service) ?? 0) + 1);
    const s: PppoeSession = { user: r.name ?? '', service };
    if (r['.id']) s.id = r['.id'];
    if (r.address) s.address = r.address;
    if (r['caller-id']) s.callerId = r['caller-id'];
    const up = parseDuration(r.uptime);
    if (up !== undefined) s.uptimeSeconds = up;
    sessions.push(s);
  }
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

/** Reads DHCP leases; counts bound ones per server. */
export async function collectDhcp(scope: PollScope): Promise<void> {
  const rows = await readMenu(scope, '/ip/dhcp-server/lease', LEASE_FIELDS);
  if (!rows) return;
  const bound = new Map<string, number>();
  const leases: DhcpLeaseFact[] = [];
  for (const r of rows) {
    const server = r['active-server'] || r.server || 'all';
    if (!bound.has(server)) bound.set(server, 0);
    if (r.status === 'bound') bound.set(server, (bound.get(server) ?? 0) + 1);
    const lease: DhcpLeaseFact = {
      address: r['active-address'] || r.address || '',
      mac: (r['active-mac-address'] || r['mac-address'] || '').toLowerCase(),
      server,
    };
    if (r['host-name']) lease.hostName = r['host-name'];
    if (r.status) lease.status = r.status;
    const expires = parseDuration(r['expires-after']);
    if (expires !== undefined) lease.expiresAfterSeconds = expires;
    leases.push(lease);
  }
  for (const [server, n] of bound) emit(scope, catalog.dhcpLeases.name, { server }, n);
  scope.facts.dhcpLeases = leases;
}
