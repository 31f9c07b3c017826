/**
 * Entry of a poller worker thread (`poller.workers` > 1): builds its own copy of each driver that
 * opted in (`Driver.worker`), runs the polls the main thread sends — with the same timeout,
 * retries and blocked-loop accounting as the main thread, measured on this worker's own event
 * loop — and sends the outcomes back in batches. It keeps no status: that stays on the main thread.
 */
import { setMaxListeners } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../clock.js';
import { ErrorCodes } from '../errors.js';
import type { LoadGuard } from '../load/budget.js';
import { LoopProbe } from '../load/loop-probe.js';
import { spoilingBlockMs } from '../load/options.js';
import type { PollOutcome } from '../scheduler/run-poll.js';
import { runPoll } from '../scheduler/run-poll.js';
import type { Device, Driver, Logger } from '../types.js';
import { decodeJson, encodeOutcomes } from './codec.js';
import type { FromWorker, OutcomeBatch, RequestBatch, ToWorker, WorkerInit } from './protocol.js';

/** Outcomes wait at most this long to share a batch. */
const FLUSH_MS = 10;
/** A batch this large goes at once. */
const FLUSH_COUNT = 512;
/**
 * A batch with this many samples goes at once (its buffer ~120 KB, facts included). A batch is alive as a whole while
 * it is encoded here and decoded on the main thread, and a scavenge that falls in that time copies
 * all of it (a second one promotes it): when a burst of polls ends together — the first interval,
 * a loaded machine — a count of 512 polls made batches of ~15 MB.
 */
const FLUSH_SAMPLES = 2_500;
/** Heartbeat to the main thread's watchdog. */
const BEAT_MS = 1_000;

const port = parentPort;
if (!port) throw new Error('worker-main.js runs only as a worker thread');
const init = workerData as WorkerInit;
const send = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer ?? []);

/** Logs go to the main thread's logger (which redacts and formats them). */
function forwardingLogger(bindings: Record<string, unknown>): Logger {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, fields?: Record<string, unknown>) =>
      send({ type: 'log', level, msg, fields: { ...bindings, ...fields } });
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => forwardingLogger({ ...bindings, ...fields }),
  };
}

const logger = forwardingLogger({ worker: init.index });
const drivers = new Map<string, Driver>();
for (const entry of init.drivers) {
  const mod = (await import(entry.module)) as Record<string, unknown>;
  const make = mod[entry.export ?? 'default'];
  if (typeof make !== 'function') {
    throw new Error(
      `${entry.module} has no function export "${entry.export ?? 'default'}" for driver ${entry.kind}`,
    );
  }
  const driver = (await make(entry.options)) as Driver;
  if (driver?.kind !== entry.kind)
    throw new Error(`${entry.module} made a driver of kind ${driver?.kind}, not ${entry.kind}`);
  drivers.set(entry.kind, driver);
}

const stopping = new AbortController();
// Every poll in flight listens on it (as on the main thread): no "possible leak" warning at 11.
setMaxListeners(0, stopping.signal);
const retainMs = init.timeoutMs * init.overload.maxStretch + 60_000;
// The largest lag since the last heartbeat: the main thread's overload detector hears of it.
let lagSinceBeat = 0;
const probe = new LoopProbe(systemClock, retainMs, (tick) => {
  lagSinceBeat = Math.max(lagSinceBeat, tick.lagMs);
});
const guard: LoadGuard = {
  blockedBetween: (from, to, lateSince) => probe.blockedBetween(from, to, lateSince),
  longestBlockBetween: (from, to, lateSince) => probe.longestBetween(from, to, lateSince),
  spoilingBlockMs: spoilingBlockMs(init.overload),
  maxStretch: init.overload.maxStretch,
  blockedShare: init.overload.blockedShare,
  extended: () => {},
};
probe.start();
const devices = new Map<string, Device>();
const inFlight = new Set<Promise<void>>();
let outbox: OutcomeBatch = [];
let outboxSamples = 0;
let flushTimer: ReturnType<typeof setTimeout> | undefined;

function flush(): void {
  if (flushTimer !== undefined) clearTimeout(flushTimer);
  flushTimer = undefined;
  if (outbox.length === 0) return;
  const buf = encodeOutcomes(outbox);
  outbox = [];
  outboxSamples = 0;
  send({ type: 'done', buf }, [buf]);
}

function finish(seq: number, outcome: PollOutcome): void {
  outbox.push([seq, outcome]);
  outboxSamples += outcome.result?.samples.length ?? 0;
  if (outbox.length >= FLUSH_COUNT || outboxSamples >= FLUSH_SAMPLES) flush();
  else flushTimer ??= setTimeout(flush, FLUSH_MS);
}

function start(seq: number, device: Device | undefined): void {
  const driver = device && drivers.get(device.driver);
  if (!device || !driver) {
    const message = device ? `no driver "${device.driver}" in this worker` : 'unknown device';
    finish(seq, { ok: false, error: { code: ErrorCodes.POLL_FAILED, message }, durationMs: 0, attempts: 0 });
    return;
  }
  const run = runPoll(driver, device, {
    timeoutMs: init.timeoutMs,
    retries: init.retries,
    clock: systemClock,
    logger: logger.child({ device: device.id }),
    stopSignal: stopping.signal,
    load: guard,
  })
    .then((outcome) => finish(seq, outcome))
    .catch((err: unknown) => {
      finish(seq, {
        ok: false,
        error: { code: ErrorCodes.POLL_FAILED, message: String((err as Error)?.message ?? err) },
        durationMs: 0,
        attempts: 1,
      });
    })
    .finally(() => inFlight.delete(run));
  inFlight.add(run);
}

const beat = setInterval(() => {
  send({ type: 'beat', lagMs: Math.round(lagSinceBeat) });
  lagSinceBeat = 0;
}, BEAT_MS);

port.on('message', async (m: ToWorker) => {
  if (m.type === 'polls') {
    const batch = decodeJson<RequestBatch>(m.buf);
    for (const id of batch.forget ?? []) {
      const driver = drivers.get(devices.get(id)?.driver ?? '') as { forget?(id: string): void } | undefined;
      driver?.forget?.(id);
      devices.delete(id);
    }
    for (const p of batch.polls) {
      if (p.device) {
        // A changed definition: what the driver learned about the old one may not hold.
        const known = devices.get(p.id);
        if (known) (drivers.get(known.driver) as { forget?(id: string): void } | undefined)?.forget?.(p.id);
        devices.set(p.id, p.device);
      }
      start(p.seq, devices.get(p.id));
    }
  } else if (m.type === 'stop') {
    stopping.abort(new Error('monitor stopping'));
    await Promise.allSettled([...inFlight]);
    flush();
    clearInterval(beat);
    probe.stop();
    for (const d of drivers.values()) await d.close?.().catch(() => {});
    port.close();
  }
});

send({ type: 'ready' });
