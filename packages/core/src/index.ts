/**
 * `@ispmonitor/core`: the monitor (`createMonitor`), the plugin contract (`definePlugin`, tokens,
 * drivers, sinks, notifiers), the scheduler, the event bus, the device registry, self-metrics,
 * health checks and config loading.
 *
 * @module @ispmonitor/core
 */
// tsyringe needs the Reflect metadata API before it loads: the one import side effect of core.
import 'reflect-metadata';

export { Bus, type ListenerErrorHandler } from './bus.js';
export { sleep, systemClock } from './clock.js';
export { type LoadConfigOptions, type LoadedConfig, loadConfig } from './config/load.js';
export { type CoreConfig, coreSections } from './config/schema.js';
export {
  type ConfigCheck,
  type ConfigSection,
  configSection,
  type EnvOverride,
  type Locate,
  type SectionsConfig,
} from './config/section.js';
export {
  type AddressPolicy,
  type AddressPolicyOptions,
  addressPolicy,
  DEFAULT_DENIED,
  looseIPv4,
} from './devices/address-policy.js';
export { memoryInventory } from './devices/registry.js';
export { deviceSchema, formatIssues, validateDevice } from './devices/validate.js';
export {
  DEVICE_FIELDS,
  type DeviceFor,
  type DriverDefinition,
  defineDriver,
  pushSample,
  type SettingsOf,
} from './driver.js';
export { formatDuration, parseDuration } from './duration.js';
export {
  type CodesOf,
  CoreErrors,
  codesOf,
  defineErrors,
  describeError,
  type ErrorCode,
  ErrorCodes,
  type ErrorRow,
  type ErrorSpec,
  type ErrorTable,
  type ErrorTableOf,
  errorClass,
  MonitorError,
  type MonitorErrorOptions,
  monitorError,
  type PluginErrorClass,
  statusIn,
} from './errors.js';
export { type FolderLock, lockFolder } from './folder-lock.js';
export { stableHash } from './hash.js';
export { isPlugin } from './host/check-plugins.js';
export { type OverloadOptions, overloadOptionsSchema, type ResolvedOverloadOptions } from './load/options.js';
export { createJsonLogger, type JsonLoggerOptions, Redactor, redactingLogger } from './logger.js';
export { isSecret, schemaSecretValues, secret } from './logger-schema.js';
export { memoryStateStore } from './memory-state.js';
export { catalog, catalogNames, counterNames, type MetricDef } from './metrics/catalog.js';
export { type CounterDeltaOptions, counterDelta, counterRate } from './metrics/counters.js';
export {
  counter,
  gauge,
  histogram,
  type LabelsOf,
  type MetricKind,
  type MetricOf,
  type MetricSpec,
  type MetricsOf,
  type MetricTable,
  registerMetrics,
  type SplitLabels,
  type TrimSpaces,
} from './metrics/define.js';
export { createMonitor, type Monitor } from './monitor.js';
export { definePlugin, type FactoryArgs, type PluginDefinition } from './plugin.js';
export { createToken, tokens } from './tokens.js';
export type * from './types.js';
export { CORE_VERSION } from './version.js';
export { durationMs, durationMsOr } from './zod-helpers.js';
