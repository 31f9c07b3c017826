import type { Monitor } from '@ispmonitor/core';
import { postgresStore } from '@ispmonitor/plugin-postgres';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, type Registry } from 'prom-client';
import type { AlertsApi } from './alerts/api.js';
import { installedAlerts } from './alerts/plugin-api.js';
import type { ServerFileConfig } from './config-sections.js';
import { buildMetricsApp } from './exporter/app.js';
import { DeviceMetrics } from './exporter/device-metrics.js';
import { checkMetricsExposure } from './exporter/exposure.js';
import { routersByStatus } from './exporter/routers-gauge.js';
import { buildApp } from './http/app.js';
import { storageInventory } from './inventory/postgres.js';
import { type DeviceView, StoredStatuses, startReplicaSync } from './replicas/sync.js';
import type { ServerConfig, ServerRole } from './server-config.js';
import { createServerContext } from './server-context.js';
import { configSummary } from './system/report.js';

/**
 * Node.js process metrics (CPU, memory, event-loop lag, GC) as `ispmonitor_process_*` and
 * `ispmonitor_nodejs_*`: what troubleshooting and profiling start from. Once per registry.
 *
 * prom-client's `nodejs_active_{handles,requests,resources}_total` are gauges named like counters,
 * which `promtool check metrics` rejects; they are the sums of `nodejs_active_*{type}`, which
 * stay (sum them in PromQL), so the `_total` copies are removed.
 */
function processMetrics(registry: Registry): void {
  if (registry.getSingleMetric('ispmonitor_nodejs_eventloop_lag_seconds')) return;
  collectDefaultMetrics({ register: registry, prefix: 'ispmonitor_' });
  for (const kind of ['handles', 'requests', 'resources'])
    registry.removeSingleMetric(`ispmonitor_nodejs_active_${kind}_total`);
}

/** A running server: both HTTP listeners and the monitor behind them. */
export interface RunningServer {
  monitor: Monitor;
  api: FastifyInstance;
  metrics: FastifyInstance;
  /** What this process does (`server.role`). */
  role: ServerRole;
  /** Catches up with the other replicas now (tests); a no-op without a shared database. */
  syncNow(): Promise<void>;
  /** `http://host:port` of each listener (ports resolved when 0 was asked). */
  urls: { api: string; metrics: string };
  /** Stop accepting, finish polls, flush storage, close everything. Safe to call twice. */
  shutdown(): Promise<void>;
}

export interface RunOptions {
  print?: (line: string) => void;
  alerts?: AlertsApi;
}

/**
 * Starts the monitor, then the API (8080) and metrics (9090) listeners. Device samples are
 * collected from the first poll on, so the device metrics are ready when Prometheus scrapes.
 */
export async function runServer(
  monitor: Monitor,
  config: ServerFileConfig,
  server: ServerConfig,
  options: RunOptions = {},
): Promise<RunningServer> {
  checkMetricsExposure(config.metrics.host, server.metrics, monitor.logger);
  const deviceMetrics = new DeviceMetrics(monitor.bus);
  processMetrics(monitor.metrics);
  await monitor.start();
  const store = () => (monitor.has(postgresStore) ? monitor.resolve(postgresStore) : undefined);
  // An API replica polls nothing: it shows the statuses the pollers recorded.
  const statuses =
    server.role === 'api'
      ? new StoredStatuses(monitor.devices, store, Date.now, monitor.logger.child({ component: 'statuses' }))
      : undefined;
  const devices: DeviceView = statuses ?? monitor.devices;
  routersByStatus(monitor, server.role, statuses && (() => statuses.counts()));
  // Replicas share a PostgreSQL (never an embedded PGlite): they follow each other's changes.
  const sync = config.database.url
    ? startReplicaSync({
        devices: monitor.devices,
        intervalMs: server.syncIntervalSeconds * 1000,
        logger: monitor.logger.child({ component: 'replica-sync' }),
        after: statuses && (() => statuses.refresh()),
      })
    : undefined;
  await statuses
    ?.refresh()
    .catch((err: unknown) =>
      monitor.logger.warn('could not read device statuses yet', { error: (err as Error).message }),
    );
  const ctx = await createServerContext(monitor, server, {
    print: options.print,
    inventory: storageInventory(monitor),
    alerts: options.alerts ?? installedAlerts(monitor),
    devices,
    file: config,
  });
  const api = await buildApp(ctx, {
    configSummary: configSummary(config),
    healthOnly: server.role === 'poller',
  });
  const metrics = await buildMetricsApp({ monitor, devices: deviceMetrics, token: server.metrics.token });
  let apiUrl: string;
  let metricsUrl: string;
  try {
    apiUrl = await api.listen({ host: config.api.host, port: config.api.port });
    metricsUrl = await metrics.listen({ host: config.metrics.host, port: config.metrics.port });
  } catch (err) {
    sync?.stop();
    await Promise.allSettled([api.close(), metrics.close()]);
    ctx.close();
    await monitor.stop();
    throw err;
  }
  let done: Promise<void> | undefined;
  return {
    monitor,
    api,
    metrics,
    role: server.role,
    syncNow: async () => sync?.round(),
    urls: { api: apiUrl, metrics: metricsUrl },
    shutdown() {
      done ??= (async () => {
        // Order matters: no new API work, then polls finish and storage flushes, then metrics go.
        sync?.stop();
        await api.close();
        await monitor.stop();
        ctx.close();
        deviceMetrics.close();
        await metrics.close();
      })();
      return done;
    },
  };
}

/**
 * SIGTERM/SIGINT: a graceful shutdown, bounded by `timeoutSeconds`; a second signal, or the
 * deadline, exits at once with status 1.
 */
export function exitOnSignals(
  running: RunningServer,
  timeoutSeconds: number,
  log: (msg: string) => void,
): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: shutting down (at most ${timeoutSeconds}s)`);
    const deadline = setTimeout(() => {
      log('shutdown took too long: exiting');
      process.exit(1);
    }, timeoutSeconds * 1000);
    deadline.unref();
    running.shutdown().then(
      () => {
        log('shutdown complete');
        process.exit(0);
      },
      (err: unknown) => {
        log(`shutdown failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
