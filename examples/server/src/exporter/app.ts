import { type DeviceState, type Monitor, tokens } from '@ispmonitor/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { safeEqual } from '../auth/secrets.js';
import { fastifyLogger } from '../http/logger.js';
import { httpMetrics, instrument } from '../http/metrics.js';
import type { DeviceMetrics } from './device-metrics.js';

export interface MetricsAppOptions {
  monitor: Monitor;
  devices: DeviceMetrics;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  token?: string;
}

const EXPOSITION = 'text/plain; version=0.0.4; charset=utf-8';

/** Prometheus http_sd groups: one per device, its id as the target (relabelled to `?target=`). */
function sdGroups(states: DeviceState[]) {
  return states
    .filter((s) => s.device.enabled !== false)
    .map((s) => {
      const labels: Record<string, string> = {
        __meta_ispmonitor_device: s.device.id,
        __meta_ispmonitor_name: s.device.name ?? s.device.id,
        __meta_ispmonitor_driver: s.device.driver,
        __meta_ispmonitor_host: s.device.host,
      };
      for (const [k, v] of Object.entries(s.device.labels ?? {})) {
        labels[`__meta_ispmonitor_label_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`] = v;
      }
      return { targets: [s.device.id], labels };
    });
}

/**
 * The metrics server (port 9090): `/metrics` (the monitor's registry), `/metrics/devices`
 * (device series, all or `?target=ID`) and `/sd/devices` (Prometheus HTTP service discovery).
 */
export async function buildMetricsApp(options: MetricsAppOptions): Promise<FastifyInstance> {
  const { monitor, devices, token } = options;
  const app = Fastify({ loggerInstance: fastifyLogger(monitor.logger.child({ component: 'metrics' })) });
  instrument(app, httpMetrics(monitor.metrics));
  if (token) {
    app.addHook('onRequest', async (req, reply) => {
      const header = req.headers.authorization ?? '';
      if (!header.startsWith('Bearer ') || !safeEqual(header.slice(7), token)) {
        return reply.code(401).send('unauthorized\n');
      }
    });
  }

  // The SD document is rebuilt only after the inventory changed, not on every Prometheus refresh.
  let sdCache: string | undefined;
  const invalidate = () => {
    sdCache = undefined;
  };
  const offs = [
    monitor.bus.on('device:added', invalidate),
    monitor.bus.on('device:changed', invalidate),
    monitor.bus.on('device:removed', invalidate),
  ];
  app.addHook('onClose', async () => {
    for (const off of offs) off();
  });

  // With several poller replicas a replica serves only the devices it polls now: series left from
  // before a bucket moved to another replica would be duplicates of that replica's fresh ones.
  const ownership = monitor.has(tokens.Ownership) ? monitor.resolve(tokens.Ownership) : undefined;
  const owned = ownership && ((id: string) => ownership.owns(id));

  app.get('/metrics', async (_req, reply) => {
    const text = await monitor.metrics.metrics();
    return reply.type(monitor.metrics.contentType).send(text);
  });

  app.get<{ Querystring: { target?: string } }>(
    '/metrics/devices',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { target: { type: 'string', minLength: 1, maxLength: 128 } },
        },
      },
    },
    async (req, reply) => {
      const target = req.query.target;
      if (target !== undefined) {
        if (!monitor.devices.get(target))
          return reply.code(404).type('text/plain').send(`unknown device ${target}\n`);
        // A known device not polled yet has no series: an empty, successful scrape.
        const body = owned && !owned(target) ? undefined : devices.renderDevice(target);
        return reply.type(EXPOSITION).send(body ?? '');
      }
      return reply.type(EXPOSITION).send(devices.stream(owned));
    },
  );

  app.get('/sd/devices', async (_req, reply) => {
    sdCache ??= JSON.stringify(sdGroups(monitor.devices.list()));
    return reply.type('application/json').send(sdCache);
  });
  await app.ready();
  return app;
}
