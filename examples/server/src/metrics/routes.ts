import { CoreErrors, catalogNames, type RangeQuery } from '@ispmonitor/core';
import type { FastifyInstance } from 'fastify';
import { HttpError, ServerErrors } from '../http/errors.js';
import { pathParams } from '../http/params.js';
import { parseStep } from '../http/query.js';
import { parseStepRange, type RangeQueryString, stepRangeProperties } from '../http/range.js';
import { requireSamples } from '../http/storage.js';
import { FNS, MAX_POINTS, metricQuery } from './range.js';

interface RangeParams extends RangeQueryString {
  metric?: string;
  fn?: RangeQuery['fn'];
}

const rangeQuery = (defaultMetric: string) =>
  ({
    type: 'object',
    additionalProperties: false,
    properties: {
      metric: { type: 'string', enum: [...catalogNames], default: defaultMetric },
      ...stepRangeProperties('-1h', '60s'),
      fn: { type: 'string', enum: [...FNS] },
    },
  }) as const;

/** `/api/v1/metrics/routers/:id` and `/api/v1/metrics/interfaces/:id`: time series from storage. */
export async function metricsApiRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['metrics'];
  const range = async (
    labels: Record<string, string>,
    q: RangeParams,
    metric: string,
    defaultFn: RangeQuery['fn'],
  ) => {
    const { from, to, step } = parseStepRange(q, { span: 3_600_000, step: 60_000, maxSteps: MAX_POINTS });
    const fn = q.fn ?? defaultFn;
    const query = requireSamples(app);
    const series = await query.range({ name: metric, labels, from, to, step, ...(fn ? { fn } : {}) });
    return { metric, from, to, step, fn: fn ?? 'raw', series };
  };

  app.get<{ Params: { id: string }; Querystring: RangeParams }>(
    '/api/v1/metrics/routers/:id',
    {
      schema: {
        tags,
        summary: 'A metric of one router over a range',
        params: pathParams('id', 128),
        querystring: rangeQuery('device_cpu_load_ratio'),
      },
    },
    async (req) => {
      if (!app.monitor.devices.get(req.params.id)) {
        throw new HttpError(CoreErrors.DEVICE_NOT_FOUND, `no router "${req.params.id}"`);
      }
      const metric = req.query.metric ?? 'device_cpu_load_ratio';
      return range({ device: req.params.id }, req.query, metric, 'avg');
    },
  );

  app.get<{ Params: { id: string }; Querystring: RangeParams }>(
    '/api/v1/metrics/interfaces/:id',
    {
      schema: {
        tags,
        summary: 'A metric of one interface (id `<router>:<index>`) over a range',
        params: pathParams('id', 300),
        querystring: rangeQuery('interface_in_octets_total'),
      },
    },
    async (req) => {
      const cut = req.params.id.lastIndexOf(':');
      const device = cut > 0 ? req.params.id.slice(0, cut) : '';
      if (!device || !app.monitor.devices.get(device)) {
        throw new HttpError(
          ServerErrors.NOT_FOUND,
          `no interface "${req.params.id}" (expected <router>:<index>)`,
        );
      }
      const { items } = await app.inventory.interfaces({ device, limit: 100_000, offset: 0 });
      const iface = items.find((i) => i.id === req.params.id);
      if (!iface)
        throw new HttpError(ServerErrors.NOT_FOUND, `router "${device}" has no interface "${req.params.id}"`);
      const metric = req.query.metric ?? 'interface_in_octets_total';
      const counter = metric.endsWith('_total');
      return range({ device, ifName: iface.name }, req.query, metric, counter ? 'rate' : 'avg');
    },
  );

  app.get<{ Querystring: { metric: string; router?: string } }>(
    '/api/v1/metrics/latest',
    {
      schema: {
        tags,
        summary: 'Newest sample of every series of one metric (all routers, or one)',
        querystring: metricQuery({ router: { type: 'string', maxLength: 128 } }),
      },
    },
    async (req) => {
      const query = requireSamples(app, 'samples are not kept');
      const labels = req.query.router ? { device: req.query.router } : undefined;
      const samples = await query.latest(req.query.metric, labels);
      return {
        metric: req.query.metric,
        items: samples.map((s) => ({
          device: s.labels.device,
          labels: s.labels,
          // Beyond 2^53 a counter stays exact as a string.
          value: typeof s.value === 'bigint' ? s.value.toString() : s.value,
          ts: s.ts,
        })),
      };
    },
  );

  app.get<{ Querystring: { kind: 'interfaces' | 'cpu'; window?: string; limit?: number } }>(
    '/api/v1/metrics/top',
    {
      schema: {
        tags,
        summary: 'Busiest interfaces (bits/s, in+out) or highest CPU over a window ending now',
        querystring: {
          type: 'object',
          required: ['kind'],
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: ['interfaces', 'cpu'] },
            window: { type: 'string', maxLength: 20 },
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
          },
        },
      },
    },
    async (req) => {
      const store = app.store();
      if (!store)
        throw new HttpError(
          ServerErrors.NO_STORAGE,
          'no storage plugin is installed: rankings need stored samples',
        );
      const windowMs = parseStep(req.query.window, 300_000, 'window');
      if (windowMs > 7 * 86_400_000) throw new HttpError(400, 'window: at most 7d');
      const limit = req.query.limit ?? 10;
      const items =
        req.query.kind === 'interfaces'
          ? await store.busiestInterfaces(windowMs, limit)
          : await store.highestCpu(windowMs, limit);
      return { kind: req.query.kind, window: windowMs, items };
    },
  );
}
