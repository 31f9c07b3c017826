import type { Queryable } from '../db/types.js';
import { type ChunkSamples, decodeChunk, encodeChunk, sharedTimesOf } from './codec.js';

/**
 * Poll times shared by the series of a device: a router's 269 series polled together carry the
 * same timestamps, and with jittered polls the timestamps are most of a chunk's bits (about 1.3 of
 * 1.5 bytes a sample for a status). A window's chunks whose series have exactly the same times
 * store them once, in `ispm_chunk_times`, under the smallest id among them.
 */

/** A chunk as stored: its series, the start of its window (ms) and its bytes. */
export interface StoredChunk {
  series_id: number;
  start: number;
  data: Uint8Array;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The bytes of a list of times (a chunk of zeros: the values cost a bit each). */
export function encodeTimes(ts: readonly number[]): Uint8Array {
  return encodeChunk({ ts: [...ts], values: ts.map(() => 0), raws: ts.map(() => null) });
}

/** Times from `encodeTimes`' bytes. */
export function decodeTimes(bytes: Uint8Array): number[] {
  return decodeChunk(bytes).ts;
}

/** Decodes stored chunks, reading the shared times those that share need (one query). */
export async function decodeStored(db: Queryable, rows: readonly StoredChunk[]): Promise<ChunkSamples[]> {
  const times = await sharedTimes(db, rows);
  return rows.map((r, i) => decodeChunk(r.data, times.of(r, i)));
}

/** The shared times stored chunks need, read in one query: `of(row, index)` gives a row's. */
export interface SharedTimes {
  of(row: StoredChunk, index: number): number[] | undefined;
}

/** Reads the shared times of `rows` (one query, none when no row shares). */
export async function sharedTimes(db: Queryable, rows: readonly StoredChunk[]): Promise<SharedTimes> {
  const shared = rows.map((r) => sharedTimesOf(r.data));
  const ids = new Set<number>();
  const starts = new Set<number>();
  shared.forEach((id, i) => {
    if (id === undefined) return;
    ids.add(id);
    starts.add((rows[i] as StoredChunk).start);
  });
  const times = new Map<string, number[]>();
  if (ids.size > 0) {
    const res = await db.query<{ series_id: number; s: number; data: Uint8Array }>(
      `SELECT series_id, (extract(epoch FROM start_ts) * 1000)::float8 AS s, data FROM ispm_chunk_times
        WHERE series_id = ANY($1::int[]) AND start_ts = ANY($2::timestamptz[])`,
      [[...ids], [...starts].map(iso)],
    );
    for (const t of res.rows) times.set(`${Number(t.series_id)}:${Number(t.s)}`, decodeTimes(t.data));
  }
  return {
    of: (row, i) => {
      const id = shared[i];
      return id === undefined ? undefined : times.get(`${id}:${row.start}`);
    },
  };
}

/** Chunks to write for one window, with the shared times they need. */
export interface EncodedWindow {
  data: Map<number, Uint8Array>;
  times: Array<{ id: number; data: Uint8Array }>;
}

/**
 * Encodes a window's chunks: series of one device (`deviceOf`) with exactly the same times share
 * them when two or more do, under the smallest id of the group — unless that id already has times
 * stored for the window (`taken`): stored times are never changed, so that group keeps its own.
 * Series in `own` (re-opened chunks) always keep their own times.
 */
export function encodeWindow(
  bySeries: ReadonlyMap<number, ChunkSamples>,
  deviceOf: ReadonlyMap<number, string | null>,
  own: ReadonlySet<number>,
  taken: ReadonlySet<number>,
): EncodedWindow {
  // Grouped by a hash of the times (no key string of every timestamp), then checked exactly
  // against the group's first series: a hash collision only keeps a series' own times.
  const groups = new Map<string, number[]>();
  for (const [id, s] of bySeries) {
    const device = deviceOf.get(id);
    if (own.has(id) || device === null || device === undefined) continue;
    const key = `${device}\u0000${s.ts.length}\u0000${hashTimes(s.ts)}`;
    const g = groups.get(key);
    if (!g) groups.set(key, [id]);
    else if (sameTimes((bySeries.get(g[0] as number) as ChunkSamples).ts, s.ts)) g.push(id);
  }
  const anchorOf = new Map<number, number>();
  const times: EncodedWindow['times'] = [];
  for (const g of groups.values()) {
    if (g.length < 2) continue;
    const anchor = Math.min(...g);
    if (taken.has(anchor)) continue;
    for (const id of g) anchorOf.set(id, anchor);
    times.push({ id: anchor, data: encodeTimes((bySeries.get(anchor) as ChunkSamples).ts) });
  }
  const data = new Map<number, Uint8Array>();
  for (const [id, s] of bySeries) data.set(id, encodeChunk(s, anchorOf.get(id)));
  return { data, times };
}

function hashTimes(ts: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const t of ts) {
    h = Math.imul(h ^ (t % 4_294_967_296), 0x01000193);
    h = Math.imul(h ^ Math.floor(t / 4_294_967_296), 0x01000193);
  }
  return h >>> 0;
}

function sameTimes(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
