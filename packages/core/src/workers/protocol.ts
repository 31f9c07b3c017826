/**
 * Messages between the poller's main thread and its worker threads. Poll requests and outcomes
 * travel in batches, each batch one transferable buffer (see `codec.ts`); the rest are small.
 */
import type { ResolvedOverloadOptions } from '../load/options.js';
import type { PollOutcome } from '../scheduler/run-poll.js';
import type { Device, DriverWorkerEntry } from '../types.js';

/** `workerData` of a worker: which drivers to build and how to poll. */
export interface WorkerInit {
  /** The worker's number (0 … workers-1), for its logs. */
  index: number;
  drivers: Array<DriverWorkerEntry & { kind: string }>;
  timeoutMs: number;
  retries: number;
  overload: ResolvedOverloadOptions;
}

/** One poll asked of a worker. `device` is sent when the worker has not seen this definition yet. */
export interface PollRequest {
  seq: number;
  id: string;
  device?: Device;
}

/** A batch of requests (the decoded content of a `polls` message). */
export interface RequestBatch {
  polls: PollRequest[];
  /** Devices removed: the worker drops their definitions. */
  forget?: string[];
}

/** A batch of outcomes: `[seq, outcome]` pairs (binary on the way, see `encodeOutcomes`). */
export type OutcomeBatch = Array<[number, PollOutcome]>;

/** Main thread → worker. */
export type ToWorker = { type: 'polls'; buf: ArrayBuffer } | { type: 'stop' };

/** Worker → main thread. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'done'; buf: ArrayBuffer }
  | { type: 'beat'; lagMs: number }
  | {
      type: 'log';
      level: 'debug' | 'info' | 'warn' | 'error';
      msg: string;
      fields?: Record<string, unknown>;
    };
