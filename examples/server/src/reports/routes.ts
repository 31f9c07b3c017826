import { Readable } from 'node:stream';
import { CoreErrors } from '@ispmonitor/core';
import { postgresStore } from '@ispmonitor/plugin-postgres';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HttpError, ServerErrors } from '../http/errors.js';
import { pathParams } from '../http/params.js';
import { errorSchema } from '../http/query.js';
import { parseRange, type RangeQueryString, rangeProperties } from '../http/range.js';
import type { Coverage, Outage } from './availability.js';
import { csvField, fileNamePart, isoOrEmpty, percent } from './csv.js';
import type { RouterReport } from './data.js';
import { MAX_LIMIT, sortedRouters } from './page.js';
import { type AvailabilityReport, ReportCache } from './report.js';
import { ROUTER_SORTS, type RouterSort } from './sorts.js';

interface PeriodQuery extends Omit<RangeQueryString, 'step'> {
  site?: string;
  router?: string;
}

const DAY = 86_400_000;
/** The longest period a report covers (the status history's default retention is 400 days). */
const MAX_PERIOD = 400 * DAY;

const periodSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...rangeProperties('-30d'),
    site: {
      type: 'string',
      maxLength: 200,
      description: "only routers with this `site` label ('' for none)",
    },
    router: { type: 'string', maxLength: 128, description: 'only this router' },
  },
} as const;

const errors = { 400: errorSchema, 404: errorSchema, 501: errorSchema } as const;

interface PageQuery extends PeriodQuery {
  sort?: RouterSort;
  desc?: boolean;
  offset?: number;
  limit?: number;
}

const pageSchema = {
  ...periodSchema,
  properties: {
    ...periodSchema.properties,
    sort: { type: 'string', enum: [...ROUTER_SORTS], description: 'order of `routers` (nulls last)' },
    desc: { type: 'boolean', description: 'descending; default ascending (availability: worst first)' },
    offset: { type: 'integer', minimum: 0, maximum: 10_000_000, description: 'routers skipped' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, description: 'routers answered' },
  },
} as const;

/** A router's line without its outage list (the list is the drill-down's and the CSV's). */
function routerLine(r: RouterReport) {
  const { outages, ...rest } = r;
  return { ...rest, outages: outages.length };
}

/** Outages of the given routers, newest first, each with its router. */
function outageLines(routers: readonly RouterReport[]) {
  const out: Array<Outage & { router: string; name: string; site: string | null }> = [];
  for (const r of routers)
    for (const o of r.outages) out.push({ ...o, router: r.id, name: r.name, site: r.site });
  return out.sort((a, b) => b.start - a.start || a.name.localeCompare(b.name));
}

type Cell = string | number | null;

/** The availability CSV's columns after a line's own (a site's or a router's). */
const COVERAGE_COLUMNS = [
  'covered_from',
  'covered_to',
  'covered_seconds',
  'availability_percent',
  'online_seconds',
  'unreachable_seconds',
  'down_seconds',
  'unknown_seconds',
  'outages',
];

/** The cells of `COVERAGE_COLUMNS` of a line: times in whole seconds. */
function coverageCells(x: Coverage, outages: number): Cell[] {
  const s = (ms: number) => Math.round(ms / 1000);
  const { ms } = x;
  return [
    isoOrEmpty(x.coveredFrom),
    isoOrEmpty(x.coveredTo),
    s(x.coveredMs),
    percent(x.availability),
    s(ms.online),
    s(ms.unreachable),
    s(ms.offline),
    s(ms.unknown),
    outages,
  ];
}

