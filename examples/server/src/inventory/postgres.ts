import type { Monitor } from '@ispmonitor/core';
import { type PostgresStore, postgresStore } from '@ispmonitor/plugin-postgres';
import type { InventoryRead, ListFilter, Page } from './facts.js';

const MAC = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i;
const IP = /^[0-9.]+$|:/;

function slice<T>(rows: T[], f: ListFilter): Page<T> {
  return { items: rows.slice(f.offset, f.offset + f.limit), total: rows.length };
}

const has = (needle: string | undefined, ...fields: Array<string | null | undefined>) =>
  !needle || fields.some((v) => v?.toLowerCase().includes(needle.toLowerCase()));

/** Seconds from `now` until a lease expires (0 once past), or undefined when unknown. */
const expiresIn = (at: number | null | undefined, now: number) =>
  at === null || at === undefined ? undefined : Math.max(0, Math.round((at - now) / 1000));

/**
 * Inventory reads from the Postgres plugin's store: current interfaces, neighbours, sessions and
 * leases as kept in the database, so every API replica answers the same.
 */
export function postgresInventory(store: PostgresStore): InventoryRead {
  const nn = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
  return {
    async interfaces(f) {
      const ids = f.device ? [f.device] : (await store.devices()).map((d) => d.id);
      const out = [];
      for (const device of ids) {
        for (const i of await store.interfaces(device)) {
          if (f.operUp !== undefined && i.operUp !== f.operUp) continue;
          if (!has(f.search, i.name, i.alias, i.description, i.mac)) continue;
          out.push({
            id: `${device}:${i.index}`,
            device,
            index: i.index,
            name: i.name,
            alias: nn(i.alias),
            description: nn(i.description),
            type: nn(i.type),
            mac: nn(i.mac),
            speedBps: nn(i.speedBps),
            adminUp: nn(i.adminUp),
            operUp: nn(i.operUp),
          });
        }
      }
      return slice(out, f);
    },
    async neighbours() {
      return (await store.neighbours()).map((n) => ({
        device: n.device,
        protocol: (['lldp', 'cdp', 'mndp'].includes(n.protocol) ? n.protocol : 'other') as 'lldp',
        localInterface: nn(n.localInterface),
        remoteName: nn(n.remoteName),
        remoteId: nn(n.remoteId),
        remoteAddress: nn(n.remoteAddress),
        remoteInterface: nn(n.remoteInterface),
        remotePlatform: nn(n.remotePlatform),
      }));
    },
    async pppoe(f) {
      // The store searches exact values; a MAC or an address goes to its own field.
      const q = f.search?.trim();
      const exact = q && MAC.test(q) ? { mac: q } : q && IP.test(q) ? { address: q } : {};
      const rows = await store.pppoeSessions({ device: f.device, current: true, limit: 10_000, ...exact });
      const out = rows
        .filter((s) => Object.keys(exact).length > 0 || has(q, s.user, s.address, s.callerId))
        .map((s) => ({
          device: s.device,
          user: s.user,
          address: nn(s.address),
          callerId: nn(s.callerId),
          service: nn(s.service),
          interface: nn(s.interface),
          uptimeSeconds: Math.round((Date.now() - s.startedAt) / 1000),
        }));
      return slice(out, f);
    },
    async dhcp(f) {
      const q = f.search?.trim();
      const exact = q && MAC.test(q) ? { mac: q } : q && IP.test(q) ? { address: q } : {};
      const rows = await store.dhcpLeases({ device: f.device, current: true, limit: 10_000, ...exact });
      const now = Date.now();
      const out = rows
        .filter((l) => Object.keys(exact).length > 0 || has(q, l.mac, l.address, l.hostName))
        .map((l) => ({
          device: l.device,
          address: l.address,
          mac: l.mac,
          hostName: nn(l.hostName),
          server: nn(l.server),
          status: nn(l.status),
          // Kept by storage from the subscriber-history schema on (older rows have none).
          expiresAfterSeconds: expiresIn((l as { expiresAt?: number | null }).expiresAt, now),
        }));
      return slice(out, f);
    },
  };
}

/** The Postgres plugin's inventory reads, when that plugin is installed. */
export function storageInventory(monitor: Monitor): InventoryRead | undefined {
  return monitor.has(postgresStore) ? postgresInventory(monitor.resolve(postgresStore)) : undefined;
}
