import type { FastifyInstance } from 'fastify';

/** `/api/v1/license/status`: the licence state the router limit and the metrics read. */
export async function licenseRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/api/v1/license/status',
    { schema: { tags: ['system'], summary: 'Licence status' } },
    async () => app.license.status,
  );
}
