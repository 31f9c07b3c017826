import type { Monitor, SampleQuery } from '@ispmonitor/core';
import type { PostgresStore } from '@ispmonitor/plugin-postgres';
import type { FastifyInstance } from 'fastify';
import type { AlertsApi } from '../alerts/api.js';
import type { Accounts } from '../auth/accounts.js';
import type { AuditLog } from '../auth/audit.js';
import type { FactsCache, InventoryRead } from '../inventory/facts.js';
import type { LicenseManager } from '../license/manager.js';
import type { DeviceView } from '../replicas/sync.js';
import type { ServerConfig } from '../server-config.js';
import type { ServerContext } from '../server-context.js';
import type { RecentErrors } from '../system/recent-errors.js';

declare module 'fastify' {
  /** What every route plugin reads from its instance: set once at the root by `decorateServices`. */
  interface FastifyInstance {
    monitor: Monitor;
    /** Devices with their status as the API shows them (on an `api` replica: as the pollers recorded). */
    devices: DeviceView;
    /** The validated `server` config section. */
    serverConfig: ServerConfig;
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
}

/**
 * Decorates the root instance with the server's services, so every route plugin registered below
 * it (each in its own encapsulated scope) reads `app.monitor`, `app.accounts`… instead of taking
 * a context parameter. Called once, before any route plugin is registered.
 */
export function decorateServices(app: FastifyInstance, ctx: ServerContext): void {
  app.decorate('monitor', ctx.monitor);
  app.decorate('devices', ctx.devices);
  app.decorate('serverConfig', ctx.config);
  app.decorate('accounts', ctx.accounts);
  app.decorate('audit', ctx.audit);
  app.decorate('license', ctx.license);
  app.decorate('inventory', ctx.inventory);
  app.decorate('facts', ctx.facts);
  app.decorate('alerts', ctx.alerts);
  app.decorate('store', () => ctx.store());
  app.decorate('samples', () => ctx.samples());
  app.decorate('recentErrors', ctx.recentErrors);
  app.decorate('persistentState', ctx.persistentState);
}
