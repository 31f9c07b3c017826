// tsyringe needs the Reflect metadata API before it loads: the one import side effect of core.
import 'reflect-metadata';

export type * from './types.js';
export { Bus, type MonitorEvents, type EventName, type Listener, type TrapEvent } from './bus.js';
export { tokens, createToken, type Token } from './tokens.js';
export { MonitorError, ErrorCodes, monitorError, describeError, type ErrorCode } from './errors.js';
export { definePlugin, type PluginDefinition } from './plugin.js';
export { parseDuration, formatDuration } from './duration.js';
export { systemClock, sleep } from './clock.js';
export { createJsonLogger, Redactor, redactingLogger } from './logger.js';
export { catalog, catalogNames, counterNames, type MetricDef } from './metrics/catalog.js';
export { CORE_VERSION } from './version.js';
