import { CoreErrors } from '@ispmonitor/core';
import { postgresStore } from '@ispmonitor/plugin-postgres';
import type { FastifyInstance } from 'fastify';
import { HttpError, ServerErrors } from '../http/errors.js';
import { pathParams } from '../http/params.js';
import { errorSchema } from '../http/query.js';
import { parseRange, type RangeQueryString, rangeProperties } from '../http/range.js';

/** At most this many transitions in one answer (a flapping router over 30 days). */
const MAX_CHANGES = 5000;

/**
 * `/api/v1/routers/:id/status-history`: a router's status changes over a range and its
 * availability (time online over time known), from the storage plugin's status history.
 */
export async function statusHistoryRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { id: string }; Querystring: Omit<RangeQueryString, 'step'> }>(
    '/api/v1/routers/:id/status-history',
    {
      schema: {
        tags: ['routers'],
        summary: 'Status changes and availability of one router over a range',
        params: pathParams('id', 128),
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: rangeProperties('-24h'),
        },
        response: { 400: errorSchema, 404: errorSchema, 501: errorSchema },
      },
    },
    async (req) => {
      const id = req.params.id;
      if (!app.monitor.devices.get(id)) throw new HttpError(CoreErrors.DEVICE_NOT_FOUND, `no router "${id}"`);
      if (!app.monitor.has(postgresStore)) {
        throw new HttpError(
          ServerErrors.NO_STORAGE,
          'no storage plugin is installed: status history is not kept',
        );
      }
      const { from, to } = parseRange(req.query, 86_400_000);
      const store = app.monitor.resolve(postgresStore);
      const [changes, availability] = await Promise.all([
        store.statusHistory(id, from, to),
        store.availability(from, to, [id]),
      ]);
      return {
        device: id,
        from,
        to,
        changes: changes.slice(-MAX_CHANGES),
        truncated: changes.length > MAX_CHANGES,
        availability: availability[0] ?? null,
      };
    },
  );
}
