import { createMonitor, type Device, type Monitor, type Plugin } from '@ispmonitor/core';
import { createFakeLogger, type FakeLogger } from '@ispmonitor/core/testing';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { parseServerConfig } from '../../src/server-config.js';
import { createServerContext, type ServerContext } from '../../src/server-context.js';
import type { FileSettings } from '../../src/system/security-findings.js';
import { ADMIN_KEY, ADMIN_PASSWORD } from '../support/harness.js';
import { labDriver } from '../support/lab-driver.js';

export { ADMIN_KEY, ADMIN_PASSWORD };

/** A server for the security suite: like the shared harness, plus the config file's settings. */
export interface SecurityServer {
  monitor: Monitor;
  app: FastifyInstance;
  ctx: ServerContext & { close(): void };
  logger: FakeLogger;
  admin: Record<string, string>;
  close(): Promise<void>;
}

/** Starts a monitor (lab driver), its context and API app, with `server` merged over admin credentials. */
export async function startServer(
  options: {
    devices?: Device[];
    server?: Record<string, unknown>;
    file?: FileSettings;
    plugins?: Plugin<unknown>[];
    secrets?: string[];
  } = {},
): Promise<SecurityServer> {
  const logger = createFakeLogger();
  const monitor = await createMonitor({
    plugins: [labDriver(), ...(options.plugins ?? [])] as Plugin<unknown>[],
    devices: options.devices ?? [],
    logger,
    poller: { interval: '1h' },
    secrets: options.secrets ?? [],
  });
  await monitor.start();
  const { auth, ...rest } = options.server ?? {};
  const config = parseServerConfig(
    { auth: { adminPassword: ADMIN_PASSWORD, adminApiKey: ADMIN_KEY, ...(auth as object) }, ...rest },
    {},
  );
  const ctx = await createServerContext(monitor, config, { print: () => {}, file: options.file });
  const app = await buildApp(ctx);
  return {
    monitor,
    app,
    ctx,
    logger,
    admin: { authorization: `Bearer ${ADMIN_KEY}` },
    async close() {
      await app.close();
      ctx.close();
      await monitor.stop();
    },
  };
}
