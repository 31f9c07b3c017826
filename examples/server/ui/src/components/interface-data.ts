// The router page's interface data: the table (one request, rates computed by the server) and
// the charted interfaces' series (one request for all of them).

// The table's shapes are the server's own (type-only: nothing of the server enters the bundle).
import type { PortState } from '../../../src/interfaces/rates.js';
import type { InterfaceTable, InterfaceTableRow } from '../../../src/interfaces/table.js';
import { qs } from '../lib/api.js';
import type { Point } from '../lib/series.js';
import { take } from '../pages/router-prefetch.js';

export type { InterfaceTable, InterfaceTableRow, PortState };

/** Chart series of one interface (bits/s; errors and discards per second). */
export interface InterfaceSeries {
  ifName: string;
  in: Point[];
  out: Point[];
  inErrors: Point[];
  outErrors: Point[];
  inDiscards: Point[];
  outDiscards: Point[];
}

/** The answer of `GET /api/v1/routers/:id/interface-series`. */
export interface InterfaceSeriesResult {
  router: string;
  from: number;
  to: number;
  step: number;
  items: InterfaceSeries[];
  /** With `charted=default`: the interfaces the server chose, in chart order, with their cards' facts. */
  charted?: Array<{
    name: string;
    alias?: string;
    speedBps: number | null;
    uplink: boolean;
    state: PortState;
  }>;
}

/** The path of a router's interface table. */
export const tablePath = (router: string): string =>
  `/api/v1/routers/${encodeURIComponent(router)}/interface-table`;

/**
 * The path of the chart series of some interfaces of a router over a range (relative `-24h` or
 * epoch ms); `'default'` lets the server choose as the page would (uplinks, then the busiest
 * ports), so the request need not wait for the interface table.
 */
export const seriesPath = (
  router: string,
  ifNames: string[] | 'default',
  range: { from: string | number; to?: string | number; step: string | number },
): string =>
  `/api/v1/routers/${encodeURIComponent(router)}/interface-series${qs({
    ...(ifNames === 'default' ? { charted: 'default' } : { ifNames: ifNames.join(',') }),
    from: range.from,
    to: range.to,
    step: range.step,
  })}`;

/** The interface table of a router (the page's prefetched answer when there is one). */
export function fetchInterfaceTable(router: string, signal?: AbortSignal): Promise<InterfaceTable> {
  return take<InterfaceTable>(tablePath(router), signal);
}

/** The chart series of some interfaces of a router (see `seriesPath`). */
export function fetchInterfaceSeries(
  router: string,
  ifNames: string[] | 'default',
  range: { from: string | number; to?: string | number; step: string | number },
  signal?: AbortSignal,
): Promise<InterfaceSeriesResult> {
  return take<InterfaceSeriesResult>(seriesPath(router, ifNames, range), signal);
}
