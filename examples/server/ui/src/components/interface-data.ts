// The router page's interface data: the table (one request, rates computed by the server) and
// the charted interfaces' series (one request for all of them).

import { api, qs } from '../lib/api.js';
import type { Point } from '../lib/series.js';

/** A port's state; admin-down (shut on purpose) is never "down". */
export type PortState = 'up' | 'down' | 'admin-down' | 'unknown';

/** One row of `GET /api/v1/routers/:id/interface-table`. */
export interface InterfaceTableRow {
  id: string;
  index: number | string;
  name: string;
  alias?: string;
  description?: string;
  type?: string;
  mac?: string;
  speedBps: number | null;
  adminUp?: boolean;
  operUp?: boolean;
  state: PortState;
  uplink: boolean;
  inBps: number | null;
  outBps: number | null;
  inUtil: number | null;
  outUtil: number | null;
  inErrorsPerSec: number | null;
  outErrorsPerSec: number | null;
  inDiscardsPerSec: number | null;
  outDiscardsPerSec: number | null;
  sparkIn: Array<number | null>;
  sparkOut: Array<number | null>;
}

/** The interface table of one router. */
export interface InterfaceTable {
  router: string;
  at: number | null;
  uplinks: string[];
  rates: boolean;
  spark: { from: number; step: number; points: number };
  items: InterfaceTableRow[];
}

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

/** The interface table of a router. */
export function fetchInterfaceTable(router: string, signal?: AbortSignal): Promise<InterfaceTable> {
  return api<InterfaceTable>(`/api/v1/routers/${encodeURIComponent(router)}/interface-table`, { signal });
}

/**
 * The chart series of some interfaces of a router over a range (relative `-24h` or epoch ms);
 * `'default'` lets the server choose as the page would (uplinks, then the busiest ports), so the
 * request need not wait for the interface table.
 */
export function fetchInterfaceSeries(
  router: string,
  ifNames: string[] | 'default',
  range: { from: string | number; to?: string | number; step: string | number },
  signal?: AbortSignal,
): Promise<InterfaceSeriesResult> {
  return api<InterfaceSeriesResult>(
    `/api/v1/routers/${encodeURIComponent(router)}/interface-series${qs({
      ...(ifNames === 'default' ? { charted: 'default' } : { ifNames: ifNames.join(',') }),
      from: range.from,
      to: range.to,
      step: range.step,
    })}`,
    { signal },
  );
}
