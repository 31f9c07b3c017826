/**
 * `importHistory`: the demo's backfill (and any other source of past data) written into the same
 * tables the live recorders fill, so every read sees it as recorded history.
 */
import type { Db } from '../db/types.js';
import type { SeriesCache } from '../ingest/series.js';
import type { HistoryImport } from '../subscribers/query-types.js';
import { badQuery } from '../subscribers/search-terms.js';
import { importSeries } from './series.js';
import { importStatusChanges } from './status.js';
import { importLeases, importSessions, importWireless } from './subscribers.js';

/** Settings of an import. */
export interface ImportSettings {
  /** Statement timeout of the rollup statements (the maintenance one). */
  rollupStatementTimeoutMs: number;
  /** Now (ms): the last seen of imported rows that are still current. */
  now: number;
}

const list = <T>(v: T[] | undefined, name: string): T[] => {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw badQuery(`${name} must be an array`);
  return v;
};

/**
 * Writes every part of `h` that is present; returns the rows written. A part with a bad entry
 * is refused whole with a `BAD_QUERY` error naming the entry.
 */
export async function importHistory(
  db: Db,
  cache: SeriesCache,
  h: HistoryImport,
  settings: ImportSettings,
): Promise<{ rows: number }> {
  if (typeof h !== 'object' || h === null) throw badQuery('the history must be an object');
  let rows = 0;
  rows += await importSessions(db, list(h.sessions, 'sessions'), settings.now);
  rows += await importLeases(db, list(h.leases, 'leases'), settings.now);
  rows += await importWireless(db, list(h.wireless, 'wireless'), settings.now);
  rows += await importStatusChanges(db, list(h.statusChanges, 'statusChanges'));
  rows += await importSeries(db, cache, list(h.series, 'series'), settings.rollupStatementTimeoutMs);
  return { rows };
}
