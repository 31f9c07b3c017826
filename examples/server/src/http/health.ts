import type { FastifyInstance } from 'fastify';

/** `/health` (every check), `/ready` (running and no critical check failing), `/live` (the process answers). */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  const hide = { hide: false, tags: ['health'] };
  app.get(
    '/health',
    { config: { public: true }, schema: { ...hide, summary: 'Every health check' } },
    async (_req, reply) => {
      const report = await app.monitor.health();
      const license = app.license.status;
      const body = {
        ...report,
        checks: {
          ...report.checks,
          license: {
            status: ['invalid', 'expired'].includes(license.state) ? 'warn' : 'pass',
            message: license.message,
            critical: false,
            durationMs: 0,
          },
        },
      };
      return reply.code(report.status === 'fail' ? 503 : 200).send(body);
    },
  );
  app.get(
    '/ready',
    { config: { public: true }, schema: { ...hide, summary: 'Readiness probe' } },
    async (_req, reply) => {
      // One health round: ready unless a critical check fails; `degraded` while the monitor is
      // overloaded (it still polls, so it stays in the load balancer), with the reason.
      const report = await app.monitor.health();
      const ready = app.monitor.state === 'running' && report.status !== 'fail';
      const overload = report.checks.overload;
      const body: Record<string, unknown> = {
        ready,
        state: app.monitor.state,
        status: !ready ? 'failing' : report.status === 'warn' ? 'degraded' : 'ok',
      };
      // Only the monitor's own overload reason is public: other checks' messages name internals.
      if (overload?.status === 'warn') body.reason = overload.message;
      return reply.code(ready ? 200 : 503).send(body);
    },
  );
  app.get(
    '/live',
    { config: { public: true }, schema: { ...hide, summary: 'Liveness probe' } },
    async () => ({ live: true }),
  );
}
