import type { RangeQuery, SeriesData } from '@ispmonitor/core';
import type { FastifyInstance } from 'fastify';
import { HttpError, ServerErrors } from '../http/errors.js';
import { parseStepRange, type RangeQueryString, stepRangeProperties } from '../http/range.js';
import { requireSamples } from '../http/storage.js';
import { FNS, MAX_POINTS, metricQuery } from './range.js';

/** Sums every series point-wise by timestamp (the series share the query's step grid). */
function sumByTs(series: SeriesData[], scale = 1): Array<[number, number]> {
  const sums = new Map<number, number>();
  for (const s of series) for (const [ts, v] of s.points) sums.set(ts, (sums.get(ts) ?? 0) + v * scale);
  return [...sums.entries()].sort((a, b) => a[0] - b[0]);
}

/** A range of these routes: `span` ms before `to` by default, 5-minute steps. */
const window = (q: RangeQueryString, span: number) =>
  parseStepRange(q, { span, step: 300_000, maxSteps: MAX_POINTS });

/**
 * Aggregates for the UI's overview and tables: one metric summed over the whole fleet, and the
 * total traffic of many routers at once (sparklines, up to `server.limits.sparklineRouters`),
 * instead of one request per router.
 */
export async function fleetMetricRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['metrics'];
  app.get<{
    Querystring: RangeQueryString & { metric: string; fn?: RangeQuery['fn'] };
  }>(
    '/api/v1/metrics/fleet',
    {
      schema: {
        tags,
        summary: 'One metric summed over every device, per step',
        querystring: metricQuery({
          ...stepRangeProperties('-24h', '5m'),
          fn: { type: 'string', enum: [...FNS] },
        }),
      },
    },
    async (req) => {
      const { from, to, step } = window(req.query, 86_400_000);
      const metric = req.query.metric;
      const fn = req.query.fn ?? (metric.endsWith('_total') ? 'rate' : 'avg');
      const series = await requireSamples(app).range({ name: metric, from, to, step, fn });
      return { metric, from, to, step, fn, series: series.length, points: sumByTs(series) };
    },
  );

  app.get<{ Querystring: RangeQueryString & { routers: string } }>(
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
            ...stepRangeProperties('-1h', '5m'),
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
      const query = requireSamples(app);
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
