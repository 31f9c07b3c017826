import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { alertRoutes } from '../alerts/routes.js';
import { adminRoutes } from '../auth/admin-routes.js';
import { installGuard } from '../auth/guard.js';
import { authRoutes } from '../auth/routes.js';
import { docsRoutes } from '../docs/routes.js';
import { eventRoutes } from '../events/routes.js';
import { interfaceRoutes } from '../interfaces/routes.js';
import { licenseRoutes } from '../license/routes.js';
import { fleetMetricRoutes } from '../metrics/fleet.js';
import { metricsApiRoutes } from '../metrics/routes.js';
import { profilingRoutes } from '../profiling/routes.js';
import { reportRoutes } from '../reports/routes.js';
import { routerRoutes } from '../routers/routes.js';
import { statusHistoryRoutes } from '../routers/status-history.js';
import type { ServerContext } from '../server-context.js';
import { sessionRoutes } from '../sessions/routes.js';
import { subscriberRoutes } from '../subscribers/routes.js';
import { systemRoutes } from '../system/routes.js';
import { topologyRoutes } from '../topology/routes.js';
import { uiRoutes } from '../ui/static.js';
import { SERVER_VERSION } from '../version.js';
import { installErrorHandler } from './errors.js';
import { healthRoutes } from './health.js';
import { fastifyLogger } from './logger.js';
import { httpMetrics, instrument } from './metrics.js';
import { overviewRoutes } from './overview.js';
import { decorateServices } from './services.js';
import { strictBodies } from './strict-body.js';

/** A registered route, as the auth test enumerates them. */
export interface RouteInfo {
  method: string;
  url: string;
  public: boolean;
  /** The role the route declares (`config.role`); absent: viewer for GET/HEAD, operator otherwise. */
  role?: string;
  /** Its request schemas, for the security suite's fuzzing. */
  schema?: { body?: unknown; querystring?: unknown; params?: unknown };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered on the API server. */
    ispmRoutes: RouteInfo[];
  }
}

export interface BuildAppOptions {
  /** Safe config summary for diagnostics. */
  configSummary?: Record<string, unknown>;
  /** A `poller` replica: only /health, /ready and /live (no API, no UI). */
  healthOnly?: boolean;
}

/**
 * Builds the API server (port 8080) without listening: tests call `app.inject()`. Every route
 * needs credentials except `/health`, `/ready`, `/live` and the login.
 */
export async function buildApp(ctx: ServerContext, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: fastifyLogger(ctx.monitor.logger.child({ component: 'api' })),
    bodyLimit: ctx.config.bodyLimit,
    // Whom to believe about the client's address and scheme (login throttling, audit, cookies).
    // (A hop count is valid at run time; the type of this overload lists only strings and booleans.)
    trustProxy: ctx.config.trustProxy as boolean | string,
    // A client must send its whole request within 30 s (slow senders cannot hold sockets open);
    // responses such as the event stream are not limited by it.
    requestTimeout: 30_000,
    // Query strings like ?a[b]=1 stay plain strings: no nested objects from untrusted input.
    routerOptions: { maxParamLength: 300 },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
  });
  const routes: RouteInfo[] = [];
  app.decorate('ispmRoutes', routes);
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const method of methods) {
      const config = r.config as { public?: boolean; role?: string } | undefined;
      const schema = r.schema as RouteInfo['schema'] | undefined;
      routes.push({
        method,
        url: r.url,
        public: Boolean(config?.public),
        ...(config?.role ? { role: config.role } : {}),
        ...(schema
          ? { schema: { body: schema.body, querystring: schema.querystring, params: schema.params } }
          : {}),
      });
    }
  });

  decorateServices(app, ctx);
  installErrorHandler(app);
  instrument(app, httpMetrics(ctx.monitor.metrics));
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'ISP Monitor API', version: SERVER_VERSION },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer ispm_…' },
          session: { type: 'apiKey', in: 'cookie', name: 'ispm_session' },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
  });
  installGuard(app);
  strictBodies(app);

  // Each feature is an encapsulated plugin: its hooks and caches stay in its own scope, and it
  // reads the services from the root's decorators.
  await app.register(healthRoutes);
  if (!options.healthOnly) {
    await app.register(authRoutes);
    await app.register(routerRoutes);
    await app.register(overviewRoutes);
    await app.register(statusHistoryRoutes);
    await app.register(interfaceRoutes);
    await app.register(metricsApiRoutes);
    await app.register(fleetMetricRoutes);
    await app.register(alertRoutes);
    await app.register(topologyRoutes);
    await app.register(sessionRoutes);
    await app.register(subscriberRoutes);
    await app.register(eventRoutes);
    await app.register(reportRoutes);
    await app.register(docsRoutes);
    await app.register(adminRoutes);
    await app.register(licenseRoutes);
    await app.register(systemRoutes, { configSummary: options.configSummary ?? {} });
    if (ctx.config.profiling)
      await app.register(profilingRoutes, { workerThreads: () => ctx.monitor.workerThreads() });
    await app.register(uiRoutes);
  }
  await app.ready();
  return app;
}
