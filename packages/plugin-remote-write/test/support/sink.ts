import type { Clock } from '@ispmonitor/core';
import { createFakeLogger, FakeClock, type FakeLogger } from '@ispmonitor/core/testing';
import { Registry } from 'prom-client';
import { createMetrics, type RemoteWriteMetrics } from '../../src/metrics.js';
import { optionsSchema, type RemoteWriteOptionsInput } from '../../src/options.js';
import { TargetSink } from '../../src/target.js';

/** A TargetSink on a fake clock, with its metrics registry and logger. */
export function makeSink(
  options: RemoteWriteOptionsInput,
  clock: Clock = new FakeClock(Date.UTC(2026, 11, 5, 10)),
): { sink: TargetSink; clock: Clock; registry: Registry; metrics: RemoteWriteMetrics; logger: FakeLogger } {
  const parsed = optionsSchema.parse(options);
  const registry = new Registry();
  const metrics = createMetrics(registry);
  const logger = createFakeLogger();
  const target = parsed.targets[0];
  if (!target) throw new Error('no target');
  const sink = new TargetSink(target, parsed, clock, logger, metrics);
  return { sink, clock, registry, metrics, logger };
}

/** One value of a metric, by labels. */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const m = registry.getSingleMetric(name);
  if (!m) return undefined;
  const data = await m.get();
  return data.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
}
