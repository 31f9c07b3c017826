import type { Queryable } from '../db/types.js';
import { type ChunkSamples, chunkCount, decodeChunk, decodeChunkInto } from './codec.js';
import { appendSamples } from './samples.js';
import { type StoredChunk, sharedTimes } from './times.js';

/**
 * Stored chunks decoded per series: the chunks of a series (consecutive in `rows`, in start
 * order) decode into one set of arrays sized from their headers — a day's twelve windows, or a
 * read's days, without arrays per chunk appended sample by sample and then collected (that
 * appending cost a day's merge more than the decoding). Chunks that overlap in time (a late
 * window chunk beside its merged day) are joined as before: at an equal time the chunk that
 * starts first wins, as the row table kept the first reading.
 */
export async function decodeBySeries(
  db: Queryable,
  rows: readonly StoredChunk[],
): Promise<Map<number, ChunkSamples>> {
  const times = await sharedTimes(db, rows);
  const out = new Map<number, ChunkSamples>();
  let i = 0;
  while (i < rows.length) {
    const id = (rows[i] as StoredChunk).series_id;
    let j = i;
    let total = 0;
    for (; j < rows.length && (rows[j] as StoredChunk).series_id === id; j++)
      total += chunkCount((rows[j] as StoredChunk).data);
    const s: ChunkSamples = { ts: new Array(total), values: new Array(total), raws: new Array(total) };
    let at = 0;
    let inOrder = true;
    for (let k = i; k < j; k++) {
      const row = rows[k] as StoredChunk;
      const n = decodeChunkInto(row.data, times.of(row, k), s, at);
      if (n > 0 && at > 0 && (s.ts[at - 1] as number) >= (s.ts[at] as number)) inOrder = false;
      at += n;
    }
    if (!inOrder) {
      // Rare (late rows compacted beside a merged day): each chunk on its own, joined in order.
      let joined: ChunkSamples = { ts: [], values: [], raws: [] };
      for (let k = i; k < j; k++) {
        const row = rows[k] as StoredChunk;
        joined = appendSamples(joined, decodeChunk(row.data, times.of(row, k)));
      }
      out.set(id, joined);
    } else out.set(id, s);
    i = j;
  }
  return out;
}
