import { clusterStatus } from '@ispmonitor/plugin-cluster';
import type { FastifyInstance } from 'fastify';
import { collectDiagnostics } from './report.js';

/** Options of the system routes. */
export interface SystemRoutesOptions {
  /** The config summary diagnostics show (`configSummary` of the loaded config). */
  configSummary?: Record<string, unknown>;
}

/** Diagnostics, the cluster's replicas and the OpenAPI document. */
export async function systemRoutes(app: FastifyInstance, options: SystemRoutesOptions): Promise<void> {
  const configSummary = options.configSummary ?? {};
  app.get(
    '/api/v1/diagnostics',
    { config: { role: 'admin' }, schema: { tags: ['system'], summary: 'Diagnostics' } },
    async () =>
      collectDiagnostics(
        app.monitor,
        { ...configSummary, persistentState: app.persistentState },
        app.license.status,
        app.recentErrors.list(),
        app.security.list(),
      ),
  );
  app.get(
    '/api/v1/cluster',
    { schema: { tags: ['system'], summary: 'Replicas and which one polls which device (CLUSTER=postgres)' } },
    async (_req, reply) => {
      if (!app.monitor.has(clusterStatus)) {
        return reply.code(404).send({ error: 'not clustered: this server runs without CLUSTER=postgres' });
      }
      const status = app.monitor.resolve(clusterStatus);
      const byReplica = status.devicesByReplica(app.monitor.devices.list().map((s) => s.device.id));
      const devices: Record<string, string[]> = {};
      for (const [replica, ids] of byReplica) devices[replica ?? '(unassigned)'] = ids;
      return { ...status.snapshot(), devices };
    },
  );
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
