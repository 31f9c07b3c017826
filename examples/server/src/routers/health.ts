import { type Bus, CoreErrors, type Sample, type SeriesData } from '@ispmonitor/core';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/errors.js';
import { pathParams } from '../http/params.js';
import { errorSchema } from '../http/query.js';
import { parseStepRange, type RangeQueryString, stepRangeProperties } from '../http/range.js';
import { type Combine, combine, seriesKey, sumPerStep } from './pools.js';

/** The gauges of a router page's tiles, by the name the answer gives them. */
const GAUGES = {
  cpu: 'device_cpu_load_ratio',
  memoryUsed: 'device_memory_used_bytes',
  memoryTotal: 'device_memory_total_bytes',
  temperature: 'device_temperature_celsius',
  uptimeSeconds: 'device_uptime_seconds',
} as const;
type Gauge = keyof typeof GAUGES;
const BY_NAME = new Map<string, Gauge>(Object.entries(GAUGES).map(([k, v]) => [v, k as Gauge]));

/** The charted series: CPU, memory used (summed over pools), temperature (averages per step) and `device_up`. */
const CHARTED = ['cpu', 'memoryUsed', 'temperature'] as const;

/** Most steps one answer may hold (as the metrics API). */
const MAX_STEPS = 11_000;

/** How each tile's figure combines the gauge's series (see `pools.ts`): memory is summed over pools. */
const COMBINE: Record<Gauge, Combine> = {
  cpu: 'max',
  memoryUsed: 'sum',
  memoryTotal: 'sum',
  temperature: 'max',
  uptimeSeconds: 'max',
};

/** One gauge of one router: its series' values in the newest poll that reported it. */
interface Newest {
  ts: number;
  values: Map<string, number>;
}

/**
 * The newest value of each tile's gauge per router, from the polls' samples: over the series of
 * the newest poll that reported the gauge, the sum for memory (every pool) and the highest for
 * CPU and temperature (several CPUs or sensors: the tile shows the worst).
 */
export class LatestGauges {
  readonly #byDevice = new Map<string, Map<Gauge, Newest>>();
  readonly #offs: Array<() => void>;

  constructor(bus: Bus) {
    this.#offs = [
      bus.on('samples', ({ device, samples }) => this.ingest(device.id, samples)),
      bus.on('device:removed', ({ device }) => void this.#byDevice.delete(device.id)),
    ];
  }

  /**
   * Feeds one poll's samples (the bus does this; tests may call it directly). A poll that
   * reports a gauge replaces what the previous one said of it, so a pool that is gone stops
   * counting; an older poll arriving late changes nothing.
   */
  ingest(device: string, samples: readonly Sample[]): void {
    let fresh: Map<Gauge, Newest> | undefined;
    for (const s of samples) {
      const gauge = BY_NAME.get(s.name);
      if (gauge === undefined) continue;
      const value = Number(s.value);
      if (!Number.isFinite(value)) continue;
      fresh ??= new Map();
      let g = fresh.get(gauge);
      if (!g) {
        g = { ts: s.ts, values: new Map() };
        fresh.set(gauge, g);
      }
      g.ts = Math.max(g.ts, s.ts);
      // The same series twice in one poll: its last value.
      g.values.set(seriesKey(s.labels), value);
    }
    if (!fresh) return;
    let gauges = this.#byDevice.get(device);
    if (!gauges) {
      gauges = new Map();
      this.#byDevice.set(device, gauges);
    }
    for (const [gauge, g] of fresh) {
      const old = gauges.get(gauge);
      if (!old || g.ts >= old.ts) gauges.set(gauge, g);
    }
  }

  /** The newest figure of each gauge of a router that this process saw. */
  of(device: string): Partial<Record<Gauge, number>> {
    const out: Partial<Record<Gauge, number>> = {};
    for (const [k, g] of this.#byDevice.get(device) ?? []) {
      const v = combine(g.values.values(), COMBINE[k]);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }

  /** How many series (pools) the newest memory figure of a router sums; 0 when none was seen. */
  memoryPools(device: string): number {
    return this.#byDevice.get(device)?.get('memoryUsed')?.values.size ?? 0;
  }

  close(): void {
    for (const off of this.#offs) off();
  }
}

/**
 * `/api/v1/routers/:id/health`: what the router page's health part shows, in one request — CPU,
 * memory used, temperature and `device_up` over a range (averages per step, from storage), and
 * the newest value of each tile's gauge (from this process's polls, `latest`; from storage for a
 * router it does not poll).
 */
export function routerHealthRoute(app: FastifyInstance, latest: LatestGauges): void {
  app.get<{ Params: { id: string }; Querystring: RangeQueryString }>(
    '/api/v1/routers/:id/health',
    {
      schema: {
        tags: ['routers'],
        summary:
          'CPU, memory, temperature and up of one router over a range, and the newest value of each (the router page in one request)',
        params: pathParams('id', 128),
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: stepRangeProperties('-24h', '5m'),
        },
        response: { 400: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const id = req.params.id;
      if (!app.devices.get(id)) throw new HttpError(CoreErrors.DEVICE_NOT_FOUND, `no router "${id}"`);
      const { from, to, step } = parseStepRange(req.query, {
        span: 86_400_000,
        step: 300_000,
        maxSteps: MAX_STEPS,
      });
      const samples = app.samples();
      const labels = { device: id };
      const read = (name: string): Promise<SeriesData[]> =>
        samples ? samples.range({ name, labels, from, to, step, fn: 'avg' }) : Promise.resolve([]);
      const current = latest.of(id);
      // A router this process does not poll (an API replica, none since the start): storage's newest.
      const missing = samples ? (Object.keys(GAUGES) as Gauge[]).filter((g) => current[g] === undefined) : [];
      const [[cpu, memoryUsed, temperature, up], newest] = await Promise.all([
        Promise.all([...CHARTED.map((g) => read(GAUGES[g])), read('device_up')]),
        Promise.all(missing.map((g) => samples?.latest(GAUGES[g], labels) ?? Promise.resolve([]))),
      ]);
      let pools = latest.memoryPools(id);
      missing.forEach((g, i) => {
        const rows = newest[i] ?? [];
        const v = combine(
          rows.map((s) => Number(s.value)),
          COMBINE[g],
        );
        if (v !== undefined) current[g] = v;
        if (g === 'memoryUsed') pools = rows.length;
      });
      // The chart shows what the tile does: memory used summed over the pools, per step.
      const memory = sumPerStep(memoryUsed ?? [], labels);
      return {
        router: id,
        from,
        to,
        step,
        stored: samples !== undefined,
        series: { cpu, memoryUsed: memory, temperature, up },
        now: current,
        /** Memory (tile and chart) is the sum over this many pools; CPU and temperature the highest. */
        memory: { combined: 'sum', pools: Math.max(pools, memoryUsed?.length ?? 0) },
      };
    },
  );
}
