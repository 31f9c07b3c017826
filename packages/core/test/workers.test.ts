/**
 * `poller.workers` (#19 point 2) on real worker threads and real time: each device is polled by
 * the worker its id hashes to, and moves only when the worker count changes; a worker that
 * crashes is restarted, its devices resumed within one interval, the crash logged and counted,
 * the other worker untouched; a driver that busy-waits in its worker gives skipped polls — never
 * device failures — while the other worker's devices poll on.
 *
 * Workers run the built JavaScript (`dist/`), as in production: `npx tsc -b packages/core` first
 * (the suite's build does it).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createMonitor,
  type Device,
  defineDriver,
  definePlugin,
  type Monitor,
  tokens,
} from '@ispmonitor/core';
import { createFakeLogger, type FakeLogger } from '@ispmonitor/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { workerOf } from '../src/workers/shard.js';
import { metric } from './overload-support.js';

const fixture = new URL('./fixtures/worker-lab-driver.mjs', import.meta.url).href;
const built = fileURLToPath(new URL('../dist/workers/worker-main.js', import.meta.url));
const why = existsSync(built) ? undefined : 'packages/core is not built (npx tsc -b packages/core)';

/**
 * The lab driver as the main thread knows it: it must never poll here. Its schema fills `tag`,
 * so a worker that reports `tag` shows it got the settings parsed here, by structured clone.
 */
const lab = defineDriver({
  kind: 'lab',
  settings: z.object({
    tag: z.string().default('parsed-on-main'),
    crashFile: z.string().optional(),
    busyMs: z.number().optional(),
  }),
  worker: { module: fixture, export: 'createLabDriver' },
  poll: async () => ({ samples: [], error: { code: 'MAIN_THREAD', message: 'polled on the main thread' } }),
});
const labPlugin = definePlugin({
  name: 'lab',
  version: '1.0.0',
  setup: (ctx) => ctx.provide(tokens.Driver, lab),
});

