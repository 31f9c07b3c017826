import type { FastifyInstance } from 'fastify';
import { HttpError } from '../http/errors.js';
import { pageQuery, paging } from '../http/query.js';

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

interface Query {
  router?: string;
  search?: string;
  operUp?: boolean;
  page?: number;
  pageSize?: number;
}

/** `/api/v1/interfaces` (all, filtered) and `/api/v1/routers/:id/interfaces`. */
export async function interfaceRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['interfaces'];
  const list = async (device: string | undefined, q: Query) => {
    const { offset, limit, page, pageSize } = paging(q);
    const result = await app.inventory.interfaces({
      device,
      search: q.search,
      operUp: q.operUp,
      offset,
      limit,
    });
    return { ...result, page, pageSize };
  };
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
        params: { type: 'object', properties: { id: { type: 'string', maxLength: 128 } } },
        querystring: listQuery,
      },
    },
    async (req) => {
      if (!app.monitor.devices.get(req.params.id)) {
        throw new HttpError(404, `no router "${req.params.id}"`, 'ISPM_DEVICE_NOT_FOUND');
      }
      return list(req.params.id, req.query);
    },
  );
}
