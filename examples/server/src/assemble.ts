import { dirname, join, resolve } from 'node:path';
import {
  type ConfigCheck,
  createMonitor,
  type Device,
  definePlugin,
  describeError,
  ErrorCodes,
  type LoadedConfig,
  type Logger,
  loadConfig,
  type Monitor,
  monitorError,
  type Plugin,
  type SinkOptions,
  schemaSecretValues,
  tokens,
} from '@ispmonitor/core';
import { alerts, optionsSchema as alertsOptions } from '@ispmonitor/plugin-alerts';
import { cluster, optionsSchema as clusterOptions } from '@ispmonitor/plugin-cluster';
import { mikrotik, optionsSchema as mikrotikOptions } from '@ispmonitor/plugin-mikrotik';
import { postgres, optionsSchema as postgresOptions } from '@ispmonitor/plugin-postgres';
import { snmp, optionsSchema as snmpOptions } from '@ispmonitor/plugin-snmp';
import { type ZodType, z } from 'zod';
import { type ServerFileConfig, serverSections } from './config-sections.js';
import type { LoadedPlugin } from './plugins/load.js';
import { probeDevices } from './plugins/probe.js';
import { type ResolvedPlugins, resolvePlugins } from './plugins/resolve.js';
import { applySamplesEnv, remoteWritePlugin, remoteWriteSectionSchema } from './samples/config.js';
import { parseServerConfig, type ServerConfig, type ServerRole } from './server-config.js';
import { SERVER_VERSION } from './version.js';

/** Plugin option schemas by name, so `config validate` reports their errors with file lines. */
export const pluginSchemas: Record<string, ZodType> = {
  // plugin-snmp's schema lets unknown keys through: a misspelt option would be silently ignored.
  snmp: strictOptions(snmpOptions),
  mikrotik: mikrotikOptions,
  postgres: postgresOptions,
  alerts: alertsOptions,
  // The cluster's `url` comes from `database.url`: only the other options are checked here.
  cluster: z.preprocess((v) => ({ url: 'postgres://database.url', ...(v as object) }), clusterOptions),
  // `targets` may come from REMOTE_WRITE_URL instead.
  remoteWrite: remoteWriteSectionSchema,
};

/** The options object inside a schema (under defaults), refusing unknown keys; as is when there is none. */
function strictOptions(schema: ZodType): ZodType {
  let inner: unknown = schema;
  while (!(inner instanceof z.ZodObject) && inner instanceof z.ZodDefault) inner = inner.unwrap();
  return inner instanceof z.ZodObject ? z.preprocess((v) => v ?? {}, inner.strict()) : schema;
}

/** The config file, the server section, the plugins imported from npm and the secrets to redact. */
export interface ServerSetup {
  loaded: LoadedConfig<ServerFileConfig>;
  server: ServerConfig;
  /** Plugins the `plugins` section and `ISPM_PLUGINS` import from npm packages, checked. */
  imported: LoadedPlugin[];
}

/**
 * Plugins `readConfig` imported from npm, carried on the config it returns (an enumerable symbol
 * key: a spread copy keeps it, JSON and the API never show it), so every command that assembles
 * from that config — `serve`, `config validate`, `poll`, `user` — runs them without being told.
 */
const IMPORTED = Symbol.for('ispmonitor.importedPlugins');

/** The plugins `readConfig` imported for this config (none for a config from elsewhere). */
export function importedPlugins(config: object): Plugin[] {
  return ((config as Record<symbol, unknown>)[IMPORTED] as Plugin[] | undefined) ?? [];
}

/**
 * Reads and validates the whole config, collecting every problem before reporting them in one
 * error (one line each, with file and line): core's and the server's sections, built-in plugin
 * options, the `server` section, plugins from npm (`plugins.<name>.package`, `ISPM_PLUGINS`:
 * imported, their factories called and the results checked), and the devices against the drivers
 * those plugins register. `serve` and `config validate` both start here.
 */
