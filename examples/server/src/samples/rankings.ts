import { type Monitor, tokens } from '@ispmonitor/core';
import type { PostgresStore, TopRow } from '@ispmonitor/plugin-postgres';
import { labelName, type PromClient, PromSampleQuery, promDuration } from '@ispmonitor/plugin-remote-write';

/** `ifName` as remote write names it (`if_name`). */
const IF_NAME = labelName('ifName');

const clampLimit = (limit: number) => Math.max(1, Math.min(1000, Math.trunc(limit)));

/** Busiest interfaces (bits/s, in + out) over a window ending now, as PostgreSQL's ranking gives it. */
export async function promBusiestInterfaces(
  client: PromClient,
  windowMs: number,
  limit = 10,
  now = Date.now(),
) {
  const w = promDuration(windowMs);
  // rate() drops the name: a `dir` label keeps the in and out series apart until they are summed.
  const rate = (dir: 'in' | 'out') =>
    `label_replace(rate(interface_${dir}_octets_total[${w}]), "dir", "${dir}", "", "")`;
  const rows = await client.instant(
    `topk(${clampLimit(limit)}, 8 * sum by (device, ${IF_NAME}) (${rate('in')} or ${rate('out')}))`,
    now,
  );
  return rows
    .map(
      (r): TopRow => ({
        device: r.labels.device ?? null,
        ifName: r.labels[IF_NAME] ?? null,
        value: r.points[0]?.[1] ?? 0,
      }),
    )
    .sort((a, b) => b.value - a.value);
}

/** Highest average CPU load per device over a window ending now. */
export async function promHighestCpu(client: PromClient, windowMs: number, limit = 10, now = Date.now()) {
  const avg = `avg_over_time(device_cpu_load_ratio[${promDuration(windowMs)}])`;
  const rows = await client.instant(`topk(${clampLimit(limit)}, sum by (device) (${avg}))`, now);
  return rows
    .map((r): TopRow => ({ device: r.labels.device ?? null, value: r.points[0]?.[1] ?? 0 }))
    .sort((a, b) => b.value - a.value);
}

const views = new WeakMap<PostgresStore, PostgresStore>();

/**
 * The store the routes read: PostgreSQL's, with the sample reads (`range`, `latest`) and the
 * rankings answered by PromQL when the monitor's sample reader is the remote-write plugin's
 * (`server.storage.samples: prometheus`). Everything else — inventory, statuses, subscribers,
 * reports — stays with PostgreSQL.
 */
export function samplesView(monitor: Monitor, store: PostgresStore | undefined): PostgresStore | undefined {
  if (!store || !monitor.has(tokens.SampleQuery)) return store;
  const reader = monitor.resolve(tokens.SampleQuery);
  if (!(reader instanceof PromSampleQuery)) return store;
  let view = views.get(store);
  if (!view) {
    const overrides: Partial<PostgresStore> = {
      range: (q) => reader.range(q),
      latest: (name, labels) => reader.latest(name, labels),
      busiestInterfaces: (windowMs, limit) =>
        promBusiestInterfaces(reader.client, windowMs, limit, monitor.clock.now()),
      highestCpu: (windowMs, limit) => promHighestCpu(reader.client, windowMs, limit, monitor.clock.now()),
    };
    view = new Proxy(store, {
      get: (target, prop, receiver) =>
        prop in overrides
          ? overrides[prop as keyof PostgresStore]
          : (() => {
              const v = Reflect.get(target, prop, receiver);
              return typeof v === 'function' ? v.bind(target) : v;
            })(),
    });
    views.set(store, view);
  }
  return view;
}
