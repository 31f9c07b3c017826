import { type StateStore, tokens } from '@ispmonitor/core';
import type { FastifyInstance } from 'fastify';
import { HttpError, ServerErrors } from '../http/errors.js';
import { memoryStateStore } from '../state-store.js';
import { type Basemap, basemap, parseBBox } from './basemap.js';
import { TopologyCache } from './cache.js';
import { PROBLEMS_SENT } from './collapsed.js';
import { PositionStore, parsePositionsPatch } from './positions.js';
import { toGeoJson } from './view.js';

const tags = ['topology'];
const BASEMAP_CACHE = 16;
/** Above this many devices `view=auto` answers collapsed sites (the page draws them so anyway). */
export const COLLAPSE_ABOVE = 1500;

/**
 * `/api/v1/topology` (nodes with their state and graph position, links with per-direction
 * utilisation, sites), `/api/v1/topology/positions` (the caller's dragged positions) and
 * `/api/v1/topology/basemap` (offline Natural Earth land and borders for the geographic view).
 */
export async function topologyRoutes(app: FastifyInstance): Promise<void> {
  const cache = new TopologyCache({
    bus: app.monitor.bus,
    devices: app.devices,
    neighbours: () => app.inventory.neighbours(),
    firingAlerts: () => app.alerts.list({ status: 'firing' }),
  });
  cache.follow();
  app.addHook('onClose', async () => cache.close());
  const store: StateStore = app.monitor.has(tokens.StateStore)
    ? app.monitor.resolve(tokens.StateStore)
    : memoryStateStore();
  const positions = new PositionStore(store);
  const maps = new Map<string, Promise<Basemap>>();

  app.get<{ Querystring: { format?: 'graph' | 'geojson'; view?: 'auto' | 'full' | 'sites'; site?: string } }>(
    '/api/v1/topology',
    {
      schema: {
        tags,
        summary:
          'Network topology: devices with state and position, links with utilisation per direction, sites',
        description:
          `view=full: every device and link. view=sites: every site collapsed (worst state, counts), links ` +
          `between sites merged, devices without a site and the down list's worst ${PROBLEMS_SENT}; ` +
          `\`collapsed: true\` says so. view=auto (default): full up to ${COLLAPSE_ABOVE} devices, sites above. ` +
          "site=NAME: that site's devices and the links among them (what expanding it draws).",
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            format: { type: 'string', enum: ['graph', 'geojson'] },
            view: { type: 'string', enum: ['auto', 'full', 'sites'] },
            site: { type: 'string', minLength: 1, maxLength: 200 },
          },
        },
      },
    },
    async (req) => {
      const q = req.query;
      if (q.format === 'geojson') return toGeoJson(await cache.view());
      if (q.site !== undefined) {
        const members = await cache.site(q.site);
        if (!members) throw new HttpError(ServerErrors.NOT_FOUND, `no site "${q.site}"`);
        return members;
      }
      return cache.answer(q.view ?? 'auto', COLLAPSE_ABOVE);
    },
  );

  const account = (req: { principal?: { id: string } }) => req.principal?.id ?? 'anonymous';

  app.get(
    '/api/v1/topology/positions',
    { schema: { tags, summary: "The caller's dragged graph positions (node id or site:NAME → {x, y})" } },
    async (req) => positions.get(account(req)),
  );

  app.put(
    '/api/v1/topology/positions',
    {
      // Arranging one's own map changes nobody else's view: a viewer may do it.
      config: { role: 'viewer' },
      bodyLimit: 2 * 1024 * 1024,
      schema: {
        tags,
        summary: 'Merge graph positions for the caller (null forgets one)',
        body: { type: 'object', required: ['positions'], properties: { positions: { type: 'object' } } },
      },
    },
    async (req) => positions.patch(account(req), parsePositionsPatch(req.body)),
  );

  app.delete(
    '/api/v1/topology/positions',
    {
      config: { role: 'viewer' },
      schema: { tags, summary: "Forget the caller's positions (back to the automatic layout)" },
    },
    async (req, reply) => {
      await positions.clear(account(req));
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: { bbox: string } }>(
    '/api/v1/topology/basemap',
    {
      schema: {
        tags,
        summary: 'Land and borders (Natural Earth, offline) inside minLon,minLat,maxLon,maxLat',
        querystring: {
          type: 'object',
          required: ['bbox'],
          additionalProperties: false,
          properties: { bbox: { type: 'string', maxLength: 100 } },
        },
      },
    },
    async (req, reply) => {
      const bbox = parseBBox(req.query.bbox);
      if (!bbox)
        throw new HttpError(400, 'bbox must be minLon,minLat,maxLon,maxLat within -180..180, -90..90');
      // Cached per area rounded to 0.01°: every browser asks for the same fleet's area.
      const rounded = bbox.map(
        (n, i) => (i < 2 ? Math.floor(n * 100 + 1e-6) : Math.ceil(n * 100 - 1e-6)) / 100,
      ) as typeof bbox;
      const key = rounded.join(',');
      let map = maps.get(key);
      if (!map) {
        map = basemap(rounded);
        maps.set(key, map);
        map.catch(() => maps.delete(key));
        if (maps.size > BASEMAP_CACHE) maps.delete(maps.keys().next().value as string);
      }
      reply.header('cache-control', 'private, max-age=86400');
      return map;
    },
  );
}
