import { describe, expect, it } from 'vitest';
import type { Db } from '../src/db/types.js';
import { ensureAhead } from '../src/maintenance/job.js';
import { applyMigrations } from '../src/schema/migrate.js';
import { listPartitionNames, SAMPLES } from '../src/schema/partitions.js';
import { collapseWindowDays } from '../src/schema/window-days.js';
import { count, DAY, HOUR, MIN, makeStorage, SetClock, series, T0 } from './support/harness.js';
import { freshPgDatabases, pgMissing } from './support/pg-server.js';

const CPU = 'device_cpu_load_ratio';

/** Partitions of ispm_samples (days and their windows), by name, with their kind. */
async function sampleTables(db: Db): Promise<Record<string, 'windows' | 'plain'>> {
  const res = await db.query<{ name: string; kind: string }>(
    `SELECT c.relname AS name, c.relkind::text AS kind
       FROM pg_partition_tree('ispm_samples') t JOIN pg_class c ON c.oid = t.relid WHERE t.level > 0`,
  );
  return Object.fromEntries(res.rows.map((r) => [r.name, r.kind === 'p' ? 'windows' : 'plain']));
}

const missing = pgMissing();
if (missing)
  describe.skip(`window days on PostgreSQL 15: ${missing}`, () => it('needs PostgreSQL', () => {}));
else {
  const pg = freshPgDatabases('window_days_');

  describe('raw sample days of window partitions', () => {
    it('are divided into windows a few hours ahead, plain before; with chunks no rollup partition waits empty', async () => {
      const db = await pg.fresh();
      await applyMigrations(db);
      const options = { partitionsAheadDays: 2, rollups: true, chunks: { hotMs: 2 * HOUR } };
      expect((await ensureAhead(db, options, T0 + 10 * HOUR)).sort()).toEqual([
        'ispm_samples_p20300101',
        'ispm_samples_p20300102',
        'ispm_samples_p20300103',
      ]);
      expect(await sampleTables(db)).toMatchObject({
        ispm_samples_p20300101: 'windows',
        ispm_samples_p20300102: 'plain',
        ispm_samples_p20300103: 'plain',
      });
      expect(Object.keys(await sampleTables(db))).toHaveLength(3 + 12);
      expect(await listPartitionNames(db, { parent: 'ispm_rollup_5m', span: 'day' })).toEqual([]);
      // Six hours before midnight the next day, still empty, is divided.
      expect(await ensureAhead(db, options, T0 + 18 * HOUR)).toEqual(['ispm_samples_p20300102']);
      expect((await sampleTables(db)).ispm_samples_p20300102).toBe('windows');
      expect(Object.keys(await sampleTables(db))).toHaveLength(3 + 24);
      // A plain day that already holds a row stays plain (compacted by the per-batch path).
      const { storage } = makeStorage(db, new SetClock(T0 + 2 * DAY));
      await storage.write(series(CPU, { device: 'r1' }, T0 + 2 * DAY + HOUR, MIN, [0.5]));
      expect((await ensureAhead(db, options, T0 + 2 * DAY + 2 * HOUR)).sort()).toEqual([
        'ispm_samples_p20300104',
        'ispm_samples_p20300105',
      ]);
      expect((await sampleTables(db)).ispm_samples_p20300103).toBe('plain');
      // Rows only: the rollup round writes as the data arrives, so its partitions are made ahead.
      const rowsOnly = await ensureAhead(db, { partitionsAheadDays: 2, rollups: true }, T0 + 18 * HOUR);
      expect(rowsOnly.filter((n) => n.startsWith('ispm_rollup_5m_p'))).toHaveLength(3);
    });

    it('a merged day becomes one plain partition; a late row lands there and is compacted', async () => {
      const db = await pg.fresh();
      await applyMigrations(db);
      const clock = new SetClock(T0 + 23 * HOUR);
      const { storage } = makeStorage(db, clock);
      const values = [...Array(24 * 60).keys()].map((i) => (i % 100) / 100);
      await storage.write(series(CPU, { device: 'r1' }, T0, MIN, values));
      // Compacted (every window truncated), merged, collapsed, in the next day's round.
      clock.t = T0 + DAY + 3 * HOUR;
      const report = await storage.maintain();
      expect(report.merged).toMatchObject({ days: 1 });
      expect(report.collapsed).toEqual(['ispm_samples_p20300101']);
      const tables = await sampleTables(db);
      expect(tables.ispm_samples_p20300101).toBe('plain');
      expect(Object.keys(tables).filter((n) => n.startsWith('ispm_samples_p20300101_h'))).toEqual([]);
      expect(tables.ispm_samples_p20300102).toBe('windows');

      const late = { name: CPU, labels: { device: 'r1' }, value: 0.125, ts: T0 + 5 * HOUR + 30_000 };
      await storage.write([late]);
      clock.t += MIN;
      expect((await storage.maintain()).compaction).toMatchObject({ chunks: 1 });
      expect(await count(db, 'ispm_samples')).toBe(0);
      const raw = await storage.rawSamples(CPU, { device: 'r1' }, T0 + 5 * HOUR, T0 + 5 * HOUR + MIN - 1);
      expect(raw.map((s) => s.value)).toEqual([values[300], 0.125]);
    });

    it('a day with a row left keeps its windows', async () => {
      const db = await pg.fresh();
      await applyMigrations(db);
      const { storage } = makeStorage(db, new SetClock(T0 + 2 * HOUR));
      await storage.write(series(CPU, { device: 'r1' }, T0 + HOUR, MIN, [0.5]));
      expect(await collapseWindowDays(db, SAMPLES, T0 + DAY)).toEqual([]);
      expect((await sampleTables(db)).ispm_samples_p20300101).toBe('windows');
      await db.query('TRUNCATE ispm_samples');
      // Not before the day's end.
      expect(await collapseWindowDays(db, SAMPLES, T0 + DAY - 1)).toEqual([]);
      expect(await collapseWindowDays(db, SAMPLES, T0 + DAY)).toEqual(['ispm_samples_p20300101']);
    });
  });
}
