import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { collectDiagnostics } from '../diagnostics.js';

/** Licence status, diagnostics and the OpenAPI document. */
export async function systemRoutes(
  app: FastifyInstance,
  ctx: ServerContext,
  configSummary: Record<string, unknown>,
): Promise<void> {
  app.get(
    '/api/v1/license/status',
    { schema: { tags: ['system'], summary: 'Licence status' } },
    async () => ctx.license.status,
  );
  app.get(
    '/api/v1/diagnostics',
    { config: { role: 'admin' }, schema: { tags: ['system'], summary: 'Diagnostics' } },
    async () =>
      collectDiagnostics(
        ctx.monitor,
        { ...configSummary, persistentState: ctx.persistentState },
        ctx.license.status,
        ctx.recentErrors.list(),
      ),
  );
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
