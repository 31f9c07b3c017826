/**
 * A monitor for the sink tests: `devices` devices (default 10) polled every 10 s by a driver that
 * returns nine samples a poll (core adds `device_up`: ten), written to the given sinks.
 */
import {
  type Clock,
  createMonitor,
  type Monitor,
  type Sample,
  type Sink,
  type SinkOptions,
} from '@ispmonitor/core';
import { createFakeLogger, driverPlugin, type FakeLogger, testDevices } from '@ispmonitor/core/testing';

/** What `sinkMonitor` builds the monitor from. */
export interface SinkMonitorOptions {
  sinks: Sink[];
  clock: Clock;
  /** The monitor's `sinks` options (buffer, backoff, spool). */
  sinkOptions?: SinkOptions;
  devices?: number;
  logger?: FakeLogger;
}

/** Creates (does not start) the monitor. */
export function sinkMonitor(options: SinkMonitorOptions): Promise<Monitor> {
  const { clock } = options;
  const gen = {
    kind: 'gen',
    poll: async () => ({
      samples: Array.from({ length: 9 }, (_, i) => ({
        name: 'm',
        labels: { i: String(i) },
        value: i,
        ts: clock.now(),
      })),
    }),
  };
  return createMonitor({
    plugins: [driverPlugin(gen, options.sinks)],
    devices: testDevices(options.devices ?? 10, 'gen', { interval: '10s' }),
    sinks: options.sinkOptions ?? {},
    clock,
    logger: options.logger ?? createFakeLogger(),
  });
}

/** Sink options that reach the spool fast: a 50-sample buffer, retries every 1–2 s, spool in `dir`. */
export function smallBufferSpool(dir: string): SinkOptions {
  return { bufferLimit: 50, minBackoff: '1s', maxBackoff: '2s', flushInterval: '1s', spool: { dir } };
}

/** A sink that throws "database down" while `failing` is set, counting every write it is asked for. */
export interface FlakySink {
  sink: Sink;
  /** What it stored once it stopped failing. */
  stored: Sample[];
  failing: boolean;
  attempts: number;
}

/** A {@link FlakySink} named `name`, failing from the start until the test clears `failing`. */
export function flakySink(name: string): FlakySink {
  const flaky: FlakySink = {
    stored: [],
    failing: true,
    attempts: 0,
    sink: {
      name,
      write: async (b) => {
        flaky.attempts++;
        if (flaky.failing) throw new Error('database down');
        flaky.stored.push(...b);
      },
    },
  };
  return flaky;
}

/** Counts the samples the monitor's polls produce from now on: the returned function reads the count. */
export function producedBy(monitor: Monitor): () => number {
  let produced = 0;
  monitor.bus.on('samples', (e) => {
    produced += e.samples.length;
  });
  return () => produced;
}
