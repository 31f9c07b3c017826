/**
 * The SNMPv2c walk that reads answers in place (walk-raw.ts) against the walk over varbind
 * objects (walk.ts's `progress`): the same rows, values and errors on every recording, and the
 * octet comparison of OIDs in the numeric order of their arcs.
 */

import { skipTitle } from '@ispmonitor/core/testing';
import type { Varbind } from 'net-snmp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeOid } from '../src/ber/request.js';
import { compareOids } from '../src/oid.js';
import { SnmpSession } from '../src/session.js';
import { settingsSchema } from '../src/settings.js';
import { walkColumns } from '../src/walk.js';
import { compareArcs } from '../src/walk-raw.js';
import { missing, noSnmprec, type Peer, startSnmpsim } from './support/peers.js';

describe('compareArcs', () => {
  it('orders encoded OIDs as compareOids orders the dotted ones', () => {
    const arcs = [0, 1, 39, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28, 2 ** 32 - 1, 2 ** 40];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const oid = () => {
      const parts = [1, 3];
      for (let i = 0, n = 1 + rnd(6); i < n; i++) parts.push(arcs[rnd(arcs.length)] as number);
      return parts.join('.');
    };
    const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);
    for (let t = 0; t < 3000; t++) {
      const a = oid();
      const b = t % 10 === 0 ? a : oid();
      const ea = Uint8Array.from(encodeOid(a));
      const eb = Uint8Array.from(encodeOid(b));
      expect(sign(compareArcs(ea, 0, ea.length, eb, 0, eb.length)), `${a} vs ${b}`).toBe(
        sign(compareOids(a, b)),
      );
    }
  });
});

const why = noSnmprec ?? missing('/usr/bin/snmpsimd', 'snmpsim');

describe.skipIf(why)(skipTitle('in-place walk against the object walk, via snmpsim', why), () => {
  let peer: Peer;
  beforeAll(async () => {
    peer = await startSnmpsim();
  });
  afterAll(async () => {
    await peer?.stop();
  });

  const columns = [
    '1.3.6.1.2.1.1',
    '1.3.6.1.2.1.2.2.1.2',
    '1.3.6.1.2.1.2.2.1.6',
    '1.3.6.1.2.1.2.2.1.10',
    '1.3.6.1.2.1.31.1.1.1.6',
    '1.3.6.1.2.1.4.20.1.1',
    '1.3.6.1.2.1.4.22.1.2',
  ];

  // One test per recording: a whole-tree walk of a slow simulated agent on a loaded machine takes seconds.
  it.each(['ios', 'junos', 'linux', 'murrant_localhost', 'routeros', 'routeros_rb750gr3'])(
    '%s: the same rows, values and errors, for column sets and the whole tree',
    async (community) => {
      const settings = settingsSchema.parse({ version: '2c', community, timeout: '10s' });
      for (const [set, maxRows] of [
        [columns, 10_000],
        [['1.3.6.1'], 100_000],
        [['1.3.6.1.2.1.2.2.1'], 7],
      ] as const) {
        const session = new SnmpSession({ host: '127.0.0.1', port: peer.port }, settings);
        try {
          expect(session.rawBulk).toBe(true);
          const opts = () => ({
            version: '2c' as const,
            state: { maxRepetitions: 25, backoffs: 0 },
            maxRows,
          });
          const inPlace = await walkColumns(session, [...set], opts());
          // The same session seen without its in-place reads: the object walk.
          const objects = {
            target: session.target,
            rawBulk: false,
            getBulkFlat: (o: string[], r: number) => session.getBulkFlat(o, r),
          } as unknown as SnmpSession;
          const plain = await walkColumns(objects, [...set], opts());
          expect([...inPlace.columns.keys()]).toEqual([...plain.columns.keys()]);
          for (const [column, rows] of plain.columns) {
            const got = inPlace.columns.get(column);
            expect([...(got?.keys() ?? [])], `${community} ${column}`).toEqual([...rows.keys()]);
            // Compared as varbinds (oid, type, value): in-place rows make their OID when read.
            const fields = (vb: Varbind) => ({ oid: vb.oid, type: vb.type, value: vb.value });
            expect([...(got?.values() ?? [])].map(fields), `${community} ${column}`).toEqual(
              [...rows.values()].map(fields),
            );
          }
          expect(inPlace.errors).toEqual(plain.errors);
          // A whole tree has rows on every recording (the tables differ from one to another).
          if (set[0] === '1.3.6.1')
            expect(plain.columns.get('1.3.6.1')?.size, community).toBeGreaterThan(100);
        } finally {
          session.close();
        }
      }
    },
    60_000,
  );
});
