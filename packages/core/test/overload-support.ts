import {
  createMonitor,
  type Device,
  type Driver,
  definePlugin,
  type PollerOptions,
  type PollResult,
  tokens,
} from '@ispmonitor/core';
import { createFakeLogger, FakeClock } from '@ispmonitor/core/testing';

/**
 * A network on fake time that behaves like Node's: a request's reply is read only in the "I/O
 * phase" the test runs with `read()`, after the due timers have fired — so a timer that fires
 * late after a blocked loop fires before the reply is read, as it does in production.
 */
export class FakeNet {
  readonly #pending: Array<{ device: string; resolve: () => void }> = [];
  /** Devices that never answer. */
  readonly dead = new Set<string>();
  /** Requests sent, by device. */
  readonly sent = new Map<string, number>();

  /** Sends a request; resolves when its reply is read, rejects when `signal` aborts. */
  request(device: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const item = { device, resolve };
      this.#pending.push(item);
      this.sent.set(device, (this.sent.get(device) ?? 0) + 1);
      signal.addEventListener(
        'abort',
        () => {
          const i = this.#pending.indexOf(item);
          if (i >= 0) this.#pending.splice(i, 1);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /** Requests waiting for their reply to be read. */
  outstanding(device?: string): number {
    return this.#pending.filter((p) => device === undefined || p.device === device).length;
  }

  /** The I/O phase: reads the reply of every live device. */
  read(): void {
    for (const p of this.#pending.filter((x) => !this.dead.has(x.device))) {
      this.#pending.splice(this.#pending.indexOf(p), 1);
      p.resolve();
    }
  }
}

const ok = (): PollResult => ({ samples: [{ name: 'x', labels: {}, value: 1, ts: 0 }] });

/** Everything a test looks at: events in order, as short strings. */
export interface Recorded {
  events: string[];
  overloads: Array<{ overloaded: boolean; lagMs: number; backlog: number; reason: string }>;
  deviceUp: Map<string, number[]>;
}

/** A monitor on fake time whose `net` driver talks to `FakeNet`, plus a `hog` driver that blocks. */
export async function overloadMonitor(devices: Device[], poller: PollerOptions = {}) {
  const clock = new FakeClock(0);
  const net = new FakeNet();
  const hog = { blockMs: 0 };
  /** How long a `paced` poll takes (fake time, the loop free): the test changes it as it goes. */
  const pace = { ms: 4_000 };
  const drivers: Driver[] = [
    {
      kind: 'net',
      poll: async (d, _settings, { signal }) => {
        await net.request(d.id, signal);
        return ok();
      },
    },
    {
      // Busy-waits (on fake time: the clock jumps and no timer fires meanwhile), then answers.
      kind: 'hog',
      poll: async () => {
        clock.block(hog.blockMs);
        return ok();
      },
    },
    {
      kind: 'slow',
      poll: async () => {
        await new Promise<void>((r) => clock.setTimeout(r, 4_000));
        return ok();
      },
    },
    {
      kind: 'paced',
      poll: async () => {
        await new Promise<void>((r) => clock.setTimeout(r, pace.ms));
        return ok();
      },
    },
    {
      // Like an SNMP client: its own 2 s request timer reports the failure, not core's timeout.
      kind: 'own-timer',
      poll: (d, _settings, { signal }) =>
        new Promise<PollResult>((resolve) => {
          const timer = clock.setTimeout(
            () =>
              resolve({ samples: [], error: { code: 'REQUEST_TIMEOUT', message: 'no reply in 2000 ms' } }),
            2_000,
          );
          net.request(d.id, signal).then(
            () => {
              clock.clearTimeout(timer);
              resolve(ok());
            },
            () => {},
          );
        }),
    },
  ];
  const plugin = definePlugin({
    name: 'overload-drivers',
    version: '1.0.0',
    setup: (ctx) => {
      for (const d of drivers) ctx.provide(tokens.Driver, d);
    },
  })();
  const monitor = await createMonitor({
    plugins: [plugin],
    devices,
    poller,
    clock,
    logger: createFakeLogger(),
  });
  const rec: Recorded = { events: [], overloads: [], deviceUp: new Map() };
  monitor.bus.on('poll:failure', (e) => void rec.events.push(`failure ${e.device.id} ${e.error.code}`));
  monitor.bus.on('poll:skipped', (e) => void rec.events.push(`skipped ${e.device.id} ${e.reason}`));
  // The hog's own polls are not what the tests look at.
  monitor.bus.on('device:status', (e) => {
    if (e.device.id !== 'hog') rec.events.push(`status ${e.device.id} ${e.status}`);
  });
  monitor.bus.on('monitor:overloaded', (e) => {
    rec.events.push(`overloaded ${e.overloaded}`);
    rec.overloads.push(e);
  });
  monitor.bus.on('samples', (e) => {
    const up = e.samples.find((s) => s.name === 'device_up');
    if (up) rec.deviceUp.set(e.device.id, [...(rec.deviceUp.get(e.device.id) ?? []), Number(up.value)]);
  });
  /** Runs `ms` of fake time in 100 ms steps: due timers, then the I/O phase. */
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t += 100) {
      await clock.advance(Math.min(100, ms - t));
      net.read();
    }
    await clock.advance(0);
  };
  return { monitor, clock, net, hog, pace, rec, run };
}

export { metric } from './support/metric.js';
