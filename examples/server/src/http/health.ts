import type { FastifyInstance } from 'fastify';
import { authenticate } from '../auth/guard.js';

/**
 * `/health` (the overall status; every check for a caller with credentials), `/ready` (running
 * and no critical check failing), `/live` (the process answers).
 */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  const hide = { hide: false, tags: ['health'] };
  app.get(
    '/health',
    {
      config: { public: true },
      schema: {
        ...hide,
        summary: 'Overall health; every check with credentials',
        description:
          'Without credentials only `status` is answered: check messages name internals (database target, ' +
          'sink and notifier errors, file paths). With an API key or a session, every check.',
      },
    },
    async (req, reply) => {
      const report = await app.monitor.health();
      const code = report.status === 'fail' ? 503 : 200;
      if (!(await authenticate(req, app.accounts))) return reply.code(code).send({ status: report.status });
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
      return reply.code(code).send(body);
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
