import type { FastifyInstance } from 'fastify';
import { pageQuery, paging } from '../http/query.js';

interface Query {
  q?: string;
  router?: string;
  page?: number;
  pageSize?: number;
}

const querystring = {
  type: 'object',
  additionalProperties: false,
  properties: {
    q: { type: 'string', maxLength: 256, description: 'subscriber, MAC or address (substring)' },
    router: { type: 'string', maxLength: 128 },
    ...pageQuery,
  },
} as const;

/** `/api/v1/sessions/pppoe`, `/dhcp` and `/wireless`: search by subscriber, MAC or address. */
export async function sessionRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['sessions'];
  app.get<{ Querystring: Query }>(
    '/api/v1/sessions/pppoe',
    { schema: { tags, summary: 'PPPoE sessions', querystring } },
    async (req) => {
      const p = paging(req.query);
      const r = await app.inventory.pppoe({ device: req.query.router, search: req.query.q, ...p });
      return { ...r, page: p.page, pageSize: p.pageSize };
    },
  );
  app.get<{ Querystring: Query }>(
    '/api/v1/sessions/wireless',
    { schema: { tags, summary: 'Wireless clients (from the latest polls)', querystring } },
    async (req) => {
      const p = paging(req.query);
      const r = await app.facts.wireless({ device: req.query.router, search: req.query.q, ...p });
      return { ...r, page: p.page, pageSize: p.pageSize };
    },
  );
  app.get<{ Querystring: Query }>(
    '/api/v1/sessions/dhcp',
    { schema: { tags, summary: 'DHCP leases', querystring } },
    async (req) => {
      const p = paging(req.query);
      const r = await app.inventory.dhcp({ device: req.query.router, search: req.query.q, ...p });
      return { ...r, page: p.page, pageSize: p.pageSize };
    },
  );
}
