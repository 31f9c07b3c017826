import { createServer } from 'node:net';
import { createMonitor, type Device, type Monitor, type Plugin } from '@ispmonitor/core';
import { createFakeLogger, type FakeLogger } from '@ispmonitor/core/testing';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { storageInventory } from '../../src/inventory/postgres.js';
import { parseServerConfig } from '../../src/server-config.js';
import type { ServerContext } from '../../src/server-context.js';
import { createServerContext } from '../../src/server-context.js';
import type { FileSettings } from '../../src/system/security-findings.js';
import { labDriver } from './lab-driver.js';

export const ADMIN_PASSWORD = 'correct horse battery staple';
export const ADMIN_KEY = 'ispm_test_admin_key_0123456789abcdefghijklmnop';

export interface Harness {
  monitor: Monitor;
  app: FastifyInstance;
  ctx: ServerContext & { close(): void };
  logger: FakeLogger;
  /** Headers carrying the admin API key. */
  admin: Record<string, string>;
  close(): Promise<void>;
}

/**
 * A router of the lab driver at `host`, labelled with its site and role; `extra` adds or
 * overrides fields (a name, a parent, lab settings).
 */
export function labRouter(
  id: string,
  host: string,
  site: string,
  role: string,
  extra: Partial<Device> = {},
): Device {
  return { id, host, driver: 'lab', labels: { site, role }, ...extra };
}

/** A started monitor with the lab driver, its server context and API app (no sockets). */
export async function startHarness(
  options: {
    devices?: Device[];
    server?: Record<string, unknown>;
    start?: boolean;
    interval?: string;
    /** Plugins besides the lab driver. */
    plugins?: Plugin<unknown>[];
    /** Secret values for the monitor's redactor (as the config loader collects them). */
    secrets?: string[];
    /** The config file's settings the server reports on (security findings). */
    file?: FileSettings;
  } = {},
): Promise<Harness> {
  const logger = createFakeLogger();
  const monitor = await createMonitor({
    plugins: [labDriver(), ...(options.plugins ?? [])] as Plugin<unknown>[],
    devices: options.devices ?? [],
    logger,
    poller: { interval: options.interval ?? '1h' },
    secrets: options.secrets ?? [],
  });
  if (options.start !== false) await monitor.start();
  const config = parseServerConfig(
    { auth: { adminPassword: ADMIN_PASSWORD, adminApiKey: ADMIN_KEY }, ...(options.server ?? {}) },
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

/** The API of a monitor built elsewhere. */
export interface Api {
  app: FastifyInstance;
  /** Closes the app and its server context; the monitor is the caller's to stop. */
  close(): Promise<void>;
}

/**
 * The API app (no sockets) of a monitor built elsewhere — assembled with storage, say — with
 * the test admin's password and key. `storage: true` takes the devices from the storage plugin.
 */
export async function apiFor(monitor: Monitor, options: { storage?: boolean } = {}): Promise<Api> {
  const config = parseServerConfig({ auth: { adminApiKey: ADMIN_KEY, adminPassword: ADMIN_PASSWORD } }, {});
  const ctx = await createServerContext(monitor, config, {
    print: () => {},
    ...(options.storage ? { inventory: storageInventory(monitor) } : {}),
  });
  const app = await buildApp(ctx);
  return {
    app,
    async close() {
      await app.close();
      ctx.close();
    },
  };
}

/**
 * After a file's tests: closes an `apiFor` app, then stops its monitor (either may be unset when
 * the set-up failed half-way).
 */
export async function closeApiAndMonitor(close?: () => Promise<void>, monitor?: Monitor): Promise<void> {
  await close?.();
  await monitor?.stop();
}

/** Waits until `check` holds, polling every 20 ms; fails after `ms`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  ms = 10_000,
  what = 'condition',
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A loopback TCP port nothing listens on (bound, then released): a router there refuses at once,
 * so its polls fail fast and nothing leaves the machine.
 */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/**
 * Logs in to a listening server with a user's password and answers the session cookie
 * (`name=value`) for the `cookie` header of later requests; a refused login is an error.
 */
export async function loginCookie(
  apiUrl: string,
  login: { username: string; password: string },
): Promise<string> {
  const res = await fetch(`${apiUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(login),
  });
  if (res.status !== 200)
    throw new Error(`login as ${login.username}: HTTP ${res.status} ${await res.text()}`);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

/** A server's API app and the admin's headers: a {@link Harness}, or an app from {@link apiFor}. */
export interface AdminApi {
  app: FastifyInstance;
  admin: Record<string, string>;
}

/** An API key the admin created: its id, the secret, and the headers that carry it as a bearer token. */
export interface CreatedKey {
  id: string;
  key: string;
  headers: Record<string, string>;
}

/** Creates an API key with `role` through the API, as the admin; anything but 201 is an error. */
export async function createKey(api: AdminApi, role: string, name: string = role): Promise<CreatedKey> {
  const res = await api.app.inject({
    method: 'POST',
    url: '/api/v1/keys',
    headers: api.admin,
    payload: { name, role },
  });
  if (res.statusCode !== 201) throw new Error(`creating a ${role} key: HTTP ${res.statusCode} ${res.body}`);
  const { id, key } = res.json() as { id: string; key: string };
  return { id, key, headers: { authorization: `Bearer ${key}` } };
}
