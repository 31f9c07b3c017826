/** A WAL position as a number of bytes: PostgreSQL's `pg_lsn` `X/Y` is `X << 32 | Y`, in hex. */
export type Lsn = bigint;

const LSN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** Parses a `pg_lsn` as text (`16/B374D848`); null, absent or malformed: 0 (before everything). */
export function parseLsn(text: string | null | undefined): Lsn {
  const m = LSN.exec(text ?? '');
  if (!m) return 0n;
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

/** A WAL page's header: `SizeOfXLogShortPHD` (24), the first page of a segment `SizeOfXLogLongPHD` (40). */
const SHORT_HEADER = 24n;
const LONG_HEADER = 40n;

/**
 * The primary's position that a replica has replayed "everything written so far" at: the end of
 * the last WAL record inserted. SQL: `pg_current_wal_insert_lsn()`, `wal_block_size`,
 * `wal_segment_size`, read together (`INSERT_END_SQL`).
 *
 * Why the insert position: it is past the commit record of every transaction that has returned
 * COMMIT, also with `synchronous_commit = off`, where COMMIT returns before its record is
 * flushed (`pg_current_wal_flush_lsn()` and `pg_current_wal_lsn()` may then be behind a commit
 * the client already saw). Why the adjustment: when the last record ends exactly at a page
 * boundary, `pg_current_wal_insert_lsn()` points past the next page's header, where no record has
 * been written yet, while the replica's `pg_last_wal_replay_lsn()` stops at the boundary; both
 * mean "everything before the boundary".
 */
export function insertEnd(insert: Lsn, blockSize: number, segmentSize: number): Lsn {
  const block = BigInt(blockSize);
  const segment = BigInt(segmentSize);
  if (segment > 0n && insert % segment === LONG_HEADER) return insert - LONG_HEADER;
  if (block > 0n && insert % block === SHORT_HEADER) return insert - SHORT_HEADER;
  return insert;
}

/** Reads the primary's insert position and what `insertEnd` needs: one row `{ lsn, block, segment }`. */
export const INSERT_END_SQL = `SELECT pg_current_wal_insert_lsn()::text AS lsn,
  current_setting('wal_block_size')::int AS block,
  (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size')::float8 AS segment`;

/** The row of `INSERT_END_SQL`. */
export interface InsertEndRow {
  lsn: string;
  block: number | string | null;
  segment: number | string | null;
}

/** PostgreSQL's defaults, for a row that lacks the sizes. */
const DEFAULT_BLOCK = 8192;
const DEFAULT_SEGMENT = 16 * 1024 * 1024;

/** The position an `INSERT_END_SQL` row names (see `insertEnd`); a missing row: 0. */
export function insertEndOf(row: InsertEndRow | undefined): Lsn {
  if (!row) return 0n;
  const block = Number(row.block ?? DEFAULT_BLOCK) || DEFAULT_BLOCK;
  const segment = Number(row.segment ?? DEFAULT_SEGMENT) || DEFAULT_SEGMENT;
  return insertEnd(parseLsn(row.lsn), block, segment);
}
