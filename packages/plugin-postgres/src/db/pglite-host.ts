import { Worker } from 'node:worker_threads';
import { MonitorError } from '@ispmonitor/core';
import { PostgresErrors } from '../errors.js';
import { workerEntry } from './pglite-entry.js';
import type { WireError, WorkerNiced, WorkerReady, WorkerReply, WorkerRequest } from './pglite-protocol.js';
import type { PoolStats, QueryResult } from './types.js';

/**
 * Raised for calls pending or made after the PGlite worker thread stopped (a crash, or close),
 * and when it exits while opening: `PostgresErrors.DB_WORKER_GONE` (503).
 */
export class PgliteWorkerGoneError extends MonitorError {
  override readonly name: string = 'PgliteWorkerGoneError';
  constructor(message: string) {
    const spec = PostgresErrors.DB_WORKER_GONE;
    super(spec.code, message, { plugin: 'postgres', status: spec.status });
  }
}

/** A request without its id (the client numbers them). */
type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve(r: QueryResult<unknown>): void;
  reject(err: Error): void;
}

/** Rebuilds a worker's error with the same message and fields (`code`, `detail`, `constraint` …). */
export function fromWire(w: WireError): Error {
  const err = new Error(w.message) as Error & Record<string, unknown>;
  Object.assign(err, w.fields);
  if (!('name' in w.fields) && w.name !== 'Error') err.name = w.name;
  // The worker's frames say where PGlite failed; the caller's own frames are in its await chain.
  if (w.stack) err.stack = w.stack;
  return err;
}

/**
 * The main thread's end of the PGlite worker: numbered requests, replies matched by id. The
 * worker holds the process open only while calls are pending (like an in-process PGlite, an idle
 * one does not keep a finished CLI command alive). If the thread dies, every pending call and
 * every later one fails with a {@link PgliteWorkerGoneError} instead of taking the process down.
 */
export class PgliteWorkerClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 1;
  #nextTx = 1;
  #gone: Error | undefined;
  #closing = false;
  readonly #onGone: ((err: Error) => void) | undefined;
  /** What lowering the thread's priority gave (undefined when it was not asked for). */
  readonly niced: Omit<WorkerNiced, 'niced'> | undefined;

  private constructor(worker: Worker, onGone?: (err: Error) => void, niced?: WorkerNiced) {
    this.#worker = worker;
    this.#onGone = onGone;
    this.niced = niced && { nice: niced.nice, error: niced.error };
    worker.on('message', (m: WorkerReply) => this.#settle(m));
    worker.on('error', (err) => this.#die(`PGlite worker thread failed: ${err.message}`));
    worker.on('messageerror', (err) => this.#die(`PGlite worker sent an unreadable message: ${err.message}`));
    worker.on('exit', (code) => this.#die(`PGlite worker thread exited (code ${code})`));
  }

  /**
   * Starts the worker and waits until PGlite is open in it (or failed to open). `nice` (1–19)
   * lowers the thread's CPU priority below the poll loop's (see `PgliteDbOptions.nice`).
   */
  static async start(
    dataDir: string | undefined,
    onGone?: (err: Error) => void,
    nice?: number,
  ): Promise<PgliteWorkerClient> {
    const entry = workerEntry();
    const worker = new Worker(entry.url, { workerData: { pgliteUrl: entry.pgliteUrl, dataDir, nice } });
    let niced: WorkerNiced | undefined;
    const ready = await new Promise<WorkerReady>((resolve, reject) => {
      const onExit = (code: number) =>
        reject(new PgliteWorkerGoneError(`PGlite worker thread exited (code ${code}) while opening`));
      const onMessage = (m: WorkerReady | WorkerNiced) => {
        if ('niced' in m) {
          niced = m;
          return;
        }
        worker.off('error', reject);
        worker.off('exit', onExit);
        worker.off('message', onMessage);
        resolve(m);
      };
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.on('message', onMessage);
    }).catch(async (err: unknown) => {
      await worker.terminate();
      throw err;
    });
    if (!ready.ok) {
      await worker.terminate();
      throw fromWire(ready.error);
    }
    const client = new PgliteWorkerClient(worker, onGone, niced);
    worker.unref();
    return client;
  }

  /** Sends one request; `transfer` hands buffers over without a copy. */
  call<R>(req: Request, transfer?: ArrayBuffer[]): Promise<QueryResult<R>> {
    if (this.#gone) return Promise.reject(this.#gone);
    const id = this.#next++;
    return new Promise<QueryResult<R>>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as Pending['resolve'], reject });
      if (this.#pending.size === 1) this.#worker.ref();
      try {
        this.#worker.postMessage({ ...req, id }, transfer);
      } catch (err) {
        // A parameter that cannot cross the boundary (a function, a symbol …): this call fails alone.
        this.#pending.delete(id);
        if (this.#pending.size === 0) this.#worker.unref();
        reject(err as Error);
      }
    });
  }

  /** A fresh transaction id. */
  txId(): number {
    return this.#nextTx++;
  }

  /** One connection, busy while calls are pending. */
  stats(): PoolStats {
    const busy = this.#pending.size;
    return { total: 1, idle: busy === 0 ? 1 : 0, waiting: Math.max(0, busy - 1) };
  }

  /** Whether the thread is gone, and why. */
  get gone(): Error | undefined {
    return this.#gone;
  }

  /** The thread itself (tests stop it to play a crash). */
  get thread(): Worker {
    return this.#worker;
  }

  /** Closes PGlite in the worker and waits for the thread to end. */
  async close(): Promise<void> {
    if (this.#gone) return;
    // Set first: the thread's normal exit after `close` must not read as a crash.
    this.#closing = true;
    try {
      await this.call({ op: 'close' });
    } finally {
      this.#die('PGlite is closed');
      await this.#worker.terminate();
    }
  }

  #settle(m: WorkerReply): void {
    const p = this.#pending.get(m.id);
    if (!p) return;
    this.#pending.delete(m.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (m.ok) p.resolve({ rows: m.rows, rowCount: m.rowCount });
    else p.reject(fromWire(m.error));
  }

  #die(message: string): void {
    if (this.#gone) return;
    const err = new PgliteWorkerGoneError(
      this.#closing ? message : `${message}: the embedded database is unavailable until the monitor restarts`,
    );
    this.#gone = err;
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    this.#worker.unref();
    if (!this.#closing) this.#onGone?.(err);
  }
}