export async function readConfig(path: string | undefined, env = process.env): Promise<ServerSetup> {
  const source = path ?? 'defaults';
  let server: ServerConfig | undefined;
  let plugins: ResolvedPlugins | undefined;
  // The address policy for the device check; the section's problems, with their lines.
  const checkServer: ConfigCheck = (raw, locate) => {
    try {
      server = parseServerConfig(raw.server, env, source, locate);
      return [];
    } catch (err) {
      return describeError(err).message.split('\n');
    }
  };
  const checkPlugins: ConfigCheck = async (raw, locate) => {
    const section = raw.plugins && typeof raw.plugins === 'object' ? raw.plugins : {};
    plugins = await resolvePlugins({
      section: section as Record<string, unknown>,
      builtin: Object.keys(pluginSchemas),
      locate,
      configPath: path,
      env,
    });
    return plugins.problems;
  };
  // The drivers: the built-in ones with default options (options do not change device settings).
  const checkDevices: ConfigCheck = (raw) =>
    probeDevices({
      devices: raw.devices,
      plugins: [snmp(), mikrotik(), ...(plugins?.external ?? []).map((p) => p.plugin)] as Plugin[],
      source,
      addressPolicy: server?.devices.addressPolicy,
    });
  const loaded = await loadConfig(path, {
    env,
    sections: serverSections,
    pluginSchemas,
    checks: [checkServer, checkPlugins, checkDevices],
  });
  applySamplesEnv(loaded.config, env);
  const imported = plugins?.external ?? [];
  Object.assign(loaded.config, { [IMPORTED]: imported.map((p) => p.plugin) });
  // Parsed again: ISPM_SAMPLES and ISPM_SAMPLES_QUERY_URL have just been applied to it.
  const serverConfig = parseServerConfig(loaded.config.server, env, source);
  for (const s of [
    serverConfig.auth.adminPassword,
    serverConfig.auth.adminApiKey,
    serverConfig.metrics.token,
  ]) {
    if (s) loaded.secrets.push(s);
  }
  // Plugin options' fields their schemas mark with `secret()`, whatever the key is called.
  for (const [name, schema] of Object.entries(pluginSchemas)) {
    loaded.secrets.push(...schemaSecretValues(schema, loaded.config.plugins[name]));
  }
  for (const p of imported) loaded.secrets.push(...p.secrets);
  return { loaded, server: serverConfig, imported };
}

export interface AssembleOptions {
  /** Leave out storage (the `poll` command needs none). */
  storage?: boolean;
  /** Extra plugins (the demo adds alerts; tests add fixtures). */
  plugins?: Plugin<unknown>[];
  /** Devices in addition to the config's. */
  devices?: Device[];
  logger?: Logger;
  /** PGlite in memory instead of a folder (demo, tests). */
  memoryDb?: boolean;
  /** `server.role`: an `api` replica polls nothing. Default `all`. */
  role?: ServerRole;
}

/**
 * An `api` replica: core asks whether it owns a device before polling it, and it owns none; it
 * is never the leader, so the alerting plugin evaluates and notifies nothing here and lists the
 * alerts the pollers stored.
 */
const pollNothing = definePlugin({
  name: 'api-role',
  version: SERVER_VERSION,
  setup(ctx) {
    ctx.provide(tokens.Ownership, { replica: 'api', owns: () => false });
    ctx.provide(tokens.Leadership, { isLeader: () => false });
  },
});

/** The roles split one monitor across processes, which only a shared PostgreSQL makes possible. */
function checkRole(config: ServerFileConfig, role: ServerRole): void {
  if (role !== 'all' && !config.database.url) {
    throw monitorError(
      ErrorCodes.CONFIG_INVALID,
      `server.role: "${role}" needs database.url (DATABASE_URL): API and poller replicas share one PostgreSQL, not an embedded PGlite`,
    );
  }
}