/** Waits until `ok()` holds (every 20 ms); fails after `ms`. */
async function until(ok: () => boolean, ms = 15_000, what = 'condition'): Promise<void> {
  for (const end = Date.now() + ms; !ok(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Ids that land on worker `w` of `n`, `count` of them. */
function idsOn(w: number, n: number, count: number, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) if (workerOf(`${prefix}${i}`, n) === w) out.push(`${prefix}${i}`);
  return out;
}

interface Run {
  monitor: Monitor;
  logger: FakeLogger;
  /** Thread of each device's last successful poll. */
  thread: Map<string, number>;
  /** The settings' `tag` the worker saw, by device. */
  tag: Map<string, string>;
  events: string[];
}

async function start(devices: Device[], workers: number, poller: Record<string, unknown> = {}): Promise<Run> {
  const logger = createFakeLogger();
  const monitor = await createMonitor({
    plugins: [labPlugin()],
    devices,
    logger,
    poller: { interval: '500ms', timeout: '300ms', recheckInterval: '500ms', workers, ...poller },
  });
  const run: Run = { monitor, logger, thread: new Map(), tag: new Map(), events: [] };
  monitor.bus.on('samples', (e) => {
    for (const s of e.samples)
      if (s.name === 'lab_thread') {
        run.thread.set(String(s.labels.device), Number(s.value));
        run.tag.set(String(s.labels.device), String(s.labels.tag));
      }
  });
  monitor.bus.on('poll:failure', (e) => void run.events.push(`failure ${e.device.id}`));
  monitor.bus.on('poll:skipped', (e) => void run.events.push(`skipped ${e.device.id} ${e.reason}`));
  monitor.bus.on('poll:success', (e) => void run.events.push(`success ${e.device.id}`));
  await monitor.start();
  return run;
}

const device = (id: string, extra: Record<string, unknown> = {}): Device =>
  ({ id, host: '127.0.0.1', driver: 'lab', lab: extra }) as Device;

describe.skipIf(why)(`poller workers${why ? ` (skipped: ${why})` : ''}`, () => {
  let dir: string;
  let run: Run | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ispm-workers-'));
  });
  afterEach(async () => {
    await run?.monitor.stop();
    run = undefined;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('polls each device on the worker its id hashes to; a device moves only when the worker count changes', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `r-${i}`);
    const workerNumber = (r: Run, id: string) =>
      r.monitor.workerThreads().indexOf(r.thread.get(id) as number);
    const placement = async (n: number) => {
      run = await start(
        ids.map((id) => device(id)),
        n,
      );
      const r = run;
      await until(() => ids.every((id) => r.thread.has(id)), 15_000, 'every device polled');
      expect(r.monitor.workerThreads()).toHaveLength(n);
      expect(new Set(r.monitor.workerThreads()).size).toBe(n);
      const at = new Map(ids.map((id) => [id, workerNumber(r, id)]));
      await r.monitor.stop();
      run = undefined;
      return at;
    };
    const two = await placement(2);
    const twoAgain = await placement(2);
    const three = await placement(3);
    for (const id of ids) {
      expect(two.get(id)).toBe(workerOf(id, 2));
      expect(three.get(id)).toBe(workerOf(id, 3));
    }
    // Same count: same placement. Another count: those whose hash says so move, the rest stay.
    expect(twoAgain).toEqual(two);
    const moved = ids.filter((id) => two.get(id) !== three.get(id));
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.length).toBeLessThan(ids.length);
  });

  it('a worker gets each device with the settings core parsed on the main thread', async () => {
    run = await start([device('s-1'), device('s-2', { tag: 'given' })], 2);
    const r = run;
    await until(() => r.tag.size === 2, 15_000, 'both devices polled');
    expect(r.tag.get('s-1')).toBe('parsed-on-main');
    expect(r.tag.get('s-2')).toBe('given');
  });

  it('restarts a crashed worker: logged, counted, its devices resumed within one interval, the other worker untouched', async () => {
    const crashFile = join(dir, 'crash-now');
    const onZero = idsOn(0, 2, 3, 'c-');
    const onOne = idsOn(1, 2, 3, 'c-');
    const crasher = onZero[0] as string;
    run = await start(
      [
        ...onZero.map((id) => device(id, id === crasher ? { crashFile } : {})),
        ...onOne.map((id) => device(id)),
      ],
      2,
    );
    const r = run;
    await until(() => [...onZero, ...onOne].every((id) => r.thread.has(id)), 15_000, 'first polls');
    const [zeroBefore, oneBefore] = r.monitor.workerThreads();
    await writeFile(crashFile, 'x');
    await until(
      () => r.monitor.workerThreads()[0] !== zeroBefore && r.monitor.workerThreads()[0] !== -1,
      15_000,
      'restart',
    );
    const zeroAfter = r.monitor.workerThreads()[0];
    // Every device of the crashed worker is polled again by the new worker soon after the
    // restart, counted in the other worker's polls (every 500 ms) rather than in ms: meanwhile no
    // device of worker 1 was polled more than 6 times (the 3 s this bound was before).
    const mark = r.events.length;
    await until(
      () => onZero.every((id) => r.events.slice(mark).includes(`success ${id}`)),
      15_000,
      'devices of worker 0 polled again',
    );
    const since = r.events.slice(mark);
    for (const id of onOne) expect(since.filter((e) => e === `success ${id}`).length).toBeLessThanOrEqual(6);
    for (const id of onZero) expect(r.thread.get(id)).toBe(zeroAfter);
    // The other worker was never restarted and kept its devices.
    expect(r.monitor.workerThreads()[1]).toBe(oneBefore);
    for (const id of onOne) expect(r.thread.get(id)).toBe(oneBefore);
    // Nothing counted against a device: the crasher's lost poll is skipped (reason worker).
    expect(r.events.filter((e) => e.startsWith('failure'))).toEqual([]);
    expect(r.events).toContain(`skipped ${crasher} worker`);
    expect(r.monitor.devices.get(crasher)?.status).toBe('online');
    expect(await metric(r.monitor, 'ispmonitor_poller_worker_crashes_total', { worker: '0' })).toBe(1);
    expect(await metric(r.monitor, 'ispmonitor_poller_worker_crashes_total', { worker: '1' })).toBe(0);
    expect(
      await metric(r.monitor, 'ispmonitor_polls_skipped_total', { reason: 'worker' }),
    ).toBeGreaterThanOrEqual(1);
    expect(r.logger.records.some((l) => l.level === 'error' && /poller worker died/.test(l.msg))).toBe(true);
    // A crash is not load: the monitor did not call itself overloaded for it.
    expect(await metric(r.monitor, 'ispmonitor_poller_overloaded')).toBe(0);
  });

  it('a driver busy-waiting in its worker: skipped polls, no device failure; the other worker polls on', async () => {
    const busy = idsOn(0, 2, 2, 'b-');
    const calm = idsOn(1, 2, 2, 'b-');
    // 700 ms of held loop per poll > timeout × maxStretch (300 ms × 2): every attempt on worker 0 is spoilt.
    run = await start(
      [...busy.map((id) => device(id, { busyMs: 700 })), ...calm.map((id) => device(id))],
      2,
      { overload: { maxStretch: 2 } },
    );
    const r = run;
    await until(
      () => busy.every((id) => r.events.includes(`skipped ${id} overloaded`)),
      15_000,
      'skipped polls of the busy worker',
    );
    await until(() => calm.every((id) => r.events.includes(`success ${id}`)), 5_000, 'calm devices polled');
    expect(r.events.filter((e) => e.startsWith('failure'))).toEqual([]);
    for (const id of busy) expect(r.monitor.devices.get(id)?.status).toBe('unknown');
    for (const id of calm) expect(r.monitor.devices.get(id)?.status).toBe('online');
    expect(
      await metric(r.monitor, 'ispmonitor_polls_skipped_total', { reason: 'overloaded' }),
    ).toBeGreaterThan(0);
    // The monitor raises its own condition for it.
    expect(await metric(r.monitor, 'ispmonitor_poller_overloaded')).toBe(1);
  });

  it('POLLER_WORKERS 1 keeps every poll on the main thread (no worker started)', async () => {
    run = await start([device('m-0')], 1);
    const r = run;
    await until(() => r.events.length > 0, 5_000, 'a poll');
    expect(r.monitor.workerThreads()).toEqual([]);
    // The main-thread copy of the lab driver answered.
    expect(r.events[0]).toBe('failure m-0');
  });
});
