/**
 * The whole contract between ISP Monitor's core and its plugins.
 *
 * A plugin provides drivers (how to talk to a device), sinks (where results go), notifiers (who
 * hears about problems) and stores; core schedules polls, carries events and keeps self-metrics.
 */
import type { Registry } from 'prom-client';
import type { ZodType } from 'zod';
import type { Bus } from './bus.js';
import type { Token } from './tokens.js';

/** Label set of a sample or series. Keys and values are plain strings. */
export type Labels = Record<string, string>;

/**
 * One measurement. `name` comes from the metric catalogue (`metrics/catalog.ts`); every sample
 * carries a `device` label. Counters are raw; a value beyond 2^53 is a `bigint` so it stays exact.
 */
export interface Sample {
  name: string;
  labels: Labels;
  value: number | bigint;
  /** Milliseconds since the Unix epoch. */
  ts: number;
}

/** A duration: milliseconds as a number, or a string like `500ms`, `60s`, `5m`, `1h`, `1d`. */
export type Duration = number | string;

/** Where a device is, for maps. */
export interface GeoLocation {
  lat: number;
  lon: number;
  /** Free text: a site name or street address. */
  address?: string;
}

/**
 * A monitored device. The settings of its driver live under a key named after the driver's kind
 * (`snmp: {…}`, `mikrotik: {…}`): opaque to core, validated by the driver when the device is added.
 */
export interface Device {
  /** Stable identifier, unique in the monitor (letters, digits, `.`, `_`, `-`). */
  id: string;
  /** Human name; defaults to `id`. */
  name?: string;
  /** Address or DNS name the driver connects to. */
  host: string;
  /** Port, when the driver's default is not right. */
  port?: number;
  /** The `kind` of the driver that polls this device. */
  driver: string;
  /** Poll interval; default the monitor's `poller.interval` (60 s). */
  interval?: Duration;
  /** Labels added to every sample of this device (site, role, …). */
  labels?: Labels;
  /** Id of the upstream device: when it is down, this device's alerts are suppressed. */
  parent?: string;
  location?: GeoLocation;
  /** A disabled device stays in the inventory and is not polled. Default true. */
  enabled?: boolean;
  /** Driver settings, keyed by driver kind. */
  [driverSettings: string]: unknown;
}

/** Where a device definition came from: config devices are read-only through the API. */
export type DeviceOrigin = 'config' | 'store';

/** `unknown → online`; `online → unreachable` on a failed poll; `offline` after `downAfter`. */
export type DeviceStatus = 'unknown' | 'online' | 'unreachable' | 'offline';

/** Everything passed to a driver's `poll`. */
export interface PollContext {
  /** Aborted at the poll timeout or when the monitor stops: drivers must honour it. */
  signal: AbortSignal;
  logger: Logger;
}

/** A part of a poll that failed (one MIB table, one RouterOS menu) while the rest succeeded. */
export interface PartError {
  part: string;
  code: string;
  message: string;
}

/** What a device is, as its driver saw it. */
export interface SystemFact {
  name?: string;
  description?: string;
  objectId?: string;
  vendor?: string;
  model?: string;
  version?: string;
  serial?: string;
  uptimeSeconds?: number;
}

export interface InterfaceFact {
  /** ifIndex, or the router's own id for API drivers. */
  index: number | string;
  name: string;
  alias?: string;
  description?: string;
  type?: string;
  mac?: string;
  speedBps?: number;
  adminUp?: boolean;
  operUp?: boolean;
}

export interface NeighbourFact {
  protocol: 'lldp' | 'cdp' | 'mndp' | 'other';
  localInterface?: string;
  remoteName?: string;
  remoteId?: string;
  remoteAddress?: string;
  remoteInterface?: string;
  remotePlatform?: string;
}

export interface PppoeSessionFact {
  user: string;
  address?: string;
  callerId?: string;
  service?: string;
  interface?: string;
  uptimeSeconds?: number;
}

export interface DhcpLeaseFact {
  address: string;
  mac: string;
  hostName?: string;
  server?: string;
  status?: string;
  expiresAfterSeconds?: number;
}

export interface WirelessClientFact {
  mac: string;
  interface: string;
  signalDbm?: number;
  txRateBps?: number;
  rxRateBps?: number;
  uptimeSeconds?: number;
}

/** Inventory facts a poll learned. A missing key means "not collected", an empty list "none". */
export interface InventoryFacts {
  system?: SystemFact;
  interfaces?: InterfaceFact[];
  neighbours?: NeighbourFact[];
  pppoeSessions?: PppoeSessionFact[];
  dhcpLeases?: DhcpLeaseFact[];
  wirelessClients?: WirelessClientFact[];
}

