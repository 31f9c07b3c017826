import { type Clock, describeError, type Logger, type Sample, type Sink, sleep } from '@ispmonitor/core';
import protobuf from 'protobufjs';
import { compressSync } from 'snappy';
import { HttpPoster } from './http.js';
import type { RemoteWriteMetrics } from './metrics.js';
import { type RemoteWriteOptions, type RemoteWriteTarget, targetName } from './options.js';
import { emptyShard, encodeRequest, type ShardSamples } from './request.js';
import { SeriesCache } from './series-cache.js';
import { VERSION } from './version.js';

/** Distinct refusal causes remembered for logging once each; beyond this they are no longer logged. */
const CAUSES_LOGGED = 100;
/**
 * Most series whose encoded labels are kept (~0.4 KB each: 1.27 GB measured for the 3.2 million series
 * a 10,000-router fleet polls from one process). Beyond it, new series are encoded every time.
 */
export const SERIES_CACHE_LIMIT = 4_000_000;
/** A series not written for this long leaves the cache (a fleet polls every series each minute or so). */
export const SERIES_CACHE_IDLE_MS = 10 * 60_000;

/** One cache for the targets of one plugin (same options, so the same external labels). */
const caches = new WeakMap<RemoteWriteOptions, SeriesCache>();
function cacheFor(options: RemoteWriteOptions): SeriesCache {
  let cache = caches.get(options);
  if (cache === undefined) {
    cache = new SeriesCache(options.externalLabels, SERIES_CACHE_LIMIT, SERIES_CACHE_IDLE_MS);
    caches.set(options, cache);
  }
  return cache;
}

/** How a target is doing, for its health check. */
export interface TargetState {
  /** Requests that failed in a row (retryable errors). */
  failures: number;
  lastError?: { message: string; at: number };
}

/**
 * One remote-write receiver, as a core Sink. `write` hashes each sample's series (through the
 * series cache of encoded labels) to a shard (at most `shards`, no more than full requests need),
 * and sends the shards in parallel, each shard its requests one after the
 * other, so a series' samples arrive in order. A 5xx, 429 or network error is retried (backoff
 * doubling from `minBackoff` to `maxBackoff`, at least `Retry-After`) until it succeeds or the
 * sink closes, so the monitor's bounded buffer and on-disk spool hold what arrives meanwhile and
 * polling is never held up. A 4xx is final: its samples are counted as failed and the cause
 * logged once. A batch cut short by `close` rejects, so the monitor keeps it for the next start.
 */
export class TargetSink implements Sink {
  readonly name: string;
  readonly target: string;
  readonly state: TargetState = { failures: 0 };
  readonly #poster: HttpPoster;
  readonly #headers: Record<string, string>;
  readonly #closing = new AbortController();
  readonly #causes = new Set<string>();
  readonly #cache: SeriesCache;
  /** One Writer for every request: `#send` encodes and compresses without awaiting in between. */
  readonly #writer = protobuf.Writer.create();

