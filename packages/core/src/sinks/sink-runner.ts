import type { Bus } from '../bus.js';
import { sleep } from '../clock.js';
import { describeError } from '../errors.js';
import type { SelfMetrics } from '../metrics/self.js';
import type { Clock, Logger, Sample, Sink } from '../types.js';

/** Sink buffer settings, in samples and milliseconds. */
export interface SinkRunnerOptions {
  bufferLimit: number;
  /** A write starts once this many wait. */
  batchSize: number;
  /** A write takes what waits, up to this many. */
  maxBatchSize: number;
  flushIntervalMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
}

/**
 * Feeds one sink: a bounded buffer, writes that start at `batchSize` waiting samples and take up
 * to `maxBatchSize` (so a sink that fell behind catches up in fewer, larger writes), one write at
 * a time, and retries with exponential backoff and full jitter. `enqueue` never waits, so a slow
 * or failing sink never holds up polling or other sinks; what does not fit is dropped and
 * counted exactly.
 */
export class SinkRunner {
  readonly #chunks: Sample[][] = [];
  #size = 0;
  #writing = false;
  #closed = false;
  #failures = 0;
  #lastError: { code: string; message: string; at: number } | undefined;
  #timer: unknown;
  /** Aborted at the close deadline: no more retries. */
  readonly #stop = new AbortController();
  /** The backoff sleep under way, if any: `close` cuts it short to retry at once. */
  #nap: AbortController | undefined;
  #loop: Promise<void> | undefined;

  constructor(
    readonly sink: Sink,
    private readonly options: SinkRunnerOptions,
    private readonly clock: Clock,
    private readonly metrics: SelfMetrics,
    private readonly bus: Bus,
    private readonly logger: Logger,
  ) {
    metrics.sinkBufferLimit.set({ sink: sink.name }, options.bufferLimit);
    metrics.sinkBuffer.set({ sink: sink.name }, 0);
  }

  /** Samples waiting. */
  get size(): number {
    return this.#size;
  }

  /** Consecutive failed writes, and the last error: for health checks. */
  get health(): { failures: number; lastError?: { code: string; message: string; at: number } } {
    return { failures: this.#failures, lastError: this.#lastError };
  }

  /** Buffers samples; returns how many were dropped because the buffer was full. */
  enqueue(samples: Sample[]): number {
    if (samples.length === 0) return 0;
    const room = this.#closed ? 0 : this.options.bufferLimit - this.#size;
    const accepted = room >= samples.length ? samples : samples.slice(0, Math.max(0, room));
    const dropped = samples.length - accepted.length;
    if (dropped > 0) {
      this.metrics.samplesDropped.inc(
        { sink: this.sink.name, reason: this.#closed ? 'closed' : 'overflow' },
        dropped,
      );
    }
    if (accepted.length > 0) {
      this.#chunks.push(accepted);
      this.#size += accepted.length;
      this.metrics.sinkBuffer.set({ sink: this.sink.name }, this.#size);
      this.#schedule();
    }
    return dropped;
  }

  #schedule(): void {
    if (this.#writing) return;
    if (this.#size >= this.options.batchSize) {
      this.#startWriting();
      return;
    }
    if (this.#timer === undefined) {
      this.#timer = this.clock.setTimeout(() => {
        this.#timer = undefined;
        this.#startWriting();
      }, this.options.flushIntervalMs);
    }
  }

  #startWriting(): void {
    if (this.#writing || this.#size === 0) return;
    if (this.#timer !== undefined) {
      this.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#writing = true;
    this.#loop = this.#writeAll().finally(() => {
      this.#writing = false;
      if (this.#size > 0 && !this.#closed) this.#schedule();
    });
  }

  /** Writes batches until the buffer is empty, retrying each failed batch with backoff. */
  async #writeAll(): Promise<void> {
    while (this.#size > 0) {
      const batch = this.#peekBatch();
      try {
        await this.sink.write(batch);
        this.#shift(batch.length);
        this.metrics.samplesWritten.inc({ sink: this.sink.name }, batch.length);
        this.#failures = 0;
      } catch (err) {
        this.#failures++;
        const error = describeError(err);
        this.#lastError = { ...error, at: this.clock.now() };
        this.metrics.sinkWriteFailures.inc({ sink: this.sink.name });
        this.bus.emit('sink:error', { sink: this.sink.name, error, batchSize: batch.length });
        if (this.#failures === 1 || this.#failures % 10 === 0) {
          this.logger.warn('sink write failed; will retry', {
            sink: this.sink.name,
            failures: this.#failures,
            error,
          });
        }
        if (this.#stop.signal.aborted) return;
        // Closing: retry soon, within the deadline (the outage may be over), not in 30 s.
        const wait = this.#closed ? Math.min(this.#backoff(), this.options.minBackoffMs) : this.#backoff();
        this.#nap = new AbortController();
        await sleep(this.clock, wait, this.#nap.signal);
        this.#nap = undefined;
        if (this.#stop.signal.aborted) return;
      }
    }
  }

  #backoff(): number {
    const ceiling = Math.min(
      this.options.maxBackoffMs,
      this.options.minBackoffMs * 2 ** (this.#failures - 1),
    );
    // Full jitter keeps many monitors from retrying against one database in step.
    return this.options.minBackoffMs / 2 + Math.random() * (ceiling - this.options.minBackoffMs / 2);
  }

  #peekBatch(): Sample[] {
    const max = this.options.maxBatchSize;
    const first = this.#chunks[0] as Sample[];
    if (first.length >= max) return first.slice(0, max);
    const batch: Sample[] = [];
    for (const chunk of this.#chunks) {
      const need = max - batch.length;
      if (need <= 0) break;
      for (let i = 0; i < chunk.length && i < need; i++) batch.push(chunk[i] as Sample);
    }
    return batch;
  }

  #shift(count: number): void {
    let rest = count;
    while (rest > 0) {
      const first = this.#chunks[0] as Sample[];
      if (first.length <= rest) {
        this.#chunks.shift();
        rest -= first.length;
      } else {
        this.#chunks[0] = first.slice(rest);
        rest = 0;
      }
    }
    this.#size -= count;
    this.metrics.sinkBuffer.set({ sink: this.sink.name }, this.#size);
  }

  /**
   * Writes what is buffered, waiting at most `deadlineMs`; then stops. A sink sleeping in
   * backoff is retried at once (and then every `minBackoff`), so a database that came back while
   * it slept gets the buffer. Samples still buffered at the deadline are counted as dropped
   * (reason `shutdown`). Never throws.
   */
  async close(deadlineMs: number): Promise<void> {
    this.#closed = true;
    this.#nap?.abort();
    this.#startWriting();
    const deadline = new AbortController();
    const flushed = (async () => {
      await this.#loop;
      try {
        await this.sink.flush?.();
      } catch (err) {
        this.logger.warn('sink flush failed', { sink: this.sink.name, error: describeError(err) });
      }
    })();
    await Promise.race([flushed, sleep(this.clock, deadlineMs, deadline.signal)]);
    deadline.abort();
    this.#stop.abort();
    this.#nap?.abort();
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    if (this.#size > 0) {
      this.metrics.samplesDropped.inc({ sink: this.sink.name, reason: 'shutdown' }, this.#size);
      this.logger.error('sink closed with samples unwritten', { sink: this.sink.name, samples: this.#size });
    }
    try {
      await this.sink.close?.();
    } catch (err) {
      this.logger.warn('sink close failed', { sink: this.sink.name, error: describeError(err) });
    }
  }
}
