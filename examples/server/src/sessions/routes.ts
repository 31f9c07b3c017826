import type { FastifyInstance } from 'fastify';
import { type PageParams, pagedList, pageQuery } from '../http/query.js';
import type { DhcpRow, Page as FactsPage } from '../inventory/facts.js';

interface Query extends PageParams {
  q?: string;
  router?: string;
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

/** The list filter of a query: its router and search text. */
const filter = (q: Query) => ({ device: q.router, search: q.q });

/**
 * Leases read from storage without an expiry (a store that does not keep it) get the one of this
 * process's latest poll of their router, when it polls that router: "Expires in" was always "–"
 * because the stored leases had no such column while the driver reports `expires-after`.
 */
async function withExpiry(app: FastifyInstance, page: FactsPage<DhcpRow>): Promise<FactsPage<DhcpRow>> {
  if (app.inventory === app.facts || page.items.every((l) => l.expiresAfterSeconds !== undefined))
    return page;
  const latest = new Map<string, number>();
  for (const device of new Set(page.items.map((l) => l.device))) {
    const polled = await app.facts.dhcp({ device, offset: 0, limit: 100_000 });
    for (const l of polled.items)
      if (l.expiresAfterSeconds !== undefined)
        latest.set(`${device} ${l.mac} ${l.address}`, l.expiresAfterSeconds);
  }
  if (latest.size === 0) return page;
  return {
    ...page,
    items: page.items.map((l) =>
      l.expiresAfterSeconds !== undefined
        ? l
        : { ...l, expiresAfterSeconds: latest.get(`${l.device} ${l.mac} ${l.address}`) },
    ),
  };
}

/** `/api/v1/sessions/pppoe`, `/dhcp` and `/wireless`: search by subscriber, MAC or address. */
export async function sessionRoutes(app: FastifyInstance): Promise<void> {
  const tags = ['sessions'];
  app.get<{ Querystring: Query }>(
    '/api/v1/sessions/pppoe',
    { schema: { tags, summary: 'PPPoE sessions', querystring } },
    async (req) => pagedList(req.query, (p) => app.inventory.pppoe({ ...filter(req.query), ...p })),
  );
  app.get<{ Querystring: Query }>(
    '/api/v1/sessions/wireless',
    { schema: { tags, summary: 'Wireless clients (from the latest polls)', querystring } },
    async (req) => pagedList(req.query, (p) => app.facts.wireless({ ...filter(req.query), ...p })),
  );
  app.get<{ Querystring: Query }>(
    '/api/v1/sessions/dhcp',
    { schema: { tags, summary: 'DHCP leases', querystring } },
    async (req) =>
      pagedList(req.query, async (p) =>
        withExpiry(app, await app.inventory.dhcp({ ...filter(req.query), ...p })),
      ),
  );
}
