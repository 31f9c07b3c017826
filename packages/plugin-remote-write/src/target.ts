import { type Clock, describeError, type Logger, type Sample, type Sink, sleep } from '@ispmonitor/core';
import { compressSync } from 'snappy';
import { HttpPoster } from './http.js';
import type { RemoteWriteMetrics } from './metrics.js';
import { type RemoteWriteOptions, type RemoteWriteTarget, targetName } from './options.js';
import { RequestBuffer } from './request.js';
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

/** One request of a write: its samples compressed (undefined when they could not be encoded). */
interface Request {
  body: Buffer | undefined;
  readonly count: number;
  /** The newest timestamp in it (ms). */
  readonly newest: number;
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
  /** A request buffer per shard, kept from write to write: `#encode` fills and compresses them without awaiting. */
  readonly #buffers: RequestBuffer[] = [];
  /** This target's children of the per-request metrics: no label lookup per request. */
  readonly #m;

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
    const target = { target: this.target };
    this.#m = {
      pending: metrics.pending.labels(target),
      sent: metrics.sent.labels(target),
      bytes: metrics.bytes.labels(target),
      duration: metrics.duration.labels(target),
    };
    metrics.shards.set(target, options.shards);
    this.#m.pending.set(0);
  }

  async write(batch: Sample[]): Promise<void> {
    const shards = this.#encode(batch);
    let left = 0;
    for (const shard of shards) for (const request of shard) left += request.count;
    const pending = this.#m.pending;
    pending.inc(left);
    let unsent = 0;
    await Promise.all(
      shards.map(async (requests) => {
        for (const request of requests) {
          if (unsent > 0 || !(await this.#send(request))) unsent += request.count;
          pending.dec(request.count);
        }
      }),
    );
    if (unsent > 0)
      throw new Error(`remote write to ${this.target} stopped with ${unsent} samples unsent (closing)`);
  }

  /**
   * The batch as compressed requests by shard (a series' hash picks its shard), in batch order: a
   * series polled twice in one batch keeps its time order. One pass, nothing allocated per sample:
   * each sample's series head, value and timestamp go straight into its shard's request buffer,
   * compressed when full. Samples older than `spool.maxAge` or without a valid timestamp are left
   * out and counted.
   */
  #encode(batch: Sample[]): Request[][] {
    // No more shards than full requests: a 5,000-sample write at 2,000 a request goes out as 3
    // requests, not 4 of 1,250 (each request costs its HTTP round and snappy call). A series still
    // lands in one shard per write, and writes come one at a time, so its samples stay in order.
    const { shards: most, maxSamplesPerSend: max } = this.options;
    const count = Math.max(1, Math.min(most, Math.ceil(batch.length / max)));
    const buffers = this.#buffers;
    while (buffers.length < count) buffers.push(new RequestBuffer(max));
    const shards: Request[][] = Array.from({ length: count }, () => []);
    const now = this.clock.now();
    const oldest = now - this.options.spool.maxAge;
    const cache = this.#cache;
    cache.sweep(now);
    let tooOld = 0;
    let invalid = 0;
    let unencodable = 0;
    let encodeError: unknown;
    // Empty, even after a write that threw half-way.
    for (const buffer of buffers) buffer.reset();
    for (const sample of batch) {
      const ts = sample.ts;
      if (!Number.isFinite(ts)) {
        // No receiver takes it, and one such sample would have the whole request refused.
        invalid++;
        continue;
      }
      if (ts < oldest) {
        tooOld++;
        continue;
      }
      const value = sample.value;
      let buffer: RequestBuffer;
      let k: number;
      try {
        const series = cache.get(sample.name, sample.labels, now);
        k = series.hash % count;
        buffer = buffers[k] as RequestBuffer;
        // float64 is what remote write carries: a bigint counter beyond 2^53 is rounded here.
        buffer.append(series, typeof value === 'number' ? value : Number(value), Math.round(ts));
      } catch (err) {
        // A label no text can be made of, say: this sample alone is dropped (append writes nothing
        // until its bytes are whole). Rejecting the batch would have it retried forever.
        unencodable++;
        encodeError ??= err;
        continue;
      }
      if (buffer.count >= max) (shards[k] as Request[]).push(this.#seal(buffer));
    }
    for (let k = 0; k < count; k++) {
      const buffer = buffers[k] as RequestBuffer;
      if (buffer.count > 0) (shards[k] as Request[]).push(this.#seal(buffer));
    }
    if (unencodable > 0) this.#encodeFailed(unencodable, encodeError);
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

  /** A full request compressed (the buffer emptied for the next one). */
  #seal(buffer: RequestBuffer): Request {
    const request: Request = { body: undefined, count: buffer.count, newest: buffer.newest };
    try {
      request.body = compressSync(buffer.bytes());
    } catch (err) {
      // Not retried: the same samples would fail the same way and hold up every later batch.
      this.#encodeFailed(request.count, err);
    }
    buffer.reset();
    return request;
  }

  #encodeFailed(samples: number, err: unknown): void {
    this.metrics.failed.inc({ target: this.target, reason: 'encode' }, samples);
    this.#logOnce('encode', 'remote write: samples could not be encoded (dropped)', {
      error: describeError(err).message,
      samples,
    });
  }

  /** Sends one request until it is accepted or refused (true), or the sink closes (false). */
  async #send(request: Request): Promise<boolean> {
    const { body, count } = request;
    // Could not be encoded: counted and logged when sealed.
    if (body === undefined) return true;
    const target = this.target;
    let attempt = 0;
    for (;;) {
      if (this.#closing.signal.aborted) return false;
      let retryAfter: number | undefined;
      let error: string;
      const stopTimer = this.#m.duration.startTimer();
      try {
        // No signal: `close` ends the requests under way.
        const res = await this.#poster.post(body, this.#headers);
        stopTimer();
        this.#m.bytes.inc(body.byteLength);
        if (res.status >= 200 && res.status < 300) {
          this.#m.sent.inc(count);
          this.#noteSent(request.newest);
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

  #noteSent(newest: number): void {
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
