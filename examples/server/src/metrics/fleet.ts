import { catalogNames, type RangeQuery, type SampleQuery, type SeriesData } from '@ispmonitor/core';
import type { FastifyInstance } from 'fastify';
import { HttpError, ServerErrors } from '../http/errors.js';
import { parseStep, parseTime } from '../http/query.js';

const FNS = ['raw', 'rate', 'increase', 'avg', 'min', 'max', 'last'] as const;
const MAX_POINTS = 11_000;

/** Sums every series point-wise by timestamp (the series share the query's step grid). */
function sumByTs(series: SeriesData[], scale = 1): Array<[number, number]> {
  const sums = new Map<number, number>();
  for (const s of series) for (const [ts, v] of s.points) sums.set(ts, (sums.get(ts) ?? 0) + v * scale);
  return [...sums.entries()].sort((a, b) => a[0] - b[0]);
}

function window(q: { from?: string; to?: string; step?: string }, defaultFrom: number) {
  const now = Date.now();
  const to = parseTime(q.to, now, now, 'to');
  const from = parseTime(q.from, to - defaultFrom, now, 'from');
  const step = parseStep(q.step, 300_000);
  if (from >= to) throw new HttpError(400, 'from must be before to');
  if ((to - from) / step > MAX_POINTS)
    throw new HttpError(400, `more than ${MAX_POINTS} steps: use a larger step`);
  return { from, to, step };
}

function storage(app: FastifyInstance): SampleQuery {
  const q = app.samples();
  if (!q)
    throw new HttpError(ServerErrors.NO_STORAGE, 'no storage plugin is installed: time series are not kept');
  return q;
}

/**
 * Aggregates for the UI's overview and tables: one metric summed over the whole fleet, and the
 * total traffic of many routers at once (sparklines, up to `server.limits.sparklineRouters`),
 * instead of one request per router.
 */
export async function fleetMetricRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['metrics'];
  app.get<{
    Querystring: { metric: string; from?: string; to?: string; step?: string; fn?: RangeQuery['fn'] };
  }>(
    '/api/v1/metrics/fleet',
    {
      schema: {
        tags,
        summary: 'One metric summed over every device, per step',
        querystring: {
          type: 'object',
          required: ['metric'],
          additionalProperties: false,
          properties: {
            metric: { type: 'string', enum: [...catalogNames] },
            from: { type: 'string', maxLength: 40 },
            to: { type: 'string', maxLength: 40 },
            step: { type: 'string', maxLength: 20 },
            fn: { type: 'string', enum: [...FNS] },
          },
        },
      },
    },
    async (req) => {
      const { from, to, step } = window(req.query, 86_400_000);
      const metric = req.query.metric;
      const fn = req.query.fn ?? (metric.endsWith('_total') ? 'rate' : 'avg');
      const series = await storage(app).range({ name: metric, from, to, step, fn });
      return { metric, from, to, step, fn, series: series.length, points: sumByTs(series) };
    },
  );

  app.get<{ Querystring: { routers: string; from?: string; to?: string; step?: string } }>(
    '/api/v1/metrics/sparklines',
    {
      schema: {
        tags,
        summary:
          'Total traffic (in+out bits/s over all interfaces) of up to 60 routers (server.limits.sparklineRouters)',
        querystring: {
          type: 'object',
          required: ['routers'],
          additionalProperties: false,
          properties: {
            routers: {
              type: 'string',
              minLength: 1,
              maxLength: 30_000,
              description: 'comma-separated router ids',
            },
            from: { type: 'string', maxLength: 40 },
            to: { type: 'string', maxLength: 40 },
            step: { type: 'string', maxLength: 20 },
          },
        },
      },
    },
    async (req) => {
      const ids = [
        ...new Set(
          req.query.routers
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        ),
      ];
      // Two range queries per router: the cap keeps one request from holding the database for
      // hundreds of them.
      const max = app.serverConfig.limits.sparklineRouters;
      if (ids.length > max) {
        throw new HttpError(
          ServerErrors.TOO_MANY_ROUTERS,
          `routers: at most ${max} ids per request (server.limits.sparklineRouters), got ${ids.length}: split the list`,
        );
      }
      const { from, to, step } = window(req.query, 3_600_000);
      const query = storage(app);
      const items: Record<string, Array<[number, number]>> = {};
      for (const id of ids) {
        if (!app.monitor.devices.get(id)) continue;
        const both = await Promise.all(
          ['interface_in_octets_total', 'interface_out_octets_total'].map((name) =>
            query.range({ name, labels: { device: id }, from, to, step, fn: 'rate' }),
          ),
        );
        items[id] = sumByTs(both.flat(), 8);
      }
      return { from, to, step, items };
    },
  );
}
