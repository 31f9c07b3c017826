/**
 * Writes the addresses of interfaces (`InterfaceFact.addresses`) with history, in the facts
 * transaction, in three statements whatever the number of rows. An interface without
 * `addresses` (not collected this poll) keeps its stored ones; an empty list ends them; the
 * addresses of an interface that is gone end with it.
 */
import { isIP } from 'node:net';
import type { InterfaceFact } from '@ispmonitor/core';
import type { Queryable } from '../db/types.js';

/** Most addresses kept per interface, and per device. */
export const MAX_ADDRESSES_PER_INTERFACE = 256;
export const MAX_ADDRESSES_PER_DEVICE = 20_000;

/** `10.0.0.1/24` → host and prefix length; undefined unless both are valid (`/32` or `/128` when absent). */
export function parseCidr(value: unknown): { host: string; prefix: number } | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const slash = value.indexOf('/');
  const host = (slash < 0 ? value : value.slice(0, slash)).toLowerCase();
  const family = isIP(host);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  const len = slash < 0 ? String(max) : value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(len) || Number(len) > max) return undefined;
  return { host, prefix: Number(len) };
}

/** Records the addresses of `list` (the interfaces of one poll) for `device` at `ts` (ISO). */
export async function recordAddresses(
  tx: Queryable,
  device: string,
  ts: string,
  list: readonly InterfaceFact[],
): Promise<void> {
  const ifs: string[] = [];
  const hosts: string[] = [];
  const prefixes: number[] = [];
  const uncollected: string[] = [];
  for (const f of list) {
    const index = String(f.index);
    if (!Array.isArray(f.addresses)) {
      uncollected.push(index);
      continue;
    }
    for (const a of f.addresses.slice(0, MAX_ADDRESSES_PER_INTERFACE)) {
      const c = parseCidr(a);
      if (!c || hosts.length >= MAX_ADDRESSES_PER_DEVICE) continue;
      ifs.push(index);
      hosts.push(c.host);
      prefixes.push(c.prefix);
    }
  }
  const rows = 'unnest($3::text[], $4::text[], $5::int2[]) AS u(i, a, p)';
  await tx.query(
    `UPDATE ispm_interface_addresses t SET prefix_len = u.p, last_seen = $2::timestamptz
       FROM ${rows}
      WHERE t.device = $1 AND t.if_index = u.i AND t.address = u.a::inet AND t.ended_at IS NULL`,
    [device, ts, ifs, hosts, prefixes],
  );
  // DISTINCT ON: two spellings of one IPv6 address are one row.
  await tx.query(
    `INSERT INTO ispm_interface_addresses (device, if_index, address, prefix_len, first_seen, last_seen)
     SELECT DISTINCT ON (u.i, u.a::inet) $1, u.i, u.a::inet, u.p, $2::timestamptz, $2::timestamptz
       FROM ${rows}
      WHERE NOT EXISTS (SELECT 1 FROM ispm_interface_addresses t
                         WHERE t.device = $1 AND t.if_index = u.i AND t.address = u.a::inet AND t.ended_at IS NULL)`,
    [device, ts, ifs, hosts, prefixes],
  );
  await tx.query(
    `UPDATE ispm_interface_addresses t SET ended_at = $2::timestamptz
      WHERE t.device = $1 AND t.ended_at IS NULL AND NOT (t.if_index = ANY($5::text[]))
        AND NOT EXISTS (SELECT 1 FROM unnest($3::text[], $4::text[]) AS u(i, a)
                         WHERE u.i = t.if_index AND u.a::inet = t.address)`,
    [device, ts, ifs, hosts, uncollected],
  );
}
