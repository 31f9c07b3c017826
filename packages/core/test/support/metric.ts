import type { Monitor } from '@ispmonitor/core';

/** The value of a metric (with the given labels) from the monitor's registry; 0 when the series does not exist. */
export async function metric(
  monitor: Monitor,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const m = monitor.metrics.getSingleMetric(name);
  if (!m) throw new Error(`no metric ${name}`);
  const { values } = await m.get();
  const hit = values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return hit ? hit.value : 0;
}
