import type { Db } from '../../src/db/types.js';
import { SeriesCache } from '../../src/ingest/series.js';
import { SampleWriter } from '../../src/ingest/writer.js';

/** A sample writer on `db` with a fresh series cache, rollups off and the clock fixed at `now`. */
export function writerOn(db: Db, now: number): SampleWriter {
  return new SampleWriter(db, new SeriesCache(db, 10_000), {
    chunkSize: 20_000,
    parallel: 1,
    minParallelChunk: 1000,
    maxAgeMs: 86_400_000,
    maxFutureMs: 600_000,
    counters: new Set(),
    rollups: false,
    now: () => now,
  });
}
