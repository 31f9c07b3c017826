import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Bus } from '../bus.js';
import { sleep } from '../clock.js';
import { describeError } from '../errors.js';
import type { SelfMetrics } from '../metrics/self.js';
import type { Clock, Logger, Sample, Sink } from '../types.js';
import { SampleSpool } from './spool.js';
import { registerSpoolMetrics } from './spool-metrics.js';

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
  /**
   * An on-disk spool for the samples the buffer has no room for (a folder per sink under `dir`),
   * replayed once the sink keeps up again and at the next start. Absent: they are dropped.
   */
  spool?: { dir: string; maxBytes: number };
}

/** A sink's name as a folder name. */
const folderOf = (name: string) => name.replace(/[^A-Za-z0-9_.-]/g, '_');

/**
 * Feeds one sink: a bounded buffer, writes that start at `batchSize` waiting samples and take up
 * to `maxBatchSize` (so a sink that fell behind catches up in fewer, larger writes), one write at
 * a time, and retries with exponential backoff and full jitter. `enqueue` never waits, so a slow
 * or failing sink never holds up polling or other sinks. What does not fit goes to the on-disk
 * spool when one is configured (written back oldest first whenever the buffer is empty, so the
 * freshest samples are never queued behind an old backlog), else it is dropped and counted exactly.
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
  #spool: SampleSpool | undefined;
  /** Opening the spool: at start when a previous run left batches, else at the first overflow. */
  #spoolOpened: Promise<void> | undefined;
  /** The last spool append queued: close waits for it. */
  #spooling: Promise<void> = Promise.resolve();
  /** Whether samples are being dropped for want of spool room (logged once per episode). */
  #spoolFull = false;
  /** How many times close moved the buffer to the spool: a write begun before must not shift it. */
  #spills = 0;

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
    if (options.spool) {
      const spool = options.spool;
      registerSpoolMetrics(
        metrics.registry,
        sink.name,
        { bytes: () => this.#spool?.bytes ?? 0, oldestAt: () => this.#spool?.oldestAt },
        () => clock.now(),
      );
      const dir = join(spool.dir, folderOf(sink.name));
      // Nothing is created on disk until something must be spooled: most runs never need it.
      if (existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.spool'))) this.#ensureSpool();
    }
  }

  #ensureSpool(): Promise<void> {
    const o = this.options.spool;
    if (!o) return Promise.resolve();
    this.#spoolOpened ??= this.#openSpool(join(o.dir, folderOf(this.sink.name)), o.maxBytes);
    return this.#spoolOpened;
  }

  async #openSpool(dir: string, maxBytes: number): Promise<void> {
    try {
      this.#spool = await SampleSpool.open(dir, maxBytes, (bytes, file) =>
        this.logger.warn('sink spool: a damaged record and what follows it were skipped', {
          sink: this.sink.name,
          file,
          bytes,
        }),
      );
      if (!this.#spool.empty) {
        this.logger.info('sink spool: writing back samples spooled before', {
          sink: this.sink.name,
          bytes: this.#spool.bytes,
        });
        this.#startWriting();
      }
    } catch (err) {
      this.logger.error('sink spool unavailable: samples beyond the buffer will be dropped', {
        sink: this.sink.name,
        dir,
        error: describeError(err),
      });
    }
  }

  /** Whether spooled samples wait and may be written back now. */
  #replayable(): boolean {
    return !this.#closed && this.#spool !== undefined && !this.#spool.empty;
  }

  /**
   * Appends to the spool in the background, in order; counts what it cannot take as dropped.
   * Records hold at most `maxBatchSize` samples: replay hands each record to the sink as one
   * write, so a whole buffer spooled as one record (at stop) would come back as one huge write
   * and one huge parse, holding the event loop for seconds.
   */
  #toSpool(samples: Sample[]): Promise<void> {
    const at = this.clock.now();
    const size = this.options.maxBatchSize;
    let stored = 0;
    const run = async () => {
      await this.#ensureSpool();
      let reason = 'overflow';
      if (this.#spool) {
        try {
          for (; stored < samples.length; ) {
            const piece = samples.length <= size ? samples : samples.slice(stored, stored + size);
            if (!(await this.#spool.append(piece, at))) break;
            stored += piece.length;
          }
          if (stored === samples.length) {
            if (this.#spoolFull)
              this.logger.info('sink spool: taking samples again', { sink: this.sink.name });
            this.#spoolFull = false;
            if (!this.#closed) this.#schedule();
            return;
          }
          reason = 'spool_full';
        } catch (err) {
          reason = 'spool_error';
          if (!this.#spoolFull) {
            this.logger.error('sink spool write failed', { sink: this.sink.name, error: describeError(err) });
          }
        }
      }
      if (!this.#spoolFull && reason === 'spool_full') {
        this.logger.error('sink spool full: samples are dropped until the sink catches up', {
          sink: this.sink.name,
          maxBytes: this.#spool?.maxBytes,
        });
      }
      this.#spoolFull = true;
      this.metrics.samplesDropped.inc({ sink: this.sink.name, reason }, samples.length - stored);
      if (stored > 0 && !this.#closed) this.#schedule();
    };
    // Never a rejected link: one failure must not stop every later append.
    this.#spooling = this.#spooling.then(run).catch((err: unknown) => {
      this.metrics.samplesDropped.inc(
        { sink: this.sink.name, reason: 'spool_error' },
        samples.length - stored,
      );
      this.logger.error('sink spool append failed', { sink: this.sink.name, error: describeError(err) });
    });
    return this.#spooling;
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
    let dropped = samples.length - accepted.length;
    if (dropped > 0 && this.options.spool && !this.#closed) {
      void this.#toSpool(samples.slice(accepted.length));
      dropped = 0;
    }
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
    // Spooled samples alone wait for the timer too: a spool that cannot be read is retried at
    // that pace, not in a tight loop.
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
    if (this.#writing || (this.#size === 0 && !this.#replayable())) return;
    if (this.#timer !== undefined) {
      this.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#writing = true;
    this.#loop = this.#writeAll().finally(() => {
      this.#writing = false;
      if ((this.#size > 0 || this.#replayable()) && !this.#closed) this.#schedule();
    });
  }

  /**
   * Writes batches until the buffer is empty, then spooled batches (oldest first) while the buffer
   * stays empty, retrying each failed batch with backoff.
   */
  async #writeAll(): Promise<void> {
    for (;;) {
      let batch: Sample[];
      let ack: (() => Promise<void>) | undefined;
      const spills = this.#spills;
      if (this.#size > 0) batch = this.#peekBatch();
      else {
        // At close the spool is left for the next start: the deadline is for the buffer.
        if (!this.#replayable()) return;
        const spooled = await (this.#spool as SampleSpool).next().catch((err: unknown) => {
          this.logger.error('sink spool read failed', { sink: this.sink.name, error: describeError(err) });
          return undefined;
        });
        if (!spooled) return;
        batch = spooled.samples;
        ack = spooled.ack;
      }
      try {
        await this.sink.write(batch);
        if (ack) await ack();
        // The buffer went to the spool at close while this write ran: nothing left to shift (the
        // batch is in the spool too, and stored once when replayed).
        else if (spills === this.#spills) this.#shift(batch.length);
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
    if (this.#size > 0 && this.options.spool) {
      // Kept for the next start instead of dropped (what the spool cannot take is counted).
      const left = this.#chunks.flat();
      this.#shift(this.#size);
      this.#spills++;
      await this.#toSpool(left);
    }
    if (this.#size > 0) {
      this.metrics.samplesDropped.inc({ sink: this.sink.name, reason: 'shutdown' }, this.#size);
      this.logger.error('sink closed with samples unwritten', { sink: this.sink.name, samples: this.#size });
    }
    await this.#spooling;
    await this.#spool?.close().catch(() => {});
    try {
      await this.sink.close?.();
    } catch (err) {
      this.logger.warn('sink close failed', { sink: this.sink.name, error: describeError(err) });
    }
  }
}
