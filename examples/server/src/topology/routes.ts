import type { FastifyInstance } from 'fastify';
import { buildTopology } from './build.js';

/** `/api/v1/topology`: nodes and links, and GeoJSON where devices have coordinates. */
export async function topologyRoutes(app: FastifyInstance): Promise<void> {
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
      const topo = await buildTopology(app);
      return req.query.format === 'geojson' ? topo.geojson : topo;
    },
  );
}
