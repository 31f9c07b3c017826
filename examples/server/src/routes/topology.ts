import type { DeviceState } from '@ispmonitor/core';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';

interface Link {
  source: string;
  target: string;
  kind: 'parent' | 'lldp' | 'cdp' | 'mndp' | 'other';
  sourceInterface?: string;
  targetInterface?: string;
}

/**
 * Links from two places: the `parent` of each device (what alert suppression follows) and the
 * neighbours devices report (LLDP, CDP, MNDP), matched to devices by id, name or address.
 */
export async function buildTopology(ctx: ServerContext) {
  const states = ctx.monitor.devices.list();
  const byKey = new Map<string, string>();
  for (const s of states) {
    byKey.set(s.device.id.toLowerCase(), s.device.id);
    if (s.device.name) byKey.set(s.device.name.toLowerCase(), s.device.id);
    byKey.set(s.device.host.toLowerCase(), s.device.id);
  }
  const links = new Map<string, Link>();
  const add = (link: Link) => {
    // One link per unordered pair and kind: both ends usually report each other.
    const [a, b] = [link.source, link.target].sort();
    const key = `${a}|${b}|${link.kind}`;
    if (!links.has(key)) links.set(key, link);
  };
  for (const s of states) {
    if (s.device.parent && byKey.has(s.device.parent.toLowerCase())) {
      add({ source: s.device.parent, target: s.device.id, kind: 'parent' });
    }
  }
  for (const n of await ctx.inventory.neighbours()) {
    const remote = [n.remoteId, n.remoteName, n.remoteAddress]
      .map((k) => (k ? byKey.get(k.toLowerCase()) : undefined))
      .find(Boolean);
    if (!remote || remote === n.device) continue;
    add({
      source: n.device,
      target: remote,
      kind: n.protocol,
      ...(n.localInterface ? { sourceInterface: n.localInterface } : {}),
      ...(n.remoteInterface ? { targetInterface: n.remoteInterface } : {}),
    });
  }
  const nodes = states.map((s: DeviceState) => ({
    id: s.device.id,
    name: s.device.name ?? s.device.id,
    status: s.status,
    driver: s.device.driver,
    labels: s.device.labels ?? {},
    ...(s.device.location ? { location: s.device.location } : {}),
  }));
  const where = new Map(
    nodes.filter((n) => n.location).map((n) => [n.id, n.location as { lat: number; lon: number }]),
  );
  const features: unknown[] = [];
  for (const n of nodes) {
    if (!n.location) continue;
    features.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [n.location.lon, n.location.lat] },
      properties: { id: n.id, name: n.name, status: n.status, ...n.labels },
    });
  }
  for (const l of links.values()) {
    const a = where.get(l.source);
    const b = where.get(l.target);
    if (!a || !b) continue;
    features.push({
      type: 'Feature',
      geometry: {
        type: 'LineString',
        coordinates: [
          [a.lon, a.lat],
          [b.lon, b.lat],
        ],
      },
      properties: { source: l.source, target: l.target, kind: l.kind },
    });
  }
  return { nodes, links: [...links.values()], geojson: { type: 'FeatureCollection', features } };
}

/** `/api/v1/topology`: nodes and links, and GeoJSON where devices have coordinates. */
export async function topologyRoutes(app: FastifyInstance, ctx: ServerContext): Promise<void> {
  app.get<{ Querystring: { format?: 'graph' | 'geojson' } }>(
    '/api/v1/topology',
    {
      schema: {
        tags: ['topology'],
        summary: 'Network topology',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { format: { type: 'string', enum: ['graph', 'geojson'] } },
        },
      },
    },
    async (req) => {
      const topo = await buildTopology(ctx);
      return req.query.format === 'geojson' ? topo.geojson : topo;
    },
  );
}