/**
 * The result of one poll. A device that could not be reached at all is a result with `error`
 * (a driver may also throw: core treats both alike). Failed parts go in `partErrors`.
 */
export interface PollResult {
  samples: Sample[];
  facts?: InventoryFacts;
  partErrors?: PartError[];
  error?: { code: string; message: string };
}

/** How to talk to one kind of device. */
export interface Driver {
  /** The value of `device.driver` this driver serves, and the key of its settings. */
  kind: string;
  /** Validates and normalises `device[kind]` when a device is added or changed. */
  settingsSchema?: ZodType;
  /** Polls one device. Never rejects for a device's fault: returns a result with `error`. */
  poll(device: Device, ctx: PollContext): Promise<PollResult>;
  /** Releases sockets and connections. */
  close?(): Promise<void>;
}

/** Where batches of samples go: storage, exporters. Core buffers, batches and retries. */
export interface Sink {
  name: string;
  /** Writes one batch. Throwing means "retry this batch later". Must be idempotent. */
  write(batch: Sample[]): Promise<void>;
  flush?(): Promise<void>;
  close?(): Promise<void>;
}

/** An alert as notifiers see it (Alertmanager's shape). */
export interface AlertInstance {
  /** Stable identity: hash of the labels. */
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels: Labels;
  annotations: Labels;
  startsAt: number;
  endsAt?: number;
  value?: number;
}

/** One message to one receiver: a group of alerts. */
export interface Notification {
  /** Unique per send; receivers may use it to drop duplicates. */
  id: string;
  receiver: string;
  status: 'firing' | 'resolved';
  groupKey: string;
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Labels;
  alerts: AlertInstance[];
}

export type SendResult = { ok: true } | { ok: false; retry: boolean; error: string; retryAfterMs?: number };

/** Who hears about problems. Never throws: returns whether to retry. */
export interface Notifier {
  name: string;
  send(notification: Notification, ctx: { signal: AbortSignal }): Promise<SendResult>;
  close?(): Promise<void>;
}

/** Where devices are kept. The default keeps them in memory; storage plugins persist them. */
export interface InventoryStore {
  readonly persistent: boolean;
  list(): Promise<Device[]>;
  put(device: Device): Promise<void>;
  remove(id: string): Promise<void>;
}

/** Durable JSON state by namespace and key (alert state, notification log, …). */
export interface StateStore {
  get<T = unknown>(namespace: string, key: string): Promise<T | undefined>;
  set(namespace: string, key: string, value: unknown): Promise<void>;
  delete(namespace: string, key: string): Promise<void>;
  list<T = unknown>(namespace: string): Promise<Array<{ key: string; value: T }>>;
}

/**
 * Which devices this process polls, when several processes share the network (scale-out). Core
 * polls only devices `owns` accepts; a process without a provider polls every device.
 */
export interface DeviceOwnership {
  owns(deviceId: string): boolean;
  /** This replica's name, for the API and diagnostics. */
  readonly replica: string;
}

/** Whether this process is the one that runs once-per-cluster work (alert evaluation, notifications). */
export interface Leadership {
  isLeader(): boolean;
}

/** A time-series read: what the API and UI ask storage for. */
export interface RangeQuery {
  name: string;
  /** Equality matchers on labels. */
  labels?: Labels;
  from: number;
  to: number;
  /** Step in ms between points. */
  step: number;
  fn?: 'raw' | 'rate' | 'increase' | 'avg' | 'min' | 'max' | 'last';
}

export interface SeriesData {
  labels: Labels;
  points: Array<[ts: number, value: number]>;
}

/** Read access to stored samples. */
export interface SampleQuery {
  range(query: RangeQuery): Promise<SeriesData[]>;
  /** The newest sample of each series matching name and labels. */
  latest(name: string, labels?: Labels): Promise<Sample[]>;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Structured logger. `fields` are merged into the record; secrets in them are redacted. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/** Time source. The default is the system's; tests inject a fake one. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type HealthState = 'pass' | 'warn' | 'fail';

export interface HealthCheckResult {
  status: HealthState;
  message?: string;
  details?: Record<string, unknown>;
}

export interface HealthCheck {
  name: string;
  /** A critical check that fails makes the monitor not ready. Default true. */
  critical?: boolean;
  check(): Promise<HealthCheckResult> | HealthCheckResult;
}

