/**
 * A small alerting fleet for the team-alerting tests: three lab routers on two sites (ALPHA: a1,
 * a2; BETA: b1), each with ether1 and ether2, the alerts plugin with a rule that fires at once for
 * every interface (six alerts, warning) and one that stays pending for an hour (three, critical),
 * and the API listening on a free loopback port.
 */
import type { AddressInfo } from 'node:net';
import { createMonitor, type Device, type Monitor, type Plugin } from '@ispmonitor/core';
import { createFakeLogger } from '@ispmonitor/core/testing';
import { alerts } from '@ispmonitor/plugin-alerts';
import type { FastifyInstance } from 'fastify';
import { installedAlerts } from '../../src/alerts/plugin-api.js';
import { buildApp } from '../../src/http/app.js';
import { parseServerConfig } from '../../src/server-config.js';
import { createServerContext } from '../../src/server-context.js';
import { ADMIN_KEY, ADMIN_PASSWORD, waitFor } from './harness.js';
import { labDriver } from './lab-driver.js';

/** The fleet's routers. */
export const ALERT_DEVICES: Device[] = [
  { id: 'a1', host: '127.0.0.11', driver: 'lab', labels: { site: 'ALPHA' } },
  { id: 'a2', host: '127.0.0.12', driver: 'lab', labels: { site: 'ALPHA' } },
  { id: 'b1', host: '127.0.0.13', driver: 'lab', labels: { site: 'BETA' } },
];

/** Headers with the admin API key. */
export const adminHeaders = { authorization: `Bearer ${ADMIN_KEY}` };

export interface AlertsFixture {
  monitor: Monitor;
  app: FastifyInstance;
  /** The API's base URL (loopback). */
  url: string;
  /** The admin user's login for the web UI. */
  login: { username: string; password: string };
  close(): Promise<void>;
}

/** Starts the fleet and the API; resolves once the six alerts fire and the three are pending. */
export async function startAlertsFixture(): Promise<AlertsFixture> {
  const monitor = await createMonitor({
    plugins: [
      labDriver(),
      alerts({
        evaluationInterval: '1s',
        rules: [
          { alert: 'PortWatch', metric: 'interface_oper_up', op: '>=', threshold: 0, severity: 'warning' },
          {
            alert: 'CpuWatch',
            metric: 'device_cpu_load_ratio',
            op: '>',
            threshold: 0.1,
            for: '1h',
            severity: 'critical',
          },
        ],
      }),
    ] as Plugin<unknown>[],
    devices: ALERT_DEVICES,
    logger: createFakeLogger(),
    poller: { interval: '5s' },
  });
  await monitor.start();
  const config = parseServerConfig({ auth: { adminPassword: ADMIN_PASSWORD, adminApiKey: ADMIN_KEY } }, {});
  const alertsApi = installedAlerts(monitor);
  if (!alertsApi) throw new Error('the alerts plugin is not installed');
  const ctx = await createServerContext(monitor, config, { print: () => {}, alerts: alertsApi });
  const app = await buildApp(ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const count = async (status: string) =>
    (
      (await app.inject({ url: `/api/v1/alerts?status=${status}`, headers: adminHeaders })).json() as {
        total: number;
      }
    ).total;
  await waitFor(async () => (await count('firing')) === 6, 30_000, 'six firing alerts');
  await waitFor(async () => (await count('pending')) === 3, 30_000, 'three pending alerts');
  return {
    monitor,
    app,
    url,
    login: { username: 'admin', password: ADMIN_PASSWORD },
    async close() {
      await app.close();
      ctx.close();
      await monitor.stop();
    },
  };
}
