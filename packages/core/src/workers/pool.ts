/**
 * The main thread's side of `poller.workers`: N worker threads, each owning a stable share of the
 * devices (`shard.ts`). The scheduler stays here and asks for one poll at a time; requests are
 * gathered per tick and sent as one buffer, outcomes come back the same way. A worker that dies
 * (an exception, an exit, or silence past the watchdog) is logged, counted and started again at
 * once; the polls it held end as `skipped` (reason `worker`: they say nothing about the devices)
 * and its devices are polled by the new worker at their next slot — within one interval. The
 * other workers are not touched.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ResolvedOverloadOptions } from '../load/options.js';
import type { PollOutcome } from '../scheduler/run-poll.js';
import type { Device, Driver, Logger } from '../types.js';
import { decodeOutcomes, encodeJson } from './codec.js';
import type { FromWorker, OutcomeBatch, PollRequest, RequestBatch, WorkerInit } from './protocol.js';
import { workerOf } from './shard.js';

/** Options of the pool. */
export interface WorkerPoolOptions {
  workers: number;
  /** Drivers that opted in, by kind. */
  drivers: Map<string, Driver>;
  timeoutMs: number;
  retries: number;
  overload: ResolvedOverloadOptions;
  logger: Logger;
  registry: Registry;
  /** A worker's event-loop lag (largest since its last heartbeat, ms), about once a second. */
  onLag?: (worker: number, lagMs: number) => void;
}

interface Slot {
  index: number;
  worker?: Worker;
  ready: boolean;
  /** Polls in flight (see `Pending`). */
  pending: Pending;
  /** The device definition this worker last received, per id. */
  sent: Map<string, Device>;
  queue: PollRequest[];
  forget: string[];
  flushQueued: boolean;
  lastHeard: number;
  crashes: number[];
  stopping: boolean;
}

/**
 * How far V8 lets an isolate's old generation grow past what its last full GC left alive
 * (`--heap-growing-percent`: 100 = up to twice the live size). V8's own factor (1.1× to 4×, by GC
 * speed against allocation rate) sat near the top for a poller, which allocates fast: in the fleet
 * benchmark (10,000 routers, two workers, 6 Dec 2026) the isolates kept ~110 MB of heap each for
 * ~60 MB live. Quiet pair (01:30–01:37 UTC, load 1): RSS growth 55.2 → 41.0 KB a router, poller
 * 0.350 → 0.332 cores (CPU per poll done 2.05 → 1.95 ms: no cost beyond noise); loaded pair
 * (load 8): 73 → 45 KB, 0.362 → 0.371 cores. Each major GC marks about the live size, so
 * their CPU a second is allocation rate ÷ this share, whatever the fleet's size.
 */
export const HEAP_GROWING_PERCENT = 100;

/**
 * Allocation-site pretenuring off (`--no-allocation-site-pretenuring`). V8 watches, per place in
 * the code that makes objects, how many of them survive a scavenge; past ~85 % it makes that code
 * allocate straight in the old generation from then on. A poller's first interval polls every
 * device at once, so poll state (SNMP decoding, samples) outlives scavenges then and its sites get
 * tenured for good: in steady state each worker's polls fill the old generation with garbage that
 * lived ~250 ms, and it pays a full GC every 3 s. Fleet benchmark, 10,000 routers, two workers,
 * 6 Dec 2026 (03:38–03:45 UTC, load 5–7): scavenge survival in the workers 40 % → 6–8 %, full GCs
 * 21–22 → 3 a minute each, CPU per poll done 2.90 → 2.43 ms, RSS unchanged. One loop gains little
 * (its heap is larger: 7 → 2 full GCs a minute at the same CPU).
 */
const WORKER_V8_FLAGS = [
  `--heap-growing-percent=${HEAP_GROWING_PERCENT}`,
  '--no-allocation-site-pretenuring',
];

/**
 * Which of `WORKER_V8_FLAGS` to set, given the process's command line and NODE_OPTIONS: each one
 * the operator did not give (in either sense, `-` or `_`) — theirs wins.
 */
