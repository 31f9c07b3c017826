import { type Monitor, type SampleQuery, tokens } from '@ispmonitor/core';
import { type PostgresStore, postgresStore } from '@ispmonitor/plugin-postgres';
import { type AlertsApi, busAlerts } from './alerts/api.js';
import { Accounts } from './auth/accounts.js';
import { AuditLog } from './auth/audit.js';
import { newPassword } from './auth/secrets.js';
import { type FactsCache, factsCache, type InventoryRead } from './inventory/facts.js';
import { LicenseManager } from './license/manager.js';
import type { DeviceView } from './replicas/sync.js';
import type { ServerConfig } from './server-config.js';
import { serverState } from './state-store.js';
import { RecentErrors } from './system/recent-errors.js';

/**
 * Everything the routes use, built once by `createServerContext`. `buildApp` hands each member to
 * the routes as a Fastify decorator of the same name (`config` as `serverConfig`).
 */
export interface ServerContext {
  monitor: Monitor;
  /** Devices with their status as the API shows them (on an `api` replica: as the pollers recorded). */
  devices: DeviceView;
  config: ServerConfig;
  accounts: Accounts;
  audit: AuditLog;
  license: LicenseManager;
  inventory: InventoryRead;
  /** Latest facts of this process's polls: wireless clients and system facts, which storage does not serve. */
  facts: FactsCache;
  alerts: AlertsApi;
  /** The Postgres plugin's read store (rankings, history), when installed. */
  store(): PostgresStore | undefined;
  /** Stored samples, when a storage plugin provides them. */
  samples(): SampleQuery | undefined;
  recentErrors: RecentErrors;
  /** Whether users, keys and the audit log are persisted (a StateStore was provided). */
  persistentState: boolean;
}

export interface ContextOptions {
  /** Where the generated admin password is printed once (stdout by default, never the log). */
  print?: (line: string) => void;
  /** A read store for inventory facts (the storage plugin's); default: facts of the latest polls. */
  inventory?: InventoryRead;
  /** The alerting plugin's API; default: alerts seen on the bus. */
  alerts?: AlertsApi;
  /** Devices and statuses for the routes; default: the monitor's own. */
  devices?: DeviceView;
}

/**
 * Builds what the routes share, after `monitor.start()` (storage is ready then), and makes sure
 * an admin can log in: `server.auth.adminPassword` / ISPM_ADMIN_PASSWORD, or a generated
 * password printed once when no user exists yet.
 */
export async function createServerContext(
  monitor: Monitor,
  config: ServerConfig,
  options: ContextOptions = {},
): Promise<ServerContext & { close(): void }> {
  const { store, persistent } = serverState(monitor, monitor.logger);
  const accounts = new Accounts(store);
  const audit = new AuditLog(store);
  const license = new LicenseManager({
    path: config.license.path,
    publicKey: config.license.publicKey,
    store,
    metrics: monitor.metrics,
  });
  await license.check();
  const timer = setInterval(() => void license.check(), config.license.checkIntervalMinutes * 60_000);
  timer.unref();

  const facts = factsCache(monitor.bus);
  const fallbackAlerts = options.alerts ? undefined : busAlerts(monitor.bus, store);
  const recentErrors = new RecentErrors(monitor.bus);
  await bootstrapAdmin(accounts, audit, config, options.print ?? ((l) => process.stdout.write(`${l}\n`)));

  return {
    monitor,
    devices: options.devices ?? monitor.devices,
    config,
    accounts,
    audit,
    license,
    inventory: options.inventory ?? facts,
    facts,
    alerts: options.alerts ?? (fallbackAlerts as AlertsApi),
    store: () => (monitor.has(postgresStore) ? monitor.resolve(postgresStore) : undefined),
    samples: () => (monitor.has(tokens.SampleQuery) ? monitor.resolve(tokens.SampleQuery) : undefined),
    recentErrors,
    persistentState: persistent,
    close() {
      clearInterval(timer);
      facts.close();
      fallbackAlerts?.close();
      recentErrors.close();
    },
  };
}

async function bootstrapAdmin(
  accounts: Accounts,
  audit: AuditLog,
  config: ServerConfig,
  print: (line: string) => void,
): Promise<void> {
  const configured = config.auth.adminPassword;
  const admin = await accounts.getUser('admin');
  if (!admin) {
    const users = await accounts.listUsers();
    if (users.length === 0 || configured) {
      const password = configured ?? newPassword();
      await accounts.putUser('admin', password, 'admin');
      await audit.record('system', 'user.bootstrap', 'admin');
      if (!configured)
        print(`ispmonitor: created user "admin" with password ${password} (shown once; change it)`);
    }
  } else if (configured && !(await accounts.checkPassword('admin', configured))) {
    // The configured password wins, so an operator who lost it can reset it through the config.
    await accounts.putUser('admin', configured, 'admin');
    await audit.record('system', 'user.reset-from-config', 'admin');
  }
  const key = config.auth.adminApiKey;
  if (key && !(await accounts.principalForKey(key))) {
    await accounts.createKey('bootstrap', 'admin', 'system', key);
    await audit.record('system', 'apikey.bootstrap', 'bootstrap');
  }
}
