import { CORE_VERSION, type HealthReport, type Monitor } from '@ispmonitor/core';
import { type ClusterSnapshot, clusterStatus } from '@ispmonitor/plugin-cluster';
import { postgresStore, redactUrl, type StorageStats } from '@ispmonitor/plugin-postgres';
import type { LicenseStatus } from '../license/manager.js';
import { SERVER_VERSION } from '../version.js';
import type { RecentError } from './recent-errors.js';
import type { SecuritySummary } from './security-findings.js';

/** What `ispmonitor diagnostics` prints and `/api/v1/diagnostics` returns: nothing secret in it. */
export interface Diagnostics {
  versions: { server: string; core: string; node: string; platform: string };
  uptimeSeconds: number;
  plugins: Array<{ name: string; version: string; provides: string[] }>;
  config: Record<string, unknown>;
  devices: Record<string, number> & { total: number };
  health: HealthReport;
  license: LicenseStatus;
  recentErrors: RecentError[];
  /** Settings that weaken security (SNMPv2c, MD5, plain RouterOS API, cleartext SMTP login, …). */
  security: SecuritySummary[];
  /** With `CLUSTER=postgres`: the replicas and which one polls which device. */
  cluster?: ClusterSnapshot;
  /** The samples on disk: bytes per sample, chunks, hot rows and the hot window (or why not). */
  storage?: StorageStats | { error: string };
}

/**
 * A summary of the config that is safe to share: shapes and counts, no hosts' credentials. The
 * database URLs (primary and read replica) are shown without their passwords, plugin options only
 * by their keys.
 */
export function configSummary(config: {
  logLevel: string;
  poller: Record<string, unknown>;
  api: { host: string; port: number };
  metrics: { host: string; port: number };
  database: { url?: string; readUrl?: string; dataDir?: string };
  cluster: { mode: string };
  devices: unknown[];
  plugins: Record<string, unknown>;
}): Record<string, unknown> {
  const database = config.database.url
    ? redactUrl(config.database.url)
    : `embedded PGlite in ${config.database.dataDir}`;
  const readReplica = config.database.readUrl ? redactUrl(config.database.readUrl) : undefined;
  return {
    logLevel: config.logLevel,
    poller: config.poller,
    api: config.api,
    metrics: config.metrics,
    database,
    ...(readReplica ? { readReplica } : {}),
    cluster: config.cluster,
    configDevices: config.devices.length,
    plugins: Object.fromEntries(
      Object.entries(config.plugins).map(([k, v]) => [
        k,
        v && typeof v === 'object' ? Object.keys(v) : typeof v,
      ]),
    ),
  };
}

const started = Date.now();

/** Collects diagnostics from a running monitor. */
export async function collectDiagnostics(
  monitor: Monitor,
  config: Record<string, unknown>,
  license: LicenseStatus,
  recentErrors: RecentError[],
  security: SecuritySummary[] = [],
): Promise<Diagnostics> {
  const counts = monitor.devices.counts();
  return {
    versions: {
      server: SERVER_VERSION,
      core: CORE_VERSION,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    uptimeSeconds: Math.round((Date.now() - started) / 1000),
    plugins: [...monitor.plugins],
    config,
    devices: { ...counts, total: Object.values(counts).reduce((a, b) => a + b, 0) },
    health: await monitor.health(),
    license,
    recentErrors,
    security,
    ...(monitor.has(clusterStatus) ? { cluster: monitor.resolve(clusterStatus).snapshot() } : {}),
    ...(monitor.has(postgresStore) ? { storage: await storageOf(monitor) } : {}),
  };
}

// A database that does not answer leaves the rest of the report intact.
async function storageOf(monitor: Monitor): Promise<StorageStats | { error: string }> {
  try {
    return await monitor.resolve(postgresStore).storageStats();
  } catch (err) {
    return { error: (err as Error).message };
  }
}
