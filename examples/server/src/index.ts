/**
 * `@ispmonitor/server`: the assembled ISP Monitor. Use `readConfig` + `assemble` + `runServer`
 * to embed it, or `buildApp` / `buildMetricsApp` to mount its HTTP servers yourself.
 */
export { type AlertsApi, type AlertView, busAlerts, type Silence } from './adapters/alerts.js';
export { factsCache, type InventoryRead } from './adapters/inventory-read.js';
export { postgresInventory, storageInventory } from './adapters/postgres-read.js';
export { buildApp, type RouteInfo } from './app.js';
export { assemble, pluginSchemas, readConfig, storageOptions } from './assemble.js';
export { AuditLog } from './audit.js';
export { Accounts, type Principal } from './auth/accounts.js';
export type { ServerContext } from './context.js';
export { DEMO_LOGIN, startDemo } from './demo.js';
export { DeviceMetrics } from './device-metrics.js';
export {
  GRACE_MS,
  generateLicenseKeys,
  LicenseManager,
  type LicenseStatus,
  signLicense,
  verifyLicense,
} from './license.js';
export { buildMetricsApp } from './metrics-server.js';
export { exitOnSignals, type RunningServer, runServer } from './run-server.js';
export { parseServerConfig, type ServerConfig, serverConfigSchema } from './server-config.js';
export { createServerContext } from './server-context.js';
export { memoryStateStore } from './state.js';