  constructor(
    config: RemoteWriteTarget,
    private readonly options: RemoteWriteOptions,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: RemoteWriteMetrics,
  ) {
    this.target = targetName(config);
    this.name = `remote-write:${this.target}`;
    this.#poster = new HttpPoster(config.url, {
      ca: config.ca,
      timeoutMs: config.timeout,
      maxSockets: options.shards,
    });
    this.#headers = {
      ...config.headers,
      'Content-Type': 'application/x-protobuf',
      'Content-Encoding': 'snappy',
      'User-Agent': `ispmonitor-remote-write/${VERSION}`,
      'X-Prometheus-Remote-Write-Version': '0.1.0',
    };
    const auth = config.auth;
    if (auth && 'bearer' in auth) this.#headers.Authorization = `Bearer ${auth.bearer}`;
    else if (auth) {
      this.#headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    }
    this.#cache = cacheFor(options);
    metrics.shards.set({ target: this.target }, options.shards);
    metrics.pending.set({ target: this.target }, 0);
  }

  async write(batch: Sample[]): Promise<void> {
    const shards = this.#group(batch);
    let left = 0;
    for (const shard of shards) left += shard.values.length;
    const target = this.target;
    this.metrics.pending.inc({ target }, left);
    const max = this.options.maxSamplesPerSend;
    let unsent = 0;
    await Promise.all(
      shards.map(async (shard) => {
        const size = shard.values.length;
        for (let from = 0; from < size; from += max) {
          const to = Math.min(size, from + max);
          const n = to - from;
          if (unsent > 0 || !(await this.#send(shard, from, to))) unsent += n;
          this.metrics.pending.dec({ target }, n);
        }
      }),
    );
    if (unsent > 0)
      throw new Error(`remote write to ${target} stopped with ${unsent} samples unsent (closing)`);
  }

  /**
   * The batch by shard (a series' hash picks its shard), in batch order: a series polled twice in
   * one batch keeps its time order. Samples older than `spool.maxAge` are left out and counted.
   */
  #group(batch: Sample[]): ShardSamples[] {
    // No more shards than full requests: a 5,000-sample write at 2,000 a request goes out as 3
    // requests, not 4 of 1,250 (each request costs its HTTP round and snappy call). A series still
    // lands in one shard per write, and writes come one at a time, so its samples stay in order.
    const { shards: most, maxSamplesPerSend } = this.options;
    const count = Math.max(1, Math.min(most, Math.ceil(batch.length / maxSamplesPerSend)));
    const shards: ShardSamples[] = Array.from({ length: count }, emptyShard);
    const now = this.clock.now();
    const oldest = now - this.options.spool.maxAge;
    const cache = this.#cache;
    cache.sweep(now);
    let tooOld = 0;
    let invalid = 0;
    for (const sample of batch) {
      if (!Number.isFinite(sample.ts)) {
        // No receiver takes it, and one such sample would have the whole request refused.
        invalid++;
        continue;
      }
      if (sample.ts < oldest) {
        tooOld++;
        continue;
      }
      const series = cache.get(sample.name, sample.labels, now);
      const shard = shards[series.hash % count] as ShardSamples;
      shard.series.push(series);
      // float64 is what remote write carries: a bigint counter beyond 2^53 is rounded here.
      shard.values.push(typeof sample.value === 'number' ? sample.value : Number(sample.value));
      shard.timestamps.push(Math.round(sample.ts));
    }
    if (invalid > 0) {
      this.metrics.dropped.inc({ target: this.target, reason: 'invalid_timestamp' }, invalid);
      this.#logOnce('invalid_timestamp', 'remote write: samples without a valid timestamp dropped', {
        samples: invalid,
      });
    }
    if (tooOld > 0) {
      this.metrics.dropped.inc({ target: this.target, reason: 'too_old' }, tooOld);
      this.#logOnce('too_old', 'remote write: samples older than spool.maxAge dropped', { samples: tooOld });
    }
    return shards;
  }

  /** Sends one request until it is accepted or refused (true), or the sink closes (false). */
  async #send(shard: ShardSamples, from: number, to: number): Promise<boolean> {
    const count = to - from;
    let body: Buffer;
    try {
      const encoded = encodeRequest(shard, from, to, this.#writer);
      // protobufjs hands back a Buffer on Node: compressed without a copy.
      body = compressSync(
        Buffer.isBuffer(encoded)
          ? encoded
          : Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength),
      );
    } catch (err) {
      // Not retried: the same samples would fail the same way and hold up every later batch.
      this.metrics.failed.inc({ target: this.target, reason: 'encode' }, count);
      this.#logOnce('encode', 'remote write: samples could not be encoded (dropped)', {
        error: describeError(err).message,
        samples: count,
      });
      return true;
    }
    const target = this.target;
    let attempt = 0;
    for (;;) {
      if (this.#closing.signal.aborted) return false;
      let retryAfter: number | undefined;
      let error: string;
      const stopTimer = this.metrics.duration.startTimer({ target });
      try {
        const res = await this.#poster.post(body, this.#headers, this.#closing.signal);
        stopTimer();
        this.metrics.bytes.inc({ target }, body.byteLength);
        if (res.status >= 200 && res.status < 300) {
          this.metrics.sent.inc({ target }, count);
          this.#noteSent(shard.timestamps, from, to);
          if (this.state.failures > 0)
            this.logger.info('remote write: target accepts samples again', { target });
          this.state.failures = 0;
          return true;
        }
        if (res.status >= 400 && res.status < 500 && res.status !== 429) {
          const reason = `http_${res.status}`;
          this.metrics.failed.inc({ target, reason }, count);
          const cause = firstLine(res.body);
          this.#logOnce(`${reason} ${cause}`, 'remote write: receiver refused samples (not retried)', {
            status: res.status,
            cause,
            samples: count,
          });
          return true;
        }
        retryAfter = res.retryAfterMs;
        error = `HTTP ${res.status}: ${firstLine(res.body)}`;
      } catch (err) {
        stopTimer();
        if (this.#closing.signal.aborted) return false;
        const e = describeError(err);
        error = `${e.code}: ${e.message}`;
      }
      attempt++;
      this.state.failures++;
      this.state.lastError = { message: error, at: this.clock.now() };
      this.metrics.retried.inc({ target }, count);
      if (this.state.failures === 1 || this.state.failures % 20 === 0) {
        this.logger.warn('remote write failed; retrying', { target, failures: this.state.failures, error });
      }
      const { minBackoff, maxBackoff, maxRetryAfter } = this.options;
      const backoff = Math.min(maxBackoff, minBackoff * 2 ** Math.min(attempt - 1, 30));
      const wait = Math.max(backoff, Math.min(retryAfter ?? 0, maxRetryAfter));
      await sleep(this.clock, wait, this.#closing.signal);
    }
  }

  #noteSent(timestamps: number[], from: number, to: number): void {
    let newest = 0;
    for (let i = from; i < to; i++) {
      const ts = timestamps[i] as number;
      if (ts > newest) newest = ts;
    }
    const gauge = this.metrics.highestSent;
    // Gauges have no max(): keep the highest seen, as Prometheus' own client does.
    if (newest / 1000 > this.#highest) {
      this.#highest = newest / 1000;
      gauge.set({ target: this.target }, this.#highest);
    }
  }

  #highest = 0;

  #logOnce(cause: string, msg: string, fields: Record<string, unknown>): void {
    if (this.#causes.has(cause) || this.#causes.size >= CAUSES_LOGGED) return;
    this.#causes.add(cause);
    this.logger.error(msg, { target: this.target, ...fields });
  }

  /** Stops retrying: a write under way rejects with what it could not send. */
  async close(): Promise<void> {
    this.#closing.abort();
    this.#poster.close();
  }
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]?.trim().slice(0, 200) ?? '';
}