export interface HealthReport {
  status: HealthState;
  checks: Record<string, HealthCheckResult & { critical: boolean; durationMs: number }>;
}

/** A value, or a factory called once on first resolve. */
export type Provider<T> = T | ((ctx: ResolveContext) => T);

export interface ResolveContext {
  resolve<T>(token: Token<T>): T;
  resolveAll<T>(token: Token<T>): T[];
}

/** What a plugin's `setup` receives. */
export interface PluginContext extends ResolveContext {
  /** The plugin's name. */
  readonly name: string;
  readonly logger: Logger;
  readonly bus: Bus;
  readonly clock: Clock;
  /** The monitor's own prom-client registry: always pass it as `registers: [ctx.metrics]`. */
  readonly metrics: Registry;
  readonly devices: DeviceRegistry;
  /** Registers a provider of a token. Several providers of one token are read with `resolveAll`. */
  provide<T>(token: Token<T>, provider: Provider<T>): void;
  has(token: Token<unknown>): boolean;
  health(check: HealthCheck): void;
  /** Runs at `monitor.start()`, in plugin order, after storage is ready and before polling. */
  onStart(fn: () => Promise<void> | void): void;
  /** Runs at `monitor.stop()`, in reverse plugin order, after polls finished and sinks flushed. */
  onStop(fn: () => Promise<void> | void): void;
}

/** A plugin as handed to `createMonitor`: made by the factory `definePlugin` returns. */
export interface Plugin<O = unknown> {
  readonly name: string;
  readonly version: string;
  readonly requires: readonly string[];
  /** Semver range of `@ispmonitor/core` this plugin was built for. */
  readonly coreRange: string;
  readonly options: unknown;
  readonly optionsSchema?: ZodType<O>;
  setup(ctx: PluginContext, options: O): void | Promise<void>;
}

/** A device with what core knows about it. */
export interface DeviceState {
  device: Device;
  origin: DeviceOrigin;
  status: DeviceStatus;
  /** When the status last changed. */
  since: number;
  lastPollAt?: number;
  lastSuccessAt?: number;
  lastError?: { code: string; message: string; at: number };
}

/** The monitor's device inventory: add, change and remove devices while it runs. */
export interface DeviceRegistry {
  list(): DeviceState[];
  get(id: string): DeviceState | undefined;
  /** Validates (ids, driver, driver settings), persists, schedules. Rejects with a MonitorError. */
  add(device: Device): Promise<DeviceState>;
  update(id: string, patch: Partial<Device>): Promise<DeviceState>;
  remove(id: string): Promise<void>;
  /** Counts by status. */
  counts(): Record<DeviceStatus, number>;
  /**
   * Polls a device as soon as a slot is free, instead of at its next slot — e.g. when a trap
   * says a link went down. Ignored while a poll of it runs or waits; false for an unknown id.
   */
  pollNow(id: string): boolean;
}

export interface PollerOptions {
  /** Default interval of devices that set none. Default `60s`. */
  interval?: Duration;
  /** Polls in flight at once. Default 100. */
  concurrency?: number;
  /** Per-poll timeout. Default `10s`. */
  timeout?: Duration;
  /** Immediate retries of a failed poll before it counts as failed. Default 0. */
  retries?: number;
  /** Poll interval while a device is unreachable or offline. Default `15s` (never above the interval). */
  recheckInterval?: Duration;
  /** How long a device stays unreachable before it is offline. Default `5m`. */
  downAfter?: Duration;
}

export interface SinkOptions {
  /** Samples buffered per sink before new ones are dropped (and counted). Default 1,000,000. */
  bufferLimit?: number;
  /** Samples per `write` call. Default 5,000. */
  batchSize?: number;
  /** Longest a sample waits before its batch is written. Default `1s`. */
  flushInterval?: Duration;
  /** First retry delay after a failed write; doubles up to `maxBackoff`, with jitter. Default `500ms`. */
  minBackoff?: Duration;
  /** Default `30s`. */
  maxBackoff?: Duration;
}

export interface MonitorOptions {
  // biome-ignore lint/suspicious/noExplicitAny: each plugin has its own options type
  plugins?: Plugin<any>[];
  /** Devices from config: read-only through the API. */
  devices?: Device[];
  poller?: PollerOptions;
  sinks?: SinkOptions;
  logger?: Logger;
  /** Default level of the built-in logger. Default `info`. */
  logLevel?: LogLevel;
  clock?: Clock;
  /** Secret values that must never appear in logs (config loading fills this). */
  secrets?: string[];
}
