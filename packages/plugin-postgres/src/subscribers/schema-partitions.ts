import type { Db } from '../db/types.js';
import {
  dropPartitionsBefore,
  ensurePartitions,
  listPartitionNames,
  type PartitionedTable,
  partitionEnd,
  partitionStart,
} from '../schema/partitions.js';
import { SUBSCRIBER_TABLES } from './schema.js';

/** The weekly partitions of ended subscriber rows (the `_open` partitions are never dropped). */
export const SUBSCRIBER_PARTITIONS: readonly PartitionedTable[] = SUBSCRIBER_TABLES.map((parent) => ({
  parent,
  span: 'week',
}));

/** Creates the weekly partitions of every subscriber table covering [from, to]; returns the new names. */
export async function ensureSubscriberPartitions(db: Db, from: number, to: number): Promise<string[]> {
  const out: string[] = [];
  for (const t of SUBSCRIBER_PARTITIONS) out.push(...(await ensurePartitions(db, t, from, to)));
  return out;
}

/** Retention: drops the weeks that ended at or before `cutoff`. */
export async function dropSubscriberPartitionsBefore(db: Db, cutoff: number): Promise<string[]> {
  const out: string[] = [];
  for (const t of SUBSCRIBER_PARTITIONS) out.push(...(await dropPartitionsBefore(db, t, cutoff)));
  return out;
}

/**
 * Remembers which weeks exist so a flush checks the catalogue only when its rows end in a week
 * it has not seen (another replica's retention may drop one: `forget` after a failed write).
 */
export class WeekCache {
  readonly #known = new Set<number>();

  /** Makes sure every week of [from, to] has its partitions. */
  async ensure(db: Db, from: number, to: number): Promise<void> {
    const week = SUBSCRIBER_PARTITIONS[0] as PartitionedTable;
    let missing = false;
    for (let s = partitionStart(week, from); s <= to; s = partitionEnd(week, s)) {
      if (!this.#known.has(s)) missing = true;
    }
    if (!missing) return;
    await ensureSubscriberPartitions(db, from, to);
    for (let s = partitionStart(week, from); s <= to; s = partitionEnd(week, s)) this.#known.add(s);
  }

  forget(): void {
    this.#known.clear();
  }
}

export { listPartitionNames };
