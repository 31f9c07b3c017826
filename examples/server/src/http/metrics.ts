import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

/** HTTP self-metrics of one server, on the monitor's registry. */
export interface HttpMetrics {
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route'>;
}

/** Creates the HTTP metrics once per registry (the API and metrics servers share them). */
export function httpMetrics(registry: Registry): HttpMetrics {
  const existing = registry.getSingleMetric('ispmonitor_http_requests_total');
  if (existing) {
    return {
      requests: existing as HttpMetrics['requests'],
      duration: registry.getSingleMetric(
        'ispmonitor_http_request_duration_seconds',
      ) as HttpMetrics['duration'],
    };
  }
  const metrics: HttpMetrics = {
    requests: new Counter({
      name: 'ispmonitor_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'ispmonitor_http_request_duration_seconds',
      help: 'HTTP request latency by method and route',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
  // One series at 0 from the start (the scrape route, which every deployment serves), so the
  // first scrape already has both families and `rate(…)` is 0 rather than "No data".
  metrics.requests.inc({ method: 'GET', route: '/metrics', status: '200' }, 0);
  metrics.duration.zero({ method: 'GET', route: '/metrics' });
  return metrics;
}

/**
 * Counts every response. The route label is the route pattern (`/api/v1/routers/:id`), never the
 * raw URL, so an attacker cannot create unbounded label values; unmatched paths are `unmatched`.
 */
export function instrument(app: FastifyInstance, metrics: HttpMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route };
    metrics.requests.inc({ ...labels, status: String(reply.statusCode) });
    metrics.duration.observe(labels, reply.elapsedTime / 1000);
  });
}
