import { type Monitor, type SampleQuery, tokens } from '@ispmonitor/core';
import { type PostgresStore, postgresStore } from '@ispmonitor/plugin-postgres';
import { type AlertsApi, busAlerts } from './alerts/api.js';
import { Accounts } from './auth/accounts.js';
import { AuditLog } from './auth/audit.js';
import { bootstrapAdmin } from './auth/bootstrap.js';
import { type FactsCache, factsCache, type InventoryRead } from './inventory/facts.js';
import { LicenseManager } from './license/manager.js';
import type { DeviceView } from './replicas/sync.js';
import { samplesView } from './samples/rankings.js';
import type { ServerConfig } from './server-config.js';
import { serverState } from './state-store.js';
import { RecentErrors } from './system/recent-errors.js';
import { SecurityAdvisor } from './system/security-advisor.js';
import type { FileSettings } from './system/security-findings.js';

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
  /** Weak settings (SNMPv2c, MD5, plain RouterOS API, …), logged at start and listed in diagnostics. */
  security: SecurityAdvisor;
  /** Whether users, keys and the audit log are persisted (a StateStore was provided). */
  persistentState: boolean;
}

export interface ContextOptions {
  /** Where the first start says which file holds the generated admin password (stdout by default). */
  print?: (line: string) => void;
  /** A read store for inventory facts (the storage plugin's); default: facts of the latest polls. */
  inventory?: InventoryRead;
  /** The alerting plugin's API; default: alerts seen on the bus. */
  alerts?: AlertsApi;
  /** Devices and statuses for the routes; default: the monitor's own. */
  devices?: DeviceView;
  /** The config file's metrics listener and plugin options, for the security findings. */
  file?: FileSettings;
}

/**
 * Builds what the routes share, after `monitor.start()` (storage is ready then), and on a first
 * start (no user yet) creates the `admin` user (see `bootstrapAdmin`).
 */
export async function createServerContext(
  monitor: Monitor,
  config: ServerConfig,
  options: ContextOptions = {},
): Promise<ServerContext & { close(): void }> {
  const { store, persistent } = serverState(monitor, monitor.logger);
  const accounts = new Accounts(store);
  const audit = new AuditLog(store, Date.now, config.audit);
  const license = new LicenseManager({
    path: config.license.path,
    publicKey: config.license.publicKey,
    store,
    metrics: monitor.metrics,
    countRouters: () => (options.devices ?? monitor.devices).list().length,
  });
  await license.check();
  const timer = setInterval(() => void license.check(), config.license.checkIntervalMinutes * 60_000);
  timer.unref();
  // Expired sessions are deleted when used; those never used again are purged hourly, and the
  // audit log is trimmed to its retention (at start too: the settings may have shrunk).
  const housekeeping = () => {
    void accounts
      .purgeSessions()
      .catch((err: unknown) =>
        monitor.logger.warn('could not purge expired sessions', { error: (err as Error).message }),
      );
    void audit
      .trim()
      .catch((err: unknown) =>
        monitor.logger.warn('could not trim the audit log', { error: (err as Error).message }),
      );
  };
  const purge = setInterval(housekeeping, 3_600_000);
  purge.unref();
  void audit
    .trim()
    .catch((err: unknown) =>
      monitor.logger.warn('could not trim the audit log', { error: (err as Error).message }),
    );

  const facts = factsCache(monitor.bus);
  const fallbackAlerts = options.alerts ? undefined : busAlerts(monitor.bus, store);
  const recentErrors = new RecentErrors(monitor.bus);
  await bootstrapAdmin(accounts, audit, config.auth, {
    print: options.print ?? ((l) => process.stdout.write(`${l}\n`)),
    logger: monitor.logger.child({ component: 'auth' }),
  });
  const security = new SecurityAdvisor(
    monitor,
    config,
    options.file,
    monitor.logger.child({ component: 'security' }),
  );
  security.start(accounts);

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
    // In `prometheus` samples mode, charts and rankings read PromQL; the rest stays with PostgreSQL.
    store: () =>
      samplesView(monitor, monitor.has(postgresStore) ? monitor.resolve(postgresStore) : undefined),
    samples: () => (monitor.has(tokens.SampleQuery) ? monitor.resolve(tokens.SampleQuery) : undefined),
    recentErrors,
    security,
    persistentState: persistent,
    close() {
      clearInterval(timer);
      clearInterval(purge);
      facts.close();
      fallbackAlerts?.close();
      recentErrors.close();
      security.close();
    },
  };
}
