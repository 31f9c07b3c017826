/**
 * Text PostgreSQL cannot store, from a device (an SNMP OCTET STRING may hold NUL bytes; a broken
 * decoder may leave a lone surrogate), on a real PostgreSQL 15: such a sample is rejected and
 * counted, and the rest of its batch is stored. Before, the new series' insert failed the whole
 * batch (22P05 / 22021), again at every retry.
 */
import { skipTitle } from '@ispmonitor/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/types.js';
import { pgForBlock, pgMissing } from './support/pg-server.js';
import { writerOn } from './support/writer.js';

const missing = pgMissing();
const NOW = Date.UTC(2026, 11, 5, 12, 0, 0);

describe.skipIf(missing)(skipTitle('unstorable text from a device on PostgreSQL 15', missing), () => {
  const pg = pgForBlock('unstorable', { migrate: true });
  let db: Db;
  beforeAll(async () => {
    db = await pg.db();
  });

  it('rejects NUL and lone surrogates as malformed and stores the rest of the batch', async () => {
    const writer = writerOn(db, NOW);
    const at = (name: string, labels: Record<string, string>, value: number) => ({
      name,
      labels,
      value,
      ts: NOW,
    });
    const out = await writer.write([
      at('if_in_octets_total', { device: 'r1', ifName: 'ether1' }, 1),
      at('if_in_octets_total', { device: 'r1', ifName: 'eth\u0000er2' }, 2),
      at('if_in_octets_total', { device: 'r1', ifName: 'bad\ud800' }, 3),
      at('if_in\u0000_octets_total', { device: 'r1', ifName: 'ether1' }, 4),
      at('if_in_octets_total', { device: 'r1', 'key\u0000': 'x' }, 5),
      at('if_in_octets_total', { device: 'r1', ifName: 'C:\\users 😀' }, 6),
      at('if_in_octets_total', { device: 'r1', ifName: 'eth\u0000er2' }, 7),
    ]);
    expect(out.accepted).toBe(2);
    expect(out.rejected).toEqual({ malformed: 5 });
    const { rows } = await db.query<{ if_name: string; value: number }>(
      `SELECT s.labels->>'ifName' AS if_name, v.value FROM ispm_samples v JOIN ispm_series s ON s.id = v.series_id
        ORDER BY v.value`,
    );
    expect(rows).toEqual([
      { if_name: 'ether1', value: 1 },
      { if_name: 'C:\\users 😀', value: 6 },
    ]);
  });
});
