import type { Db } from '../db/types.js';
import {
  dropSubscriberPartitionsBefore,
  ensureSubscriberPartitions,
} from '../subscribers/schema-partitions.js';

/** What the subscriber part of a maintenance round did. */
export interface SubscriberMaintenance {
  created: string[];
  dropped: string[];
}

const WEEK = 7 * 86_400_000;

/**
 * Subscriber history in the maintenance round: weekly partitions for ended rows from the start
 * of the retention window to a week ahead (so a history import or a late end finds its week),
 * and retention by whole weeks — a week is dropped once it ended `retentionMs` ago.
 */
export async function maintainSubscribers(
  db: Db,
  retentionMs: number,
  now: number,
): Promise<SubscriberMaintenance> {
  const created = await ensureSubscriberPartitions(db, now - retentionMs, now + WEEK);
  const dropped = await dropSubscriberPartitionsBefore(db, now - retentionMs);
  return { created, dropped };
}