/** Lines of a CSV (CRLF-terminated), a few hundred rows per chunk: never the whole file in one string. */
function* csvLines<T>(header: readonly string[], rows: Iterable<T>, line: (row: T) => Cell[]) {
  let chunk = `${header.map(csvField).join(',')}\r\n`;
  let n = 0;
  for (const r of rows) {
    chunk += `${line(r).map(csvField).join(',')}\r\n`;
    if (++n % 500 === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** Streams a CSV as a download named after the period. */
function sendCsv(reply: FastifyReply, name: string, report: AvailabilityReport, body: Iterable<string>) {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace(':', '');
  const file = `${fileNamePart(name)}_${day(report.from)}_${day(report.to)}.csv`;
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${file}"`)
    .header('cache-control', 'no-store')
    .send(Readable.from(body, { objectMode: false }));
}

/**
 * `/api/v1/reports/…`: availability per router and per site over a period (default the last 30
 * days) from the stored status history, the time each one was actually covered, the outages, and
 * CSV of both. See `availability.ts` for what the figures mean.
 */
export async function reportRoutes(app: FastifyInstance): Promise<void> {
  const cache = new ReportCache();

  const report = async (q: PeriodQuery): Promise<AvailabilityReport> => {
    if (!app.monitor.has(postgresStore)) {
      throw new HttpError(
        ServerErrors.NO_STORAGE,
        'no storage plugin is installed: status history is not kept',
      );
    }
    const { from, to } = parseRange(q, 30 * DAY);
    if (to - from > MAX_PERIOD) throw new HttpError(400, 'the period is at most 400 days');
    const key = `${q.from ?? '-30d'}|${q.to ?? 'now'}`;
    return cache.get(key, app.monitor.resolve(postgresStore), () => app.devices.list(), from, to);
  };
  const filter = (r: AvailabilityReport, q: PeriodQuery): RouterReport[] => {
    if (q.router !== undefined) {
      const one = r.routers.find((x) => x.id === q.router);
      if (!one) throw new HttpError(CoreErrors.DEVICE_NOT_FOUND, `no router "${q.router}"`);
      return [one];
    }
    if (q.site === undefined) return r.routers;
    const site = q.site === '' ? null : q.site;
    return r.routers.filter((x) => x.site === site);
  };

  app.get<{ Querystring: PageQuery }>(
    '/api/v1/reports/availability',
    {
      schema: {
        tags: ['reports'],
        summary:
          'Availability of every site and of a page of routers over a period, with the time actually covered',
        description:
          'Availability is online time over covered time (the time the status was known: online, unreachable or ' +
          'offline) from the stored status history; time before a router was first seen is unknown, not counted. ' +
          '`total` and `sites` are always the whole fleet; `routers` is sorted (`sort`, `desc`; by name without ' +
          'one) and, with `limit`, one page of `routersTotal` (every router without it).',
        querystring: pageSchema,
        response: errors,
      },
    },
    async (req) => {
      const r = await report(req.query);
      const q = req.query;
      // Sorted once per period and order (the report's memo), then filtered and sliced.
      const ordered = q.sort ? sortedRouters(r, q.sort, q.desc === true) : r.routers;
      const routers = filter({ ...r, routers: ordered }, q);
      const offset = q.offset ?? 0;
      const page = q.limit === undefined ? routers.slice(offset) : routers.slice(offset, offset + q.limit);
      return {
        from: r.from,
        to: r.to,
        generatedAt: r.generatedAt,
        total: r.total,
        sites: r.sites,
        routersTotal: routers.length,
        offset,
        routers: page.map(routerLine),
      };
    },
  );

  app.get<{ Params: { id: string }; Querystring: PeriodQuery }>(
    '/api/v1/reports/availability/routers/:id',
    {
      schema: {
        tags: ['reports'],
        summary: "One router's availability over a period and its outages",
        params: pathParams('id', 128),
        querystring: periodSchema,
        response: errors,
      },
    },
    async (req) => {
      if (!app.devices.get(req.params.id))
        throw new HttpError(CoreErrors.DEVICE_NOT_FOUND, `no router "${req.params.id}"`);
      const r = await report(req.query);
      const [one] = filter(r, { router: req.params.id });
      return { from: r.from, to: r.to, generatedAt: r.generatedAt, router: one };
    },
  );

  app.get<{ Querystring: PeriodQuery }>(
    '/api/v1/reports/outages',
    {
      schema: {
        tags: ['reports'],
        summary: 'Outages (down or unreachable) over a period, newest first',
        querystring: periodSchema,
        response: errors,
      },
    },
    async (req) => {
      const r = await report(req.query);
      return {
        from: r.from,
        to: r.to,
        generatedAt: r.generatedAt,
        outages: outageLines(filter(r, req.query)),
      };
    },
  );

  app.get<{ Querystring: PeriodQuery & { by?: 'router' | 'site' } }>(
    '/api/v1/reports/availability.csv',
    {
      schema: {
        tags: ['reports'],
        summary: 'The availability report as CSV, one line per router (by=router) or per site (by=site)',
        querystring: {
          ...periodSchema,
          properties: { ...periodSchema.properties, by: { type: 'string', enum: ['router', 'site'] } },
        },
        response: errors,
      },
    },
    async (req, reply) => {
      const r = await report(req.query);
      if (req.query.by === 'site') {
        const body = csvLines(['site', 'routers', 'routers_covered', ...COVERAGE_COLUMNS], r.sites, (x) => [
          x.site ?? '',
          x.routers,
          x.coveredRouters,
          ...coverageCells(x, x.outages),
        ]);
        return sendCsv(reply, 'availability-sites', r, body);
      }
      const body = csvLines(['router', 'name', 'site', ...COVERAGE_COLUMNS], filter(r, req.query), (x) => [
        x.id,
        x.name,
        x.site ?? '',
        ...coverageCells(x, x.outages.length),
      ]);
      return sendCsv(reply, 'availability-routers', r, body);
    },
  );

  app.get<{ Querystring: PeriodQuery }>(
    '/api/v1/reports/outages.csv',
    {
      schema: {
        tags: ['reports'],
        summary: 'Outages over a period as CSV, newest first',
        querystring: periodSchema,
        response: errors,
      },
    },
    async (req, reply) => {
      const r = await report(req.query);
      const body = csvLines(
        [
          'router',
          'name',
          'site',
          'start',
          'end',
          'duration_seconds',
          'cause',
          'reason',
          'started_before_period',
          'actual_start',
        ],
        outageLines(filter(r, req.query)),
        (o) => [
          o.router,
          o.name,
          o.site ?? '',
          isoOrEmpty(o.start),
          o.end === null ? 'ongoing' : isoOrEmpty(o.end),
          Math.round(o.durationMs / 1000),
          o.cause,
          o.reason ?? '',
          o.startedBefore ? 'yes' : 'no',
          isoOrEmpty(o.since),
        ],
      );
      return sendCsv(reply, req.query.router ? `outages-${req.query.router}` : 'outages', r, body);
    },
  );
}
