/**
 * IP-MIB neighbour tables, the IP ↔ MAC bindings a router learned: the deprecated
 * ipNetToMediaTable (1.3.6.1.2.1.4.22, indexed by ifIndex and IPv4 address) that RouterOS and
 * IOS answer, and ipNetToPhysicalTable (1.3.6.1.2.1.4.35, indexed by ifIndex, address type,
 * length and address) as net-snmp does, with the column types of the recordings in
 * `../shared/data/snmprec`. Hosts come and go (each is present most minutes); their MACs are the
 * device's own, so no two simulated devices show the same host.
 */
import { hashSeed } from '../model/random.js';
import { Tag } from '../snmp/ber.js';
import { integer, ipAddress, octets, timeTicks } from '../snmp/values.js';
import type { Ctx, Entries } from './common.js';

/** Neighbours of one interface: `hosts` addresses from `firstHost` up in the `/24` of `net`. */
export interface ArpSegment {
  ifIndex: number;
  /** First three octets, e.g. `192.168.88`. */
  net: string;
  firstHost: number;
  hosts: number;
}

/** Which tables to answer. */
export interface ArpOptions {
  media?: boolean;
  physical?: boolean;
}

const macCache = new WeakMap<object, number>();

/** The MAC of neighbour `k` as the device sees it (a locally administered address per device). */
function neighbourMac(c: Ctx, k: number): Buffer {
  let h = macCache.get(c.dev);
  if (h === undefined) {
    h = hashSeed(c.dev.id, 0xa9);
    macCache.set(c.dev, h);
  }
  return Buffer.from([0x02, (h >>> 24) & 0xff, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff, k & 0xff]);
}

/** A neighbour is present when the device is up and, but for the gateway (k = 0), most minutes. */
const present = (c: Ctx, k: number) => k === 0 || c.dev.jitter(200 + k, c.now) < 0.8;

/** Entries of the neighbour tables for `segments` (the first host of the first segment is the gateway). */
export function arpGroup(segments: readonly ArpSegment[], opts: ArpOptions = { media: true }): Entries {
  const out: Entries = [];
  let k = 0;
  for (const seg of segments) {
    for (let h = 0; h < seg.hosts; h++, k++) {
      const n = k;
      const ip = `${seg.net}.${seg.firstHost + h}`;
      const when = (value: (c: Ctx) => Buffer) => (c: Ctx) => (present(c, n) ? value(c) : undefined);
      if (opts.media) {
        const idx = `${seg.ifIndex}.${ip}`;
        const col = (col: number) => `1.3.6.1.2.1.4.22.1.${col}.${idx}`;
        out.push(
          { oid: col(1), type: Tag.Integer, value: when(() => integer(seg.ifIndex)) },
          { oid: col(2), type: Tag.OctetString, value: when((c) => octets(neighbourMac(c, n))) },
          { oid: col(3), type: Tag.IpAddress, value: when(() => ipAddress(ip)) },
          // ipNetToMediaType: 3 dynamic (4 static for the gateway).
          { oid: col(4), type: Tag.Integer, value: when(() => integer(n === 0 ? 4 : 3)) },
        );
      }
      if (opts.physical) {
        const idx = `${seg.ifIndex}.1.4.${ip}`;
        const col = (col: number) => `1.3.6.1.2.1.4.35.1.${col}.${idx}`;
        out.push(
          { oid: col(4), type: Tag.OctetString, value: when((c) => octets(neighbourMac(c, n))) },
          {
            oid: col(5),
            type: Tag.TimeTicks,
            value: when((c) => timeTicks(Math.max(0, c.dev.uptimeTicks(c.now) - (c.now % 60_000) / 10))),
          },
          // ipNetToPhysicalType 3 dynamic / 4 static; State 1 reachable; RowStatus 1 active.
          { oid: col(6), type: Tag.Integer, value: when(() => integer(n === 0 ? 4 : 3)) },
          { oid: col(7), type: Tag.Integer, value: when(() => integer(1)) },
          { oid: col(8), type: Tag.Integer, value: when(() => integer(1)) },
        );
      }
    }
  }
  return out;
}
