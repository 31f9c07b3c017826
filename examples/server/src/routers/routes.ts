import { CoreErrors, type DeviceState } from '@ispmonitor/core';
import type { FastifyInstance } from 'fastify';
import { actor } from '../auth/guard.js';
import { HttpError, ServerErrors } from '../http/errors.js';
import { pathParams } from '../http/params.js';
import { errorSchema, type PageParams, pageQuery, paging } from '../http/query.js';
import { checkCredentials } from './credentials.js';
import { LatestGauges, routerHealthRoute } from './health.js';
import { type RouterFilter, RouterListIndex } from './list-index.js';
import { systemView } from './sysdescr.js';
import { deviceBodySchema, deviceInput, routerSchema, routerView } from './view.js';

interface ListQuery extends RouterFilter, PageParams {
  /** Also answer the whole inventory's count per status (the overview's tiles, in one request). */
  counts?: boolean;
}

const idParams = pathParams('id', 128, { minLength: 1 });

/** `/api/v1/routers`: list with filters and pages, create, read, update, delete. */
export async function routerRoutes(app: FastifyInstance): Promise<void> {
  const devices = app.devices;
  const registry = app.monitor.devices;
  const tags = ['routers'];

  const index = new RouterListIndex(devices, app.monitor.bus);
  // The newest CPU, memory, temperature and uptime of each router this process polls: a router's
  // answer carries them, so the page's tiles wait for no storage query.
  const latest = new LatestGauges(app.monitor.bus);
  app.addHook('onClose', async () => {
    index.close();
    latest.close();
  });
  routerHealthRoute(app, latest);

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
            counts: {
              type: 'boolean',
              description: 'also answer `counts`: routers per status in the whole inventory, filters aside',
            },
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
              counts: {
                type: 'object',
                properties: {
                  online: { type: 'integer' },
                  unreachable: { type: 'integer' },
                  offline: { type: 'integer' },
                  unknown: { type: 'integer' },
                },
              },
            },
          },
        },
      },
    },
    async (req) => {
      const { offset, limit, page, pageSize } = paging(req.query);
      const { ids, total } = index.page(req.query, offset, limit);
      // The page's states are read now: last poll times and the like change at every poll.
      const items = ids.map((id) => devices.get(id)).filter((s): s is DeviceState => s !== undefined);
      // One walk of the scheduler's entries: four `?status=` lists would each filter every router
      // again whenever a status changed (the overview's cost that grew with the fleet).
      const counts = req.query.counts ? { counts: devices.counts() } : {};
      return { items: items.map(routerView), total, page, pageSize, ...counts };
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
      if (!state) throw new HttpError(CoreErrors.DEVICE_NOT_FOUND, `no router "${req.params.id}"`);
      const system = app.facts.system(req.params.id);
      const gauges = latest.of(req.params.id);
      // OS, version and model read from sysDescr where the driver does not name them.
      return {
        ...routerView(state),
        ...(system ? { system: systemView(system) } : {}),
        ...(Object.keys(gauges).length > 0 ? { gauges } : {}),
      };
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
      const allowed = app.license.allowsAnotherRouter(registry.list().length);
      if (!allowed.ok) throw new HttpError(ServerErrors.LICENSE_LIMIT, allowed.message);
      const state = await registry.add(deviceInput(req.body));
      await app.audit.record(actor(req), 'router.create', state.device.id, {
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
        summary:
          'Change a router (devices from the config file are read-only). Changing host, port or driver needs the driver settings (credentials) in the same request, or keepCredentials: true from an admin',
        params: idParams,
        body: {
          ...deviceBodySchema,
          minProperties: 1,
          properties: { ...deviceBodySchema.properties, keepCredentials: { type: 'boolean' } },
        },
        response: {
          200: routerSchema,
          400: errorSchema,
          403: errorSchema,
          404: errorSchema,
          409: errorSchema,
        },
      },
    },
    async (req) => {
      if (req.body.id !== undefined && req.body.id !== req.params.id) {
        throw new HttpError(400, 'id cannot be changed: create a new router instead');
      }
      const current = registry.get(req.params.id);
      const decision = checkCredentials(
        current?.origin === 'store' ? current.device : undefined,
        req.body,
        req.principal,
      );
      const state = await registry.update(req.params.id, deviceInput(req.body));
      // Only the names of the changed fields: values may be credentials.
      await app.audit.record(actor(req), 'router.update', req.params.id, {
        fields: Object.keys(req.body).filter((k) => k !== 'keepCredentials'),
        ...(decision.moved.length > 0 ? { moved: decision.moved } : {}),
        ...(decision.kept ? { keptCredentials: decision.kept } : {}),
      });
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
      await app.audit.record(actor(req), 'router.delete', req.params.id);
      return reply.code(204).send();
    },
  );
}
