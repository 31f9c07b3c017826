import { clusterStatus } from '@ispmonitor/plugin-cluster';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';
import { collectDiagnostics } from './report.js';

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
  app.get(
    '/api/v1/cluster',
    { schema: { tags: ['system'], summary: 'Replicas and which one polls which device (CLUSTER=postgres)' } },
    async (_req, reply) => {
      if (!ctx.monitor.has(clusterStatus)) {
        return reply.code(404).send({ error: 'not clustered: this server runs without CLUSTER=postgres' });
      }
      const status = ctx.monitor.resolve(clusterStatus);
      const byReplica = status.devicesByReplica(ctx.monitor.devices.list().map((s) => s.device.id));
      const devices: Record<string, string[]> = {};
      for (const [replica, ids] of byReplica) devices[replica ?? '(unassigned)'] = ids;
      return { ...status.snapshot(), devices };
    },
  );
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