export function workerV8Flags(given: string): string[] {
  const said = given.replace(/_/g, '-');
  return WORKER_V8_FLAGS.filter((flag) => {
    const name = flag.replace(/^--(no-)?/, '').replace(/=.*/, '');
    return !new RegExp(`--(no-)?${name}(?![\\w-])`).test(said);
  });
}

/**
 * Sets `workerV8Flags` for every isolate of the process (V8 reads them at each GC and allocation,
 * on the main thread and on workers made afterwards). Process-wide on purpose: the main thread
 * decodes every sample and behaves alike.
 */
function tuneV8(): void {
  for (const flag of workerV8Flags([...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ')))
    setFlagsFromString(flag);
}

/** Silence (no batch, no heartbeat) past this, with polls outstanding, ends a worker. */
const WATCHDOG_EXTRA_MS = 10_000;

/**
 * A module URL a worker can import: under a test runner that runs TypeScript sources, a `src/…ts`
 * (or missing `src/…js`) URL is mapped to the package's built `dist/…js`.
 */
export function runnableModule(url: string): string {
  if (!url.startsWith('file:')) return url;
  const path = fileURLToPath(url);
  if (existsSync(path) && !path.endsWith('.ts')) return url;
  const built = path.replace(/([\\/])src([\\/])(?!.*[\\/]src[\\/])/, '$1dist$2').replace(/\.ts$/, '.js');
  return pathToFileURL(built).href;
}

/** N poller worker threads and the polls in flight on them. */
export class WorkerPool {
  readonly #slots: Slot[] = [];
  readonly #crashes: Counter;
  readonly #script: URL;
  readonly #init: Omit<WorkerInit, 'index'>;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #stopped = false;

  constructor(private readonly options: WorkerPoolOptions) {
    this.#script = new URL(runnableModule(new URL('./worker-main.js', import.meta.url).href));
    this.#init = {
      drivers: [...options.drivers.values()].map((d) => ({
        kind: d.kind,
        ...(d.worker as NonNullable<Driver['worker']>),
        module: runnableModule((d.worker as NonNullable<Driver['worker']>).module),
      })),
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      overload: options.overload,
    };
    this.#crashes = new Counter({
      name: 'ispmonitor_poller_worker_crashes_total',
      help: 'Poller worker threads that died (exception, exit or watchdog) and were started again',
      labelNames: ['worker'],
      registers: [options.registry],
    });
    const slots = this.#slots;
    new Gauge({
      name: 'ispmonitor_poller_workers',
      help: 'Poller worker threads running and ready',
      registers: [options.registry],
      collect() {
        this.set(slots.filter((s) => s.ready).length);
      },
    });
    for (let i = 0; i < options.workers; i++) {
      this.#slots.push({
        index: i,
        ready: false,
        pending: new Pending(),
        sent: new Map(),
        queue: [],
        forget: [],
        flushQueued: false,
        lastHeard: Date.now(),
        crashes: [],
        stopping: false,
      });
    }
  }

  /** Whether a driver's devices go to the workers. */
  runs(driver: Driver): boolean {
    return this.options.drivers.has(driver.kind);
  }

  /** Thread ids of the workers, by worker number (for profiling). */
  threadIds(): number[] {
    return this.#slots.map((s) => s.worker?.threadId ?? -1);
  }

  /** The worker that owns a device. */
  workerOf(deviceId: string): number {
    return workerOf(deviceId, this.#slots.length);
  }

  /** Starts every worker and resolves once all are ready; rejects when one cannot start. */
  async start(): Promise<void> {
    tuneV8();
    await Promise.all(this.#slots.map((s) => this.#spawn(s)));
    const silence = this.options.timeoutMs * this.options.overload.maxStretch * (this.options.retries + 2);
    this.#watchdog = setInterval(() => this.#checkSilence(silence + WATCHDOG_EXTRA_MS), 1_000);
    this.#watchdog.unref();
  }

  /** Polls a device on its worker. Never rejects: a dead worker's polls end as skipped. */
  poll(device: Device): Promise<PollOutcome> {
    const slot = this.#slots[this.workerOf(device.id)] as Slot;
    if (this.#stopped || !slot.ready) return Promise.resolve(skippedBy(slot, 'is restarting'));
    return new Promise((resolve) => {
      const request: PollRequest = { seq: slot.pending.add(resolve), id: device.id };
      if (slot.sent.get(device.id) !== device) {
        request.device = device;
        slot.sent.set(device.id, device);
      }
      slot.queue.push(request);
      this.#queueFlush(slot);
    });
  }

  /** A device was removed: its worker drops what it knows of it. */
  forget(deviceId: string): void {
    const slot = this.#slots[this.workerOf(deviceId)] as Slot;
    if (!slot.sent.delete(deviceId)) return;
    slot.forget.push(deviceId);
    this.#queueFlush(slot);
  }

  /** Stops the workers after their polls in flight; terminates one that does not end in time. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#watchdog) clearInterval(this.#watchdog);
    await Promise.all(
      this.#slots.map(async (slot) => {
        const w = slot.worker;
        slot.stopping = true;
        if (!w) return;
        const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
        w.postMessage({ type: 'stop' });
        const timer = setTimeout(() => void w.terminate(), 10_000);
        await exited;
        clearTimeout(timer);
        this.#endPending(slot, 'stopped');
      }),
    );
  }

  #queueFlush(slot: Slot): void {
    if (slot.flushQueued) return;
    slot.flushQueued = true;
    // Everything the scheduler starts in one tick shares one message.
    setImmediate(() => {
      slot.flushQueued = false;
      if (!slot.worker || !slot.ready || (slot.queue.length === 0 && slot.forget.length === 0)) return;
      const batch: RequestBatch = { polls: slot.queue };
      if (slot.forget.length > 0) batch.forget = slot.forget;
      slot.queue = [];
      slot.forget = [];
      const buf = encodeJson(batch);
      slot.worker.postMessage({ type: 'polls', buf }, [buf]);
    });
  }

  #spawn(slot: Slot): Promise<void> {
    // V8's own young generation (48 MB: 16 MB semi-spaces). Measured, not set: 96 MB
    // (`resourceLimits.maxYoungGenerationSizeMb`) at 30,000 routers halved scavenges (491 → 245 a
    // minute a worker) and full GCs (27 → 16), CPU per poll done 2.29 → 2.00 ms in one pair
    // (6 Dec 2026 04:30–04:35 UTC, load 6) and 2.52 → 2.84 ms in another (a starved run), for
    // +1.8 KB RSS a router (14.1 → 15.9, past issue 19's 15); 192 MB: no CPU gain, +6 KB.
    const worker = new Worker(this.#script, {
      workerData: { ...this.#init, index: slot.index } satisfies WorkerInit,
    });
    slot.worker = worker;
    slot.ready = false;
    slot.sent.clear();
    slot.lastHeard = Date.now();
    const log = this.options.logger.child({ component: 'poller-worker', worker: slot.index });
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (m: FromWorker) => {
        slot.lastHeard = Date.now();
        if (m.type === 'done') this.#settle(slot, decodeOutcomes(m.buf));
        else if (m.type === 'log') log[m.level](m.msg, m.fields);
        else if (m.type === 'beat') this.options.onLag?.(slot.index, m.lagMs);
        else if (m.type === 'ready') {
          slot.ready = true;
          started = true;
          resolve();
          if (slot.queue.length > 0) this.#queueFlush(slot);
        }
      });
      let error: unknown;
      worker.on('error', (err) => {
        error = err;
      });
      worker.once('exit', (code) => {
        if (slot.worker !== worker) return;
        slot.ready = false;
        slot.worker = undefined;
        if (slot.stopping || this.#stopped) return;
        const why = error instanceof Error ? error.message : `exit code ${code}`;
        if (!started) {
          reject(new Error(`poller worker ${slot.index} could not start: ${why}`));
          return;
        }
        this.#crashed(slot, why);
      });
    });
  }

  #crashed(slot: Slot, why: string): void {
    this.#crashes.inc({ worker: String(slot.index) });
    this.options.logger.error('poller worker died; starting it again', {
      worker: slot.index,
      error: why,
      pollsLost: slot.pending.size,
    });
    this.#endPending(slot, `crashed (${why})`);
    // A worker that keeps dying waits longer between starts: 0 s, then 1 s, up to 30 s.
    const now = Date.now();
    slot.crashes = slot.crashes.filter((t) => now - t < 60_000);
    slot.crashes.push(now);
    const delay = Math.min(30_000, slot.crashes.length <= 1 ? 0 : 1000 * 2 ** (slot.crashes.length - 2));
    setTimeout(() => {
      if (this.#stopped) return;
      this.#spawn(slot).catch((err: unknown) => this.#crashed(slot, (err as Error).message));
    }, delay).unref();
  }

  #checkSilence(limitMs: number): void {
    const now = Date.now();
    for (const slot of this.#slots) {
      const w = slot.worker;
      if (!w || !slot.ready || now - slot.lastHeard < limitMs) continue;
      // Alive but silent: its loop is stuck. Ending it makes 'exit' restart it.
      this.options.logger.error('poller worker stopped answering; ending it', {
        worker: slot.index,
        silentMs: now - slot.lastHeard,
      });
      void w.terminate();
    }
  }

  #settle(slot: Slot, batch: OutcomeBatch): void {
    for (const [seq, outcome] of batch) {
      slot.pending.take(seq)?.(outcome);
    }
  }

  #endPending(slot: Slot, why: string): void {
    const pending = slot.pending.takeAll();
    slot.queue = [];
    for (const resolve of pending) resolve(skippedBy(slot, why));
  }
}

/**
 * The polls in flight on one worker: their resolve functions in a dense array whose places are
 * reused (a free list) and which never shrinks; a poll's `seq` is its place and the place's use
 * count. Not a Map: a Map replaces its table as it grows and shrinks, and a replaced table that
 * had been promoted to V8's old generation is garbage that a scavenge cannot see as such — what it
 * still points at (resolve functions, their promises, once settled the outcomes with all their
 * samples, and the table that replaced it) survives every scavenge, and is promoted, until the
 * next full GC. Once the live table was itself promoted (a burst of polls, or V8 shrinking the
 * young generation in a memory-reducing GC) this went on for good. Fleet benchmark, 3,000
 * routers, two workers, main thread (6 Dec 2026, 06:34–07:25 UTC): with the Map, 4–28 % of what
 * it allocated was promoted (20–45 % per scavenge once it began, in all 7 runs: from the first
 * interval in 3, after the memory-reducing GC at ~105 s in 4); with this array 0.2–0.4 %.
 */
export class Pending {
  readonly #resolves: Array<((o: PollOutcome) => void) | undefined> = [];
  readonly #uses: number[] = [];
  readonly #free: number[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Holds a poll's resolve function; returns the poll's `seq`. */
  add(resolve: (o: PollOutcome) => void): number {
    const at = this.#free.pop() ?? this.#resolves.length;
    this.#resolves[at] = resolve;
    const use = (this.#uses[at] ?? 0) + 1;
    this.#uses[at] = use;
    this.#size++;
    return use * PLACES + at;
  }

  /** The resolve function of `seq`, once (undefined when it was taken or never given). */
  take(seq: number): ((o: PollOutcome) => void) | undefined {
    const at = seq % PLACES;
    const resolve = this.#resolves[at];
    if (resolve === undefined || this.#uses[at] !== Math.floor(seq / PLACES)) return undefined;
    this.#resolves[at] = undefined;
    this.#free.push(at);
    this.#size--;
    return resolve;
  }

  /** Every resolve function still held, and none held any more. */
  takeAll(): Array<(o: PollOutcome) => void> {
    const all: Array<(o: PollOutcome) => void> = [];
    for (let at = 0; at < this.#resolves.length; at++) {
      const resolve = this.#resolves[at];
      if (resolve === undefined) continue;
      all.push(resolve);
      this.#resolves[at] = undefined;
      this.#free.push(at);
    }
    this.#size = 0;
    return all;
  }
}

/** Places of `Pending` a `seq` can name: far more than polls in flight on one worker. */
const PLACES = 2 ** 20;

function skippedBy(slot: Slot, why: string): PollOutcome {
  return {
    ok: false,
    skipped: { reason: 'worker', message: `poller worker ${slot.index} ${why}` },
    durationMs: 0,
    attempts: 0,
  };
}
