import type { FastifyInstance } from 'fastify';
import { HttpError, ServerErrors } from '../http/errors.js';
import { pathParams } from '../http/params.js';
import { errorSchema, parseTime } from '../http/query.js';
import { badQuery, checkIp, checkMac, checkQuery } from './input.js';
import { type Match, mergeHits, searchRouters } from './router-search.js';
import { NO_SUBSCRIBER_STORE, read, requireReads, subscriberReads } from './store.js';

const DAY = 86_400_000;
/** Default window of the history reads: the month a help desk looks back over. */
const DEFAULT_WINDOW = 30 * DAY;

const tags = ['subscribers'];
const errors = { 400: errorSchema, 404: errorSchema, 503: errorSchema };
const time = (what: string) => ({
  type: 'string',
  maxLength: 40,
  description: `${what}: now, -<duration>, epoch ms or ISO date`,
});
const windowQuery = (maxLimit: number, defaultLimit: number, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  additionalProperties: false,
  properties: {
    from: time('start (default -30d)'),
    to: time('end (default now)'),
    limit: { type: 'integer', minimum: 1, maximum: maxLimit, default: defaultLimit },
    ...extra,
  },
});

interface WindowQuery {
  from?: string;
  to?: string;
  limit?: number;
}

/** `from`/`to` of a history query, checked. */
function window(q: WindowQuery): { from: number; to: number } {
  const now = Date.now();
  const to = parseTime(q.to, now, now, 'to');
  const from = parseTime(q.from, to - DEFAULT_WINDOW, now, 'from');
  if (from >= to) throw badQuery('from must be before to');
  return { from, to };
}

/**
 * Fleet-wide search and subscriber history: `/api/v1/search`, `/api/v1/subscribers/:user`,
 * `/api/v1/subscribers/:user/sessions`, `/api/v1/ips/:ip/history`, `/api/v1/macs/:mac/history`.
 * Readable with the viewer role. Without subscriber storage the history endpoints answer 503 and
 * the search still finds routers (from the device registry), saying what it could not search.
 */
export async function subscriberRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { q: string; limit?: number } }>(
    '/api/v1/search',
    {
      schema: {
        tags,
        summary: 'Search routers, interfaces, subscribers, IPs and MACs across the fleet',
        description:
          'Exact matches first, then prefix, then substring. MACs match in any notation; IPs exactly, by CIDR or by textual prefix.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['q'],
          properties: {
            // Longer than 200 so surrounding blanks are trimmed first; checkQuery says the limit.
            q: { type: 'string', maxLength: 256, description: '1–200 characters after trimming' },
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          },
        },
        response: { 400: errorSchema },
      },
    },
    async (req) => {
      const q = checkQuery(req.query.q);
      const limit = req.query.limit ?? 20;
      const routers = searchRouters(app.devices.list(), q, limit);
      const reads = subscriberReads(app);
      if (!reads)
        return { query: q, hits: routers, note: `${NO_SUBSCRIBER_STORE}; only routers were searched` };
      let stored: Awaited<ReturnType<typeof reads.search>>;
      try {
        // A router found by name or prefix is a better answer than any substring of the history.
        const substring = routers.every((r) => r.match === 'substring');
        stored = await read(() => reads.search(q, { limit, substring }));
      } catch (err) {
        if (err instanceof HttpError) throw err;
        // The database is down or slow: the routers are still worth showing, with the reason.
        req.log.warn({ err }, 'subscriber search failed');
        return {
          query: q,
          hits: routers,
          note: 'only routers were searched: the subscriber store did not answer',
        };
      }
      return {
        query: q,
        hits: mergeHits<{ match: Match }>(routers, stored, limit),
      };
    },
  );

  app.get<{ Params: { user: string } }>(
    '/api/v1/subscribers/:user',
    {
      schema: {
        tags,
        summary: 'A subscriber: current sessions, last seen, routers seen on, reconnects in 24 h and 7 d',
        params: pathParams('user', 256, { minLength: 1, description: 'PPPoE user name' }),
        response: errors,
      },
    },
    async (req) => {
      const reads = requireReads(app);
      const summary = await read(() => reads.subscriber(req.params.user));
      if (!summary)
        throw new HttpError(
          ServerErrors.NOT_FOUND,
          `no subscriber "${req.params.user.slice(0, 64)}" has been seen`,
        );
      return summary;
    },
  );

  app.get<{ Params: { user: string }; Querystring: WindowQuery & { before?: string } }>(
    '/api/v1/subscribers/:user/sessions',
    {
      schema: {
        tags,
        summary: "A subscriber's sessions, newest first; `next` is the `before` cursor of the next page",
        params: pathParams('user', 256, { minLength: 1, description: 'PPPoE user name' }),
        querystring: windowQuery(500, 50, {
          before: { type: 'string', maxLength: 200, description: 'cursor from the previous page' },
        }),
        response: errors,
      },
    },
    async (req) => {
      // Input first: a bad request is a 400 whether or not history is kept.
      const w = window(req.query);
      const reads = requireReads(app);
      return read(() =>
        reads.subscriberSessions(req.params.user, {
          ...w,
          limit: req.query.limit ?? 50,
          before: req.query.before || undefined,
        }),
      );
    },
  );

  // The IP's and the MAC's history: one query and one answer, keyed by the address it is about.
  const addressHistories = [
    {
      path: '/api/v1/ips/:ip/history',
      key: 'ip',
      summary: 'Who held an IP address (PPPoE, DHCP, ARP), when and on which router',
      description: 'IPv4 or IPv6 address',
      check: checkIp,
      method: 'ipHistory',
    },
    {
      path: '/api/v1/macs/:mac/history',
      key: 'mac',
      summary:
        'Where a MAC address was seen (PPPoE caller id, DHCP, wireless, ARP), when and on which router',
      description: 'MAC address in any common notation',
      check: checkMac,
      method: 'macHistory',
    },
  ] as const;
  for (const h of addressHistories) {
    app.get<{ Params: Record<typeof h.key, string>; Querystring: WindowQuery }>(
      h.path,
      {
        schema: {
          tags,
          summary: h.summary,
          params: pathParams(h.key, 64, { minLength: 1, description: h.description }),
          querystring: windowQuery(1000, 100),
          response: errors,
        },
      },
      async (req) => {
        const address = h.check(req.params[h.key]);
        const w = window(req.query);
        const reads = requireReads(app);
        const items = await read(() => reads[h.method](address, { ...w, limit: req.query.limit ?? 100 }));
        return { [h.key]: address, items };
      },
    );
  }
}
