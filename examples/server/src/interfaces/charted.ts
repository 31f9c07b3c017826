/**
 * The interfaces a router page charts when its URL names none — the uplinks first (down or not:
 * a down uplink is what the engineer came to see), then the busiest running ports — chosen by the
 * server from the live rates of its polls (or, when this process has none, two raw counter reads),
 * so the page can ask for the charts' series at once, beside the interface table, instead of one
 * round trip after it.
 */
import type { Device, SampleQuery } from '@ispmonitor/core';
import type { InterfaceRow } from '../inventory/facts.js';
import type { LiveRouter } from './live.js';
import { lastRate, type PortState, portState, type Reading, uplinksOf } from './rates.js';
import { rateWindowMs } from './readings.js';

/** What a chart's card says about its interface besides the name. */
export interface ChartedInterface {
  name: string;
  alias?: string;
  speedBps: number | null;
  uplink: boolean;
  state: PortState;
}

/** Ports charted by default beside the uplinks (as many as the page's default). */
export const DEFAULT_BUSIEST = 4;

/**
 * The default choice, in chart order: uplinks in their label's order, then the busiest ports that
 * are up (the larger of in and out), `max` in all unless there are more uplinks than that.
 */
export async function defaultCharted(opts: {
  device: Device;
  interfaces: readonly InterfaceRow[];
  samples: SampleQuery | undefined;
  now: number;
  max?: number;
  /** What this process's polls said of the router: its rates, when it has any, need no query. */
  live?: LiveRouter;
}): Promise<ChartedInterface[]> {
  const { device, interfaces, samples, now, live } = opts;
  const max = opts.max ?? DEFAULT_BUSIEST;
  const uplinks = uplinksOf(device.labels);
  const bps = new Map<string, number>();
  if (live?.hasRates()) {
    for (const name of live.interfaces()) {
      const rate = Math.max(live.rate(name, 0) ?? 0, live.rate(name, 1) ?? 0);
      bps.set(name, rate * 8);
    }
  } else if (samples) {
    const from = now - rateWindowMs(device.interval);
    const reads = await Promise.all(
      ['interface_in_octets_total', 'interface_out_octets_total'].map((name) =>
        samples.range({ name, labels: { device: device.id }, from, to: now, step: 1, fn: 'raw' }),
      ),
    );
    for (const series of reads)
      for (const s of series) {
        const name = s.labels.ifName;
        const rate = name ? lastRate(s.points as Reading[]) : undefined;
        if (name && rate !== undefined) bps.set(name, Math.max(bps.get(name) ?? 0, rate * 8));
      }
  }
  const card = (i: InterfaceRow): ChartedInterface => ({
    name: i.name,
    ...(i.alias || i.description ? { alias: i.alias || i.description } : {}),
    speedBps: i.speedBps !== undefined && i.speedBps > 0 ? i.speedBps : null,
    uplink: uplinks.includes(i.name),
    state: portState(i.adminUp, i.operUp),
  });
  const byName = new Map(interfaces.map((i) => [i.name, i]));
  const up = uplinks.flatMap((n) => {
    const i = byName.get(n);
    return i ? [card(i)] : [];
  });
  const rest = interfaces
    .map(card)
    .filter((c) => !c.uplink && c.state === 'up')
    .sort((a, b) => (bps.get(b.name) ?? 0) - (bps.get(a.name) ?? 0));
  return [...up, ...rest].slice(0, Math.max(max, up.length));
}
