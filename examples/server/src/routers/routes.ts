import type { Device, DeviceState, DeviceStatus } from '@ispmonitor/core';
import type { FastifyInstance } from 'fastify';
import { actor } from '../auth/guard.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../http/errors.js';
import { errorSchema, pageQuery, paging } from '../http/query.js';
import { deviceBodySchema, deviceInput, routerSchema, routerView } from './view.js';

interface ListQuery {
  status?: DeviceStatus;
  site?: string;
  role?: string;
  driver?: string;
  origin?: 'config' | 'store';
  search?: string;
  page?: number;
  pageSize?: number;
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

/** A device in the list index, with the lower-case text a search looks in. */
interface Row {
  id: string;
  device: Device;
  hay: string;
}

/** Definition filters whose matching rows are kept (the oldest is dropped first). */
const MATCH_CACHE = 32;

/** Filters on the device definition (cached until the inventory changes). */
function matchesDevice(d: Device, q: ListQuery): boolean {
  if (q.driver && d.driver !== q.driver) return false;
  if (q.site && d.labels?.site !== q.site) return false;
  if (q.role && d.labels?.role !== q.role) return false;
  return true;
}

/** Filters on the live state (status changes without an inventory event). */
function matchesState(s: DeviceState, q: ListQuery): boolean {
  if (q.status && s.status !== q.status) return false;
  if (q.origin && s.origin !== q.origin) return false;
  return true;
}

/** `/api/v1/routers`: list with filters and pages, create, read, update, delete. */
export async function routerRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  const devices = ctx.devices;
  const registry = ctx.monitor.devices;
  const tags = ['routers'];

  // Devices in id order with their lower-case search text, rebuilt only after the inventory
  // changed: sorting 10,000 ids (and lower-casing their names) on every request would cost more
  // than the page itself. The rows matching a definition filter (driver, site, role, search) are
  // kept too, for the last few filters asked: paging through one filtered list then costs a slice.
  // The rows matching a status or origin filter too are kept until a status changes: reading the
  // status of 10,000 devices on every request costs more than the page (and on an API replica
  // allocates a state per device).
  let index: { rows: Row[]; matches: Map<string, Row[]>; byState: Map<string, Row[]> } | undefined;
  let checkedAt = 0;
  const invalidate = () => {
    index = undefined;
  };
  const statusChanged = () => {
    index?.byState.clear();
  };
  const offs = [
    ctx.monitor.bus.on('device:added', invalidate),
    ctx.monitor.bus.on('device:changed', invalidate),
    ctx.monitor.bus.on('device:removed', invalidate),
    // An API replica's statuses change at its sync rounds, which the bus does not carry.
    ctx.devices.onStatusChange
      ? ctx.devices.onStatusChange(statusChanged)
      : ctx.monitor.bus.on('device:status', statusChanged),
  ];
  app.addHook('onClose', async () => {
    for (const off of offs) off();
  });
  const currentIndex = () => {
    const now = Date.now();
    // Devices loaded without an event (config, stored devices at start) change the count:
    // checked at most once a second, because counting walks every device.
    if (index && now - checkedAt > 1000) {
      checkedAt = now;
      const total = Object.values(devices.counts()).reduce((a, b) => a + b, 0);
      if (total !== index.rows.length) index = undefined;
    }
    if (!index) {
      const rows = devices.list().map((s) => ({
        id: s.device.id,
        device: s.device,
        hay: `${s.device.id}\u0000${s.device.name ?? ''}\u0000${s.device.host}`.toLowerCase(),
      }));
      rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      index = { rows, matches: new Map(), byState: new Map() };
      checkedAt = now;
    }
    return index;
  };
  /** The rows matching the definition filters of a query, from the cache when asked lately. */
  const matching = (q: ListQuery): Row[] => {
    const { rows, matches } = currentIndex();
    const needle = q.search?.toLowerCase();
    if (!needle && !q.driver && !q.site && !q.role) return rows;
    const key = JSON.stringify([needle, q.driver, q.site, q.role]);
    let found = matches.get(key);
    if (!found) {
      found = rows.filter((r) => (!needle || r.hay.includes(needle)) && matchesDevice(r.device, q));
      if (matches.size >= MATCH_CACHE) matches.delete(matches.keys().next().value as string);
      matches.set(key, found);
    }
    return found;
  };
  /** The rows matching a query with a status or origin filter, from the cache until a status changes. */
  const matchingState = (q: ListQuery): Row[] => {
    const rows = matching(q);
    const { byState } = currentIndex();
    const key = JSON.stringify([q.search?.toLowerCase(), q.driver, q.site, q.role, q.status, q.origin]);
    let found = byState.get(key);
    if (!found) {
      found = rows.filter((r) => {
        const state = devices.get(r.id);
        return state !== undefined && matchesState(state, q);
      });
      if (byState.size >= MATCH_CACHE) byState.delete(byState.keys().next().value as string);
      byState.set(key, found);
    }
    return found;
  };

