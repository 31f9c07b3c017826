import type { Monitor, SampleQuery } from '@ispmonitor/core';
import type { PostgresStore } from '@ispmonitor/plugin-postgres';
import type { AlertsApi } from './alerts/api.js';
import type { Accounts } from './auth/accounts.js';
import type { AuditLog } from './auth/audit.js';
import type { FactsCache, InventoryRead } from './inventory/facts.js';
import type { LicenseManager } from './license/manager.js';
import type { DeviceView } from './replicas/sync.js';
import type { ServerConfig } from './server-config.js';
import type { RecentErrors } from './system/recent-errors.js';

/** Everything the routes use. Built once by `createServerContext`, shared by both HTTP servers. */
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
  store?: () => PostgresStore | undefined;
  /** Stored samples, when a storage plugin provides them. */
  samples(): SampleQuery | undefined;
  recentErrors: RecentErrors;
  /** Whether users, keys and the audit log are persisted (a StateStore was provided). */
  persistentState: boolean;
}
