import type { Migration } from '../schema/migrations.js';

/**
 * Version 7: compressed chunks. One row per series per chunk window (2 h, aligned to the epoch):
 * the window's samples encoded by `codec.ts` in `data`, and the aggregates most reads need as
 * plain columns, so they never decode. Partitioned by day of the window's start, like the row
 * table, so retention drops whole partitions. `data` is stored uncompressed by PostgreSQL
 * (EXTERNAL): it is already compressed, and pglz would only spend time trying.
 */
export const chunkTable: Migration = {
  version: 7,
  name: 'compressed chunks',
  statements: [
    `CREATE TABLE ispm_chunks (
       series_id integer NOT NULL,
       start_ts timestamptz NOT NULL,
       first_ts timestamptz NOT NULL,
       last_ts timestamptz NOT NULL,
       count integer NOT NULL,
       min double precision NOT NULL,
       max double precision NOT NULL,
       sum double precision NOT NULL,
       first double precision NOT NULL,
       last double precision NOT NULL,
       first_raw bigint,
       last_raw bigint,
       increase double precision,
       data bytea NOT NULL,
       PRIMARY KEY (series_id, start_ts)) PARTITION BY RANGE (start_ts)`,
    'ALTER TABLE ispm_chunks ALTER COLUMN data SET STORAGE EXTERNAL',
  ],
};

/**
 * Version 8: shared poll times. The series of one device polled together have the same
 * timestamps; a window's chunks of such series store them once, here, under the smallest id of
 * the series sharing them (a chunk with shared times names that id). Written once and never
 * changed: a chunk re-opened by a late row is re-encoded with its own times. Partitioned like the
 * chunks, and dropped with them.
 */
export const chunkTimesTable: Migration = {
  version: 8,
  name: 'shared chunk times',
  statements: [
    `CREATE TABLE ispm_chunk_times (
       series_id integer NOT NULL,
       start_ts timestamptz NOT NULL,
       data bytea NOT NULL,
       PRIMARY KEY (series_id, start_ts)) PARTITION BY RANGE (start_ts)`,
    'ALTER TABLE ispm_chunk_times ALTER COLUMN data SET STORAGE EXTERNAL',
  ],
};
