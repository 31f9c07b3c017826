import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { alertRoutes } from '../alerts/routes.js';
import { adminRoutes } from '../auth/admin-routes.js';
import { installGuard } from '../auth/guard.js';
import { authRoutes } from '../auth/routes.js';
import type { ServerContext } from '../context.js';
import { eventRoutes } from '../events/routes.js';
import { interfaceRoutes } from '../interfaces/routes.js';
import { fleetMetricRoutes } from '../metrics/fleet.js';
import { metricsApiRoutes } from '../metrics/routes.js';
import { routerRoutes } from '../routers/routes.js';
import { statusHistoryRoutes } from '../routers/status-history.js';
import { sessionRoutes } from '../sessions/routes.js';
import { systemRoutes } from '../system/routes.js';
import { topologyRoutes } from '../topology/routes.js';
import { DEFAULT_UI_DIR, uiRoutes } from '../ui/static.js';
import { SERVER_VERSION } from '../version.js';
import { installErrorHandler } from './errors.js';
import { healthRoutes } from './health.js';
import { fastifyLogger } from './logger.js';
import { httpMetrics, instrument } from './metrics.js';
import { strictBodies } from './strict-body.js';

/** A registered route, as the auth test enumerates them. */
export interface RouteInfo {
  method: string;
  url: string;
  public: boolean;
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
    // Query strings like ?a[b]=1 stay plain strings: no nested objects from untrusted input.
    routerOptions: { maxParamLength: 300 },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
  });
  const routes: RouteInfo[] = [];
  app.decorate('ispmRoutes', routes);
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const method of methods) {
      routes.push({
        method,
        url: r.url,
        public: Boolean((r.config as { public?: boolean } | undefined)?.public),
      });
    }
  });

  installErrorHandler(app);
  instrument(app, httpMetrics(ctx.monitor.metrics));
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
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
  installGuard(app, ctx.accounts);
  strictBodies(app);

  await app.register(async (api) => {
    await healthRoutes(api, ctx);
    if (options.healthOnly) return;
    await authRoutes(api, ctx);
    await routerRoutes(api, ctx);
    await statusHistoryRoutes(api, ctx);
    await interfaceRoutes(api, ctx);
    await metricsApiRoutes(api, ctx);
    await fleetMetricRoutes(api, ctx);
    await alertRoutes(api, ctx);
    await topologyRoutes(api, ctx);
    await sessionRoutes(api, ctx);
    await eventRoutes(api, ctx);
    await adminRoutes(api, ctx);
    await systemRoutes(api, ctx, options.configSummary ?? {});
    await uiRoutes(api, ctx.config.ui.dir ?? DEFAULT_UI_DIR, (m) => ctx.monitor.logger.warn(m));
  });
  await app.ready();
  return app;
}
