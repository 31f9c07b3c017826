/**
 * The look-up of existing series (every batch after a restart, and after a race) on a real
 * PostgreSQL 15: it must probe the unique index once per series, never read the whole series
 * table. With a plain join the planner hashed the table for every batch, so a restart at 10,000
 * routers (3.2 M series) would have read 3.2 M rows per batch of 5,000 samples.
 */
import { skipTitle } from '@ispmonitor/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../src/db/types.js';
import { LOOKUP_SQL, lookupSeries, type SeriesRow } from '../src/ingest/series-sql.js';
import { pgForBlock, pgMissing } from './support/pg-server.js';

const missing = pgMissing();

/** Series m0…m9 of interfaces eth0…eth23 of devices d`from`…d`to - 1`, as the sink sends them. */
function rows(from: number, to: number): SeriesRow[] {
  const out: SeriesRow[] = [];
  for (let d = from; d < to; d++)
    for (let i = 0; i < 24; i++)
      for (let m = 0; m < 10; m++)
        out.push({
          name: `m${m}`,
          labels: JSON.stringify({ device: `d${d}`, ifName: `eth${i}` }),
          kind: 'counter',
        });
  return out;
}

/** Every node of a JSON plan, depth first. */
function nodes(plan: Record<string, unknown>): Array<Record<string, unknown>> {
  const children = (plan.Plans as Array<Record<string, unknown>> | undefined) ?? [];
  return [plan, ...children.flatMap(nodes)];
}

describe.skipIf(missing)(skipTitle('series look-up on PostgreSQL 15', missing), () => {
  const pg = pgForBlock('lookup', { migrate: true });
  let db: Db;
  beforeAll(async () => {
    db = await pg.db();
    // 24,000 series (100 devices), analysed: the size at which a join of a few hundred series
    // was already planned as a hash of the whole table.
    await db.query(
      `INSERT INTO ispm_series (name, labels, kind)
         SELECT 'm' || m, jsonb_build_object('device', 'd' || d, 'ifName', 'eth' || i), 'counter'
           FROM generate_series(0, 99) d, generate_series(0, 23) i, generate_series(0, 9) m`,
    );
    await db.query('ANALYZE ispm_series');
  });

  it('probes the unique index per series and reads no other row of the table', async () => {
    const batch = rows(40, 42); // 480 series
    const { rows: plan } = await db.query<{ 'QUERY PLAN': Array<{ Plan: Record<string, unknown> }> }>(
      `EXPLAIN (FORMAT JSON) ${LOOKUP_SQL}`,
      [batch.map((s) => s.name), batch.map((s) => s.labels)],
    );
    const top = plan[0]?.['QUERY PLAN'][0]?.Plan;
    expect(top).toBeDefined();
    const all = nodes(top as Record<string, unknown>);
    const onSeries = all.filter((n) => n['Relation Name'] === 'ispm_series');
    expect(onSeries.map((n) => n['Node Type'])).toEqual(['Index Scan']);
    expect(onSeries[0]?.['Index Name']).toBe('ispm_series_name_labels_key');
    expect(all.some((n) => n['Node Type'] === 'Hash Join' || n['Node Type'] === 'Seq Scan')).toBe(false);
  });

  it('returns each existing series’ id in the order asked, undefined for the unknown ones', async () => {
    const known = rows(7, 8);
    const asked = [known[5], { name: 'm0', labels: '{"device": "nowhere"}', kind: 'gauge' }, known[0]];
    const ids = await lookupSeries(db, asked as SeriesRow[]);
    const { rows: expected } = await db.query<{ id: number }>(
      `SELECT id FROM ispm_series WHERE name = $1 AND labels = $2::jsonb
       UNION ALL SELECT id FROM ispm_series WHERE name = $3 AND labels = $4::jsonb`,
      [known[5]?.name, known[5]?.labels, known[0]?.name, known[0]?.labels],
    );
    expect(ids).toEqual([expected[0]?.id, undefined, expected[1]?.id]);
    expect(ids[0]).not.toBe(ids[2]);
  });
});
