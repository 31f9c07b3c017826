import protobuf from 'protobufjs';
import { type EncodedSeries, fastTimestamp } from './series-cache.js';

/**
 * A shard's samples of one write, in batch order, as three parallel arrays: no object per sample
 * between the batch and the request bytes.
 */
export interface ShardSamples {
  series: EncodedSeries[];
  values: number[];
  timestamps: number[];
}

/** An empty shard. */
export function emptyShard(): ShardSamples {
  return { series: [], values: [], timestamps: [] };
}

/**
 * Encodes samples `from`..`to` of a shard as a WriteRequest (before snappy), one TimeSeries per
 * sample, through protobufjs' Writer: a sample is its series' cached head, its value and its
 * timestamp. The same bytes as `encodeWriteRequest` of the same series (test/request.test.ts).
 *
 * `w` is reset and reused (its buffer stays grown to the largest request): the bytes returned are
 * a view of its buffer, valid until its next use, so compress them before anything else encodes.
 */
export function encodeRequest(
  shard: ShardSamples,
  from: number,
  to: number,
  w: protobuf.Writer = protobuf.Writer.create(),
): Uint8Array {
  const { series, values, timestamps } = shard;
  // From empty, even after an encode that threw half-way.
  w.pos = 0;
  w.states = null;
  for (let i = from; i < to; i++) {
    const s = series[i] as EncodedSeries;
    const value = values[i] as number;
    const ts = timestamps[i] as number;
    if (fastTimestamp(ts)) {
      w.raw(s.bytes).double(value).uint32(16).int64(ts);
    } else {
      // Timestamps outside 1971–2109 (tests, a clock gone wrong): lengths counted by protobufjs.
      w.uint32(10).fork().raw(s.bytes.subarray(s.labelsStart, s.labelsEnd));
      w.uint32(18).fork().uint32(9).double(value).uint32(16).int64(ts).ldelim().ldelim();
    }
  }
  return w.finish(true);
}
