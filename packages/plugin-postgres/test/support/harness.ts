/** Builds a `Storage` on a given database with a settable clock and a private metrics registry. */
import type { Clock, Sample } from '@ispmonitor/core';
import { createFakeLogger } from '@ispmonitor/core/testing';
import { Registry } from 'prom-client';
import type { Db } from '../../src/db/types.js';
import { createDbMetrics } from '../../src/metrics.js';
import { optionsSchema, type PostgresOptionsInput } from '../../src/options.js';
import { Storage } from '../../src/store.js';

/** A clock the test sets by hand (maintenance and ingest read `now` from it). */
export class SetClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  setTimeout(): unknown {
    return undefined;
  }
  clearTimeout(): void {}
}

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** A fixed UTC midnight far from "now", so tests never depend on the real date. */
export const T0 = Date.UTC(2030, 0, 1);

export function makeStorage(db: Db, clock: Clock, options: PostgresOptionsInput = {}) {
  const registry = new Registry();
  const metrics = createDbMetrics(registry, () => db.poolStats());
  const storage = new Storage(db, optionsSchema.parse(options), clock, metrics, createFakeLogger());
  return { storage, registry };
}

/** Samples of one series at a fixed interval. */
export function series(
  name: string,
  labels: Record<string, string>,
  start: number,
  stepMs: number,
  values: Array<number | bigint>,
): Sample[] {
  return values.map((value, i) => ({ name, labels, value, ts: start + i * stepMs }));
}

/** Rows of a table (for counts). */
export async function count(db: Db, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const res = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params);
  return Number(res.rows[0]?.n ?? 0);
}
