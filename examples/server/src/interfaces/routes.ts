import { CoreErrors } from '@ispmonitor/core';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/errors.js';
import { pathParams } from '../http/params.js';
import { type PageParams, pagedList, pageQuery } from '../http/query.js';
import { parseStepRange, type RangeQueryString, stepRangeProperties } from '../http/range.js';
import { requireSamples } from '../http/storage.js';
import { defaultCharted } from './charted.js';
import { LiveInterfaces } from './live.js';
import { rateWindowMs } from './readings.js';
import { interfaceSeries } from './series.js';
import { interfaceTable } from './table.js';

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    router: { type: 'string', maxLength: 128 },
    search: { type: 'string', maxLength: 256 },
    operUp: { type: 'boolean' },
    ...pageQuery,
  },
} as const;

interface Query extends PageParams {
  router?: string;
  search?: string;
  operUp?: boolean;
}

const idParams = pathParams('id', 128, { minLength: 1 });

/** Most interfaces one chart request may name, and most points per series. */
const MAX_CHARTED = 64;
const MAX_STEPS = 11_000;

/**
 * `/api/v1/interfaces` (all, filtered), `/api/v1/routers/:id/interfaces`, and the router page's
 * two reads: the interface table with live rates, and the chosen interfaces' chart series.
 */
export async function interfaceRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['interfaces'];
  const list = async (device: string | undefined, q: Query) =>
    pagedList(q, (p) => app.inventory.interfaces({ device, search: q.search, operUp: q.operUp, ...p }));
  app.get<{ Querystring: Query }>(
    '/api/v1/interfaces',
    { schema: { tags, summary: 'Interfaces of all routers', querystring: listQuery } },
    async (req) => list(req.query.router, req.query),
  );
  app.get<{ Params: { id: string }; Querystring: Query }>(
    '/api/v1/routers/:id/interfaces',
    {
      schema: {
        tags,
        summary: 'Interfaces of one router',
        params: pathParams('id', 128),
        querystring: listQuery,
      },
    },
    async (req) => {
      if (!app.monitor.devices.get(req.params.id)) {
        throw new HttpError(CoreErrors.DEVICE_NOT_FOUND, `no router "${req.params.id}"`);
      }
      return list(req.params.id, req.query);
    },
  );

  const deviceOf = (id: string) => {
    const state = app.monitor.devices.get(id);
    if (!state) throw new HttpError(CoreErrors.DEVICE_NOT_FOUND, `no router "${id}"`);
    return state.device;
  };
  // The latest polls' interfaces are in memory; storage answers for routers this process does
  // not poll (an API replica, a router not polled since the start).
  const allOf = async (device: string) => {
    const polled = await app.facts.interfaces({ device, offset: 0, limit: 100_000 });
    if (polled.total > 0) return polled.items;
    return (await app.inventory.interfaces({ device, offset: 0, limit: 100_000 })).items;
  };
  // Live rates from the polls' samples: the table and the default chart choice read no storage.
  const live = new LiveInterfaces(app.monitor.bus, (d) => rateWindowMs(d.interval));
  app.addHook('onClose', async () => live.close());

  app.get<{ Params: { id: string } }>(
    '/api/v1/routers/:id/interface-table',
    {
      schema: {
        tags,
        summary:
          'Every interface of one router with live in/out bits/s, utilisation (0–1, clamped), errors and discards per second, state (admin-down apart) and an hour of sparkline; uplinks first',
        params: idParams,
      },
    },
    async (req) => {
      const device = deviceOf(req.params.id);
      return interfaceTable({
        device,
        interfaces: await allOf(device.id),
        samples: app.samples(),
        now: Date.now(),
        live: live.router(device.id),
      });
    },
  );

  app.get<{
    Params: { id: string };
    Querystring: RangeQueryString & { ifNames?: string; charted?: 'default' };
  }>(
    '/api/v1/routers/:id/interface-series',
    {
      schema: {
        tags,
        summary:
          'Chart series of chosen interfaces of one router: in/out bits/s, errors and discards per second, per step',
        description:
          'Name the interfaces (ifNames), or let the server choose as the router page does (charted=default: ' +
          'the uplinks, then the busiest running ports; the answer says which, in `charted`).',
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ifNames: {
              type: 'string',
              minLength: 1,
              maxLength: 16_384,
              description: 'comma-separated ifNames',
            },
            charted: { type: 'string', enum: ['default'], description: 'instead of ifNames' },
            ...stepRangeProperties('-1h', '60s'),
          },
        },
      },
    },
    async (req) => {
      const device = deviceOf(req.params.id);
      const samples = requireSamples(app);
      if ((req.query.ifNames === undefined) === (req.query.charted === undefined))
        throw new HttpError(
          400,
          'name the interfaces (ifNames) or ask for the default choice (charted=default)',
        );
      const interfaces = await allOf(device.id);
      const chosen = req.query.charted
        ? await defaultCharted({ device, interfaces, samples, now: Date.now(), live: live.router(device.id) })
        : undefined;
      const names = chosen
        ? chosen.map((c) => c.name)
        : [
            ...new Set(
              (req.query.ifNames ?? '')
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            ),
          ];
      if (names.length === 0 && !chosen) throw new HttpError(400, 'ifNames: name at least one interface');
      if (names.length > MAX_CHARTED) throw new HttpError(400, `ifNames: at most ${MAX_CHARTED} interfaces`);
      const { from, to, step } = parseStepRange(req.query, {
        span: 3_600_000,
        step: 60_000,
        maxSteps: MAX_STEPS,
      });
      const total = interfaces.length;
      const items = await interfaceSeries({
        samples,
        device: device.id,
        ifNames: names,
        total,
        from,
        to,
        step,
      });
      return { router: device.id, from, to, step, items, ...(chosen ? { charted: chosen } : {}) };
    },
  );
}