  app.get<{ Querystring: ListQuery }>(
    '/api/v1/routers',
    {
      schema: {
        tags,
        summary: 'List routers',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: ['unknown', 'online', 'unreachable', 'offline'] },
            site: { type: 'string', maxLength: 128 },
            role: { type: 'string', maxLength: 128 },
            driver: { type: 'string', maxLength: 64 },
            origin: { type: 'string', enum: ['config', 'store'] },
            search: { type: 'string', maxLength: 256 },
            ...pageQuery,
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: { type: 'array', items: routerSchema },
              total: { type: 'integer' },
              page: { type: 'integer' },
              pageSize: { type: 'integer' },
            },
          },
        },
      },
    },
    async (req) => {
      const { offset, limit, page, pageSize } = paging(req.query);
      const q = req.query;
      const rows = q.status || q.origin ? matchingState(q) : matching(q);
      // The page's states are read now: last poll times and the like change at every poll.
      const items = rows
        .slice(offset, offset + limit)
        .map((r) => devices.get(r.id))
        .filter((s): s is DeviceState => s !== undefined);
      return { items: items.map(routerView), total: rows.length, page, pageSize };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/routers/:id',
    {
      schema: {
        tags,
        summary: 'One router',
        params: idParams,
        response: { 200: routerSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const state = devices.get(req.params.id);
      if (!state) throw new HttpError(404, `no router "${req.params.id}"`, 'ISPM_DEVICE_NOT_FOUND');
      const system = ctx.facts.system(req.params.id);
      return { ...routerView(state), ...(system ? { system } : {}) };
    },
  );

  app.post<{ Body: Record<string, unknown> }>(
    '/api/v1/routers',
    {
      schema: {
        tags,
        summary: 'Add a router',
        body: { ...deviceBodySchema, required: ['id', 'host', 'driver'] },
        response: { 201: routerSchema, 400: errorSchema, 403: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      const allowed = ctx.license.allowsAnotherRouter(registry.list().length);
      if (!allowed.ok) throw new HttpError(403, allowed.message, 'ISPM_LICENSE_LIMIT');
      const state = await registry.add(deviceInput(req.body));
      await ctx.audit.record(actor(req), 'router.create', state.device.id, {
        host: state.device.host,
        driver: state.device.driver,
      });
      return reply.code(201).send(routerView(state));
    },
  );

  app.patch<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/api/v1/routers/:id',
    {
      schema: {
        tags,
        summary: 'Change a router (devices from the config file are read-only)',
        params: idParams,
        body: { ...deviceBodySchema, minProperties: 1 },
        response: { 200: routerSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req) => {
      if (req.body.id !== undefined && req.body.id !== req.params.id) {
        throw new HttpError(400, 'id cannot be changed: create a new router instead');
      }
      const state = await registry.update(req.params.id, req.body);
      // Only the names of the changed fields: values may be credentials.
      await ctx.audit.record(actor(req), 'router.update', req.params.id, { fields: Object.keys(req.body) });
      return routerView(state);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/routers/:id',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Remove a router',
        params: idParams,
        response: { 404: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      await registry.remove(req.params.id);
      await ctx.audit.record(actor(req), 'router.delete', req.params.id);
      return reply.code(204).send();
    },
  );
}