/** The storage plugin's options: the `database` section, then `plugins.postgres` on top. */
export function storageOptions(config: ServerFileConfig, memory = false): Record<string, unknown> {
  const extra = (config.plugins.postgres ?? {}) as Record<string, unknown>;
  return {
    ...(config.database.url ? { url: config.database.url } : { dataDir: config.database.dataDir }),
    ...(config.database.readUrl ? { readUrl: config.database.readUrl } : {}),
    ...(memory ? { memory: true } : {}),
    ...extra,
  };
}

/**
 * `CLUSTER=postgres`: replicas share the devices through the PostgreSQL they store into. An
 * embedded PGlite cannot be shared, so the mode needs `DATABASE_URL`.
 */
function clusterPlugin(config: ServerFileConfig): Plugin<unknown> {
  if (!config.database.url) {
    throw monitorError(
      ErrorCodes.CONFIG_INVALID,
      'cluster.mode: "postgres" needs database.url (DATABASE_URL): replicas share one PostgreSQL, not an embedded PGlite',
    );
  }
  const extra = (config.plugins.cluster ?? {}) as Record<string, unknown>;
  return cluster({ url: config.database.url, ...extra } as never) as Plugin<unknown>;
}

/**
 * Core's sink settings, with the on-disk spool in the data folder: `spool` beside the PGlite folder
 * (`./.data/spool` by default) unless `sinks.spool.dir` says otherwise, so samples wait there
 * instead of being dropped while storage is behind (a first start, an outage). Off with an
 * in-memory database (the demo: nothing outlives the process anyway) and with `sinks.spool: false`.
 */
function withSpool(config: ServerFileConfig, memoryDb: boolean | undefined): SinkOptions {
  const { spool, ...sinks } = config.sinks;
  if (spool === false || memoryDb) return sinks;
  const dir = spool?.dir ?? join(dirname(resolve(config.database.dataDir)), 'spool');
  return { ...sinks, spool: { dir, maxBytes: spool?.maxBytes } };
}

/** Config → plugins → monitor: what `serve` and `demo` run. */
export async function assemble(
  config: ServerFileConfig,
  secrets: string[],
  options: AssembleOptions = {},
): Promise<Monitor> {
  const role = options.role ?? 'all';
  if (options.storage !== false) checkRole(config, role);
  const opt = (name: string) => (config.plugins[name] ?? {}) as never;
  const plugins: Plugin<unknown>[] = [snmp(opt('snmp')), mikrotik(opt('mikrotik'))] as Plugin<unknown>[];
  if (options.storage !== false) {
    plugins.push(postgres(storageOptions(config, options.memoryDb) as never) as Plugin<unknown>);
    // After storage: in `prometheus` mode its sample reader is the one the routes get.
    const rw = remoteWritePlugin(config);
    if (rw) plugins.push(rw);
  }
  // An API replica takes no share of the devices: it must not join the pollers' cluster.
  if (role === 'api') plugins.push(pollNothing() as Plugin<unknown>);
  else if (config.cluster.mode === 'postgres') plugins.push(clusterPlugin(config));
  // Alerts after storage: the plugin keeps its state (silences, acknowledgements) in the StateStore.
  plugins.push(alerts(opt('alerts')) as Plugin<unknown>);
  // Plugins from npm after the built-ins: their setup may look for what the built-ins provide.
  plugins.push(...importedPlugins(config), ...(options.plugins ?? []));
  const poller = config.poller;
  // Read here, not by each caller: `serve`, `demo`, `poll` and `user` then apply the same policy.
  const { addressPolicy } = parseServerConfig(config.server, {}).devices;
  return createMonitor({
    addressPolicy,
    plugins,
    devices: [...(config.devices as Device[]), ...(options.devices ?? [])],
    poller,
    sinks: withSpool(config, options.memoryDb),
    logLevel: config.logLevel,
    ...(options.logger ? { logger: options.logger } : {}),
    secrets,
  });
}
