/**
 * `@ispmonitor/server`: the assembled ISP Monitor. Use `readConfig` + `assemble` + `runServer`
 * to embed it, or `buildApp` / `buildMetricsApp` to mount its HTTP servers yourself.
 */
export { type AlertsApi, type AlertView, busAlerts, type Silence } from './alerts/api.js';
export {
  assemble,
  importedPlugins,
  pluginSchemas,
  readConfig,
  type ServerSetup,
  storageOptions,
} from './assemble.js';
export { Accounts, type Principal } from './auth/accounts.js';
export { AuditLog } from './auth/audit.js';
export { DEMO_LOGIN, startDemo } from './cli/demo.js';
export { type ServerFileConfig, serverSections } from './config-sections.js';

export { buildMetricsApp } from './exporter/app.js';
export { DeviceMetrics } from './exporter/device-metrics.js';
export { buildApp, type RouteInfo } from './http/app.js';
export { factsCache, type InventoryRead } from './inventory/facts.js';
export { postgresInventory, storageInventory } from './inventory/postgres.js';
export {
  GRACE_MS,
  generateLicenseKeys,
  LicenseManager,
  type LicenseStatus,
  signLicense,
  verifyLicense,
} from './license/manager.js';
export { exitOnSignals, type RunningServer, runServer } from './run-server.js';
export { parseServerConfig, type ServerConfig, serverConfigSchema } from './server-config.js';
export { createServerContext, type ServerContext } from './server-context.js';
export { memoryStateStore } from './state-store.js';
