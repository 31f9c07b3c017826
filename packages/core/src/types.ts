/**
 * The whole contract between ISP Monitor's core and its plugins, on one page.
 *
 * Read it top to bottom: devices and what a poll returns; the three roles a plugin can fill —
 * a **driver** (how to talk to one kind of device: `defineDriver`), a **sink** (where samples
 * go) and the stores; the **event bus** (`BusEvents`, which plugins extend with their own
 * events); the **plugin host** (tokens, `PluginContext`, `Plugin`); and last the options of
 * `createMonitor`. Alerts and notifiers belong to `@ispmonitor/plugin-alerts`, PPPoE session
 * events to `@ispmonitor/plugin-mikrotik`: each declares its own events and types.
 *
 * This file imports no other file of core but two option types, so every other file can import
 * it without a cycle.
 */
import type { Registry } from 'prom-client';
import type { ZodType } from 'zod';
import type { AddressPolicyOptions } from './devices/address-policy.js';
import type { Duration } from './duration.js';
import type { OverloadOptions } from './load/options.js';

export type { Duration } from './duration.js';

// ─── Devices and what a poll returns ────────────────────────────────────────────────────────

/** Label set of a sample or series. Keys and values are plain strings. */
export type Labels = Record<string, string>;

/**
 * One measurement. `name` comes from the metric catalogue (`metrics/catalog.ts`); every sample
 * carries a `device` label. Counters are raw; a value beyond 2^53 is a `bigint` so it stays exact.
 */
export interface Sample {
  /** Metric name from the catalogue, e.g. `interface_in_octets_total`. */
  name: string;
  /** Labels of the series; always includes `device` once core has stamped it. */
  labels: Labels;
  /** The value; counters beyond 2^53 are a `bigint`. */
  value: number | bigint;
  /** Milliseconds since the Unix epoch. */
  ts: number;
}

/** Where a device is, for maps. */
export interface GeoLocation {
  /** Latitude in degrees, -90..90. */
  lat: number;
  /** Longitude in degrees, -180..180. */
  lon: number;
  /** Free text: a site name or street address. */
  address?: string;
}

/**
 * A monitored device: a router, a switch, an OLT, an access point — anything a driver polls
 * ("device" in the framework; the server's API and UI say "router", see docs/concepts.md). The
 * settings of its driver live under a key named after the driver's kind (`snmp: {…}`,
 * `mikrotik: {…}`): core parses them with the driver's `settings` schema when the device is added
 * or changed, keeps the parsed output there, and hands it to every `poll`.
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
  /** Coordinates, for the topology map. */
  location?: GeoLocation;
  /** A disabled device stays in the inventory and is not polled. Default true. */
  enabled?: boolean;
  /** Driver settings, keyed by driver kind (parsed: see `Driver.settings`). */
  [driverSettings: string]: unknown;
}

/** Where a device definition came from: config devices are read-only through the API. */
export type DeviceOrigin = 'config' | 'store';

/** `unknown → online`; `online → unreachable` on a failed poll; `offline` after `downAfter`. */
export type DeviceStatus = 'unknown' | 'online' | 'unreachable' | 'offline';

/** What a driver's `poll` gets besides the device and its settings. */
export interface PollContext {
  /** Aborted at the poll timeout or when the monitor stops: drivers must honour it. */
  signal: AbortSignal;
  /** A logger that names the device. */
  logger: Logger;
}

/** A part of a poll that failed (one MIB table, one RouterOS menu) while the rest succeeded. */
export interface PartError {
  /** Which part failed: a table (`ifXTable`) or a menu (`/ppp/active`). */
  part: string;
  /** Stable error code. */
  code: string;
  /** What went wrong, without secrets. */
  message: string;
}

/** What a device is, as its driver saw it. */
export interface SystemFact {
  /** sysName, or the router's identity. */
  name?: string;
  /** sysDescr, or the equivalent. */
  description?: string;
  /** sysObjectID. */
  objectId?: string;
  /** Vendor, from the profile. */
  vendor?: string;
  /** Model or board name. */
  model?: string;
  /** Software version. */
  version?: string;
  /** Serial number. */
  serial?: string;
  /** Seconds since boot. */
  uptimeSeconds?: number;
}

/** One interface of a device. */
export interface InterfaceFact {
  /** ifIndex, or the router's own id for API drivers. */
  index: number | string;
  /** ifName (or ifDescr), the `ifName` label of its samples. */
  name: string;
  /** ifAlias or comment: what the operator called it. */
  alias?: string;
  /** ifDescr. */
  description?: string;
  /** Interface type (`ethernetCsmacd`, `ether`, `pppoe-out`, …). */
  type?: string;
  /** MAC address, `aa:bb:cc:dd:ee:ff`. */
  mac?: string;
  /** Speed in bits per second. */
  speedBps?: number;
  /** Administratively enabled. */
  adminUp?: boolean;
  /** Link up. */
  operUp?: boolean;
  /**
   * Its IP addresses in CIDR form (`10.0.0.1/24`, `2001:db8::1/64`). Absent when not collected
   * (storage then leaves the stored ones alone); an empty list means it has none.
   */
  addresses?: string[];
}

/** A device seen next to this one. */
export interface NeighbourFact {
  /** Discovery protocol the neighbour was seen by. */
  protocol: 'lldp' | 'cdp' | 'mndp' | 'other';
  /** Our interface it was seen on. */
  localInterface?: string;
  /** Its system name. */
  remoteName?: string;
  /** Its chassis id or identity. */
  remoteId?: string;
  /** Its management address. */
  remoteAddress?: string;
  /** Its interface facing us. */
  remoteInterface?: string;
  /** Its platform or board. */
  remotePlatform?: string;
}

/** One PPPoE (or other PPP) subscriber session. */
export interface PppoeSessionFact {
  /** The router's id of the session (it changes when the subscriber reconnects). */
  id?: string;
  /** PPP user name: the subscriber. */
  user: string;
  /** Address given to the subscriber. */
  address?: string;
  /** Caller id: the subscriber's MAC for PPPoE. */
  callerId?: string;
  /** PPP service (pppoe, l2tp, …). */
  service?: string;
  /** Dynamic interface of the session. */
  interface?: string;
  /** Seconds since the session came up. */
  uptimeSeconds?: number;
  /** Bytes received from the subscriber (upload), where the router reports them. */
  bytesIn?: number | bigint;
  /** Bytes sent to the subscriber (download), where the router reports them. */
  bytesOut?: number | bigint;
}

/** One DHCP lease. */
export interface DhcpLeaseFact {
  /** Leased address. */
  address: string;
  /** Client MAC address. */
  mac: string;
  /** Host name the client sent. */
  hostName?: string;
  /** DHCP server that gave the lease. */
  server?: string;
  /** Lease status (`bound`, `waiting`, …). */
  status?: string;
  /** Seconds until the lease expires. */
  expiresAfterSeconds?: number;
}

/** One associated wireless client. */
export interface WirelessClientFact {
  /** Client MAC address. */
  mac: string;
  /** Wireless interface it is associated with. */
  interface: string;
  /** SSID of the network it is associated with, where the router reports it. */
  ssid?: string;
  /** Signal strength in dBm. */
  signalDbm?: number;
  /** Transmit rate, bits per second. */
  txRateBps?: number;
  /** Receive rate, bits per second. */
  rxRateBps?: number;
  /** Bytes sent to the client. */
  txBytes?: number | bigint;
  /** Bytes received from the client. */
  rxBytes?: number | bigint;
  /** Seconds since it associated. */
  uptimeSeconds?: number;
}

/** One IP ↔ MAC binding the device holds (ARP / neighbour table: ipNetToMedia, `/ip/arp`). */
export interface ArpFact {
  /** IPv4 or IPv6 address. */
  address: string;
  /** MAC address, `aa:bb:cc:dd:ee:ff`. */
  mac: string;
  /** Interface the binding was learned on. */
  interface?: string;
  /** `dynamic`, `static`, … where the device says. */
  type?: string;
}

/** Inventory facts a poll learned. A missing key means "not collected", an empty list "none". */
export interface InventoryFacts {
  /** What the device is. */
  system?: SystemFact;
  /** Its interfaces. */
  interfaces?: InterfaceFact[];
  /** Devices it sees next to it (LLDP, CDP, MNDP). */
  neighbours?: NeighbourFact[];
  /** Active PPPoE sessions. */
  pppoeSessions?: PppoeSessionFact[];
  /** DHCP leases. */
  dhcpLeases?: DhcpLeaseFact[];
  /** Associated wireless clients. */
  wirelessClients?: WirelessClientFact[];
  /** IP ↔ MAC bindings (ARP / IPv6 neighbours). */
  arp?: ArpFact[];
}

/**
 * The result of one poll. A device that could not be reached at all is a result with `error`
 * (a driver may also throw: core treats both alike). Failed parts go in `partErrors`.
 */
export interface PollResult {
  /** Measurements of this poll. */
  samples: Sample[];
  /** Inventory facts of this poll. */
  facts?: InventoryFacts;
  /** Parts that failed while the rest succeeded. */
  partErrors?: PartError[];
  /** Set when the device could not be polled at all. */
  error?: { code: string; message: string };
}

// ─── Roles: drivers and sinks ──────────────────────────────────────────────────────────────

/**
 * How to talk to one kind of device. Write one with `defineDriver`, which types `settings` from
 * the schema. Core parses a device's settings (`device[kind]`) with `settings` once, when the
 * device is added or changed — an invalid one is refused then, with an error naming the device
 * and the field — and hands the parsed value to every `poll`.
 *
 * The plugin that provides a driver owns it: it closes the driver in its `onStop` hook. Core
 * closes only the copies it builds itself in worker threads (see `worker`).
 */
export interface Driver<S = UnparsedSettings> {
  /** The value of `device.driver` this driver serves, and the key of its settings on a device. */
  readonly kind: string;
  /** Schema of `device[kind]`. Without one, `poll` gets `device[kind]` as given (`UnparsedSettings`). */
  readonly settings?: ZodType<S>;
  /**
   * Polls one device with its parsed settings. Never rejects for a device's fault: returns a
   * result with `error` (a throw is treated alike, but is a bug of the driver).
   */
  poll(device: Device, settings: S, ctx: PollContext): Promise<PollResult>;
  /** Releases sockets and connections: called by the plugin that owns the driver. */
  close?(): Promise<void>;
  /**
   * Opt-in to `poller.workers`: how a worker thread makes its own copy of this driver. Without it
   * the driver's devices are polled on the main thread whatever `poller.workers` says. A worker
   * gets each device with its parsed settings by structured clone: keep the schema's output
   * plain data (no functions, no class instances).
   */
  worker?: DriverWorkerEntry;
}

/**
 * The settings a driver without a schema receives: `device[kind]` as given — an object, or
 * undefined. (Typed so that a `poll(device, ctx)` written for the old contract fails to compile
 * instead of receiving the settings as its context.)
 */
export type UnparsedSettings = Record<string, unknown> | undefined;

/**
 * How a worker thread builds a driver: it imports `module` (a `file:` URL, e.g.
 * `new URL('./driver.js', import.meta.url).href`) and calls its export `export` (default
 * `default`) with `options` — a structured-cloneable value — once, getting a Driver of the same
 * kind. The driver must then keep everything it needs per device itself: each worker sees only
 * its own share of the devices, always the same share while the worker count stays the same.
 * Core closes the drivers it built there when the worker stops.
 */
export interface DriverWorkerEntry {
  /** `file:` URL of the module to import. */
  module: string;
  /** Name of the factory export. Default `default`. */
  export?: string;
  /** The factory's argument, structured-cloneable. */
  options?: unknown;
}

/**
 * Where batches of samples go: storage, exporters. Core buffers, batches and retries. The plugin
 * that provides a sink owns its connections, but core calls `flush` and `close` at stop, after
 * the last batch, because only core knows when that is.
 */
export interface Sink {
  /** Unique among sinks; the `sink` label of its metrics. */
  name: string;
  /** Writes one batch. Throwing means "retry this batch later". Must be idempotent. */
  write(batch: Sample[]): Promise<void>;
  /** Writes anything the sink holds itself; called at stop. */
  flush?(): Promise<void>;
  /** Releases connections; called at stop, after `flush`. */
  close?(): Promise<void>;
}

// ─── Stores, ownership, queries ───────────────────────────────────────────────────────────

/** Where devices are kept. The default keeps them in memory; storage plugins persist them. */
export interface InventoryStore {
  /** Whether devices survive a restart. */
  readonly persistent: boolean;
  /** Every stored device. */
  list(): Promise<Device[]>;
  /** Inserts or replaces a device. */
  put(device: Device): Promise<void>;
  /** Deletes a device; no error when absent. */
  remove(id: string): Promise<void>;
}

/** Durable JSON state by namespace and key (alert state, notification log, …). */
export interface StateStore {
  /** The value under a key, or undefined. */
  get<T = unknown>(namespace: string, key: string): Promise<T | undefined>;
  /** Stores a JSON-serialisable value. */
  set(namespace: string, key: string, value: unknown): Promise<void>;
  /** Deletes a key; no error when absent. */
  delete(namespace: string, key: string): Promise<void>;
  /** Every key and value of a namespace. */
  list<T = unknown>(namespace: string): Promise<Array<{ key: string; value: T }>>;
}

/**
 * Which devices this process polls, when several processes share the network (scale-out). Core
 * polls only devices `owns` accepts; a process without a provider polls every device.
 */
export interface DeviceOwnership {
  /** Whether this replica polls the device now. */
  owns(deviceId: string): boolean;
  /** This replica's name, for the API and diagnostics. */
  readonly replica: string;
}

/** Whether this process is the one that runs once-per-cluster work (alert evaluation, notifications). */
export interface Leadership {
  /** True on exactly one live replica. */
  isLeader(): boolean;
}

/** A time-series read: what the API and UI ask storage for. */
export interface RangeQuery {
  /** Metric name. */
  name: string;
  /** Equality matchers on labels. */
  labels?: Labels;
  /** Start of the range, ms since the epoch. */
  from: number;
  /** End of the range, ms since the epoch. */
  to: number;
  /** Step in ms between points. */
  step: number;
  /** Function applied per step; default `raw`. `rate` is per second. */
  fn?: 'raw' | 'rate' | 'increase' | 'avg' | 'min' | 'max' | 'last';
}

/** One series of a range query. */
export interface SeriesData {
  /** Labels of the series. */
  labels: Labels;
  /** Points in time order. */
  points: Array<[ts: number, value: number]>;
}

/** Read access to stored samples. */
export interface SampleQuery {
  /** Series matching the query over its range. */
  range(query: RangeQuery): Promise<SeriesData[]>;
  /** The newest sample of each series matching name and labels. */
  latest(name: string, labels?: Labels): Promise<Sample[]>;
}

// ─── The event bus ────────────────────────────────────────────────────────────────────────

/** A trap or notification received from a device. */
export interface TrapEvent {
  /** Id of the device it came from, when known. */
  device?: string;
  /** Address the trap came from. */
  source: string;
  /** snmpTrapOID, or the vendor's event name. */
  trapOid: string;
  /** linkDown, linkUp, coldStart, warmStart, … where recognised. */
  kind?: string;
  /** Variable bindings of the trap, decoded. */
  varbinds: Array<{ oid: string; type: string; value: unknown }>;
  /** When it arrived, ms since the epoch. */
  ts: number;
}

/**
 * Every event the bus carries, with its payload. Plugins add their own events by declaration
 * merging, as fastify plugins add decorators:
 *
 * ```ts
 * declare module '@ispmonitor/core' {
 *   interface BusEvents {
 *     'pppoe:session': PppoeSessionEvent;
 *   }
 * }
 * ```
 *
 * Put that block in a file of the plugin that its entry point reaches (e.g. `src/events.ts`,
 * re-exported), so every program that imports the plugin sees the events.
 */
export interface BusEvents {
  /** A poll succeeded (part errors may be in the result). */
  'poll:success': { device: Device; durationMs: number; result: PollResult };
  /** A poll failed: timeout, unreachable, driver error. */
  'poll:failure': { device: Device; durationMs: number; error: { code: string; message: string } };
  /**
   * A poll was skipped: the monitor's own event loop was blocked while it ran (and while it was
   * retried once) — `overloaded` — or the worker thread running it died — `worker` — so it says
   * nothing about the device. No status change and no failure follow.
   */
  'poll:skipped': {
    device: Device;
    reason: 'overloaded' | 'worker';
    message: string;
    durationMs: number;
    attempts: number;
  };
  /**
   * The monitor entered (`overloaded: true`) or left the overloaded state: event-loop lag or poll
   * backlog crossed its threshold, or polls had to be skipped. Emitted on each change only.
   */
  'monitor:overloaded': {
    /** True on entering the state, false on leaving it. */
    overloaded: boolean;
    /** Largest event-loop lag the probe saw in the last 5–10 s, ms. */
    lagMs: number;
    /** Polls due but not started (every concurrency slot busy). */
    backlog: number;
    /** What crossed its threshold, or what has stayed calm. */
    reason: string;
    /** When, ms since the epoch. */
    ts: number;
  };
  /** Samples of a poll, with `device_up`, after labels were stamped. */
  samples: { device: Device; samples: Sample[] };
  /** Inventory facts a poll learned. */
  facts: { device: Device; facts: InventoryFacts; ts: number };
  /** A device's status changed. */
  'device:status': {
    device: Device;
    previous: DeviceStatus;
    status: DeviceStatus;
    ts: number;
    reason?: string;
  };
  /** A device was added (config devices at creation are not announced). */
  'device:added': { device: Device };
  /** A device definition changed. */
  'device:changed': { device: Device; previous: Device };
  /** A device was removed. */
  'device:removed': { device: Device };
  /** A trap or notification arrived from a device. */
  trap: TrapEvent;
  /** A sink's write failed; the batch will be retried. */
  'sink:error': { sink: string; error: { code: string; message: string }; batchSize: number };
}

/** Names of the bus's events. */
export type EventName = keyof BusEvents;

/** A listener of one event; may be async. */
export type Listener<E extends EventName> = (payload: BusEvents[E]) => void | Promise<void>;

/**
 * The typed event bus, as plugins see it (`ctx.bus`). A listener that throws (or whose promise
 * rejects) is logged and counted; the emitter and the other listeners go on.
 */
export interface EventBus {
  /** Adds a listener; returns a function that removes it. */
  on<E extends EventName>(event: E, listener: Listener<E>): () => void;
  /** Adds a listener that runs once. */
  once<E extends EventName>(event: E, listener: Listener<E>): () => void;
  /** Removes a listener. */
  off<E extends EventName>(event: E, listener: Listener<E>): void;
  /** Calls every listener of the event; never throws. */
  emit<E extends EventName>(event: E, payload: BusEvents[E]): void;
  /** Whether anyone listens: lets emitters skip building payloads nobody reads. */
  hasListeners(event: EventName): boolean;
  /** Resolves with the next payload of `event` that passes `filter`. */
  next<E extends EventName>(event: E, filter?: (payload: BusEvents[E]) => boolean): Promise<BusEvents[E]>;
}

// ─── Logging, time, health ────────────────────────────────────────────────────────────────

/** Log levels, most verbose first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Structured logger. `fields` are merged into the record; secrets in them are redacted. */
export interface Logger {
  /** Detail for troubleshooting. */
  debug(msg: string, fields?: Record<string, unknown>): void;
  /** Normal operation. */
  info(msg: string, fields?: Record<string, unknown>): void;
  /** Something to look at; the monitor carries on. */
  warn(msg: string, fields?: Record<string, unknown>): void;
  /** Something failed. */
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger adding `fields` to every record. */
  child(fields: Record<string, unknown>): Logger;
}

/** Time source. The default is the system's; tests inject a fake one. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` after `ms`; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer. */
  clearTimeout(handle: unknown): void;
}

/** Outcome of a health check, worst last. */
export type HealthState = 'pass' | 'warn' | 'fail';

/** What one health check found. */
export interface HealthCheckResult {
  /** Outcome. */
  status: HealthState;
  /** Why, when not passing. */
  message?: string;
  /** Figures for operators (no secrets). */
  details?: Record<string, unknown>;
}

/** A named check of one dependency. */
export interface HealthCheck {
  /** Unique name; plugins' checks are prefixed with the plugin name. */
  name: string;
  /** A critical check that fails makes the monitor not ready. Default true. */
  critical?: boolean;
  /** Runs the check (5 s at most). */
  check(): Promise<HealthCheckResult> | HealthCheckResult;
}

/** Every check's result and the overall status, as `/health` serves it. */
export interface HealthReport {
  /** Worst status, where a failing non-critical check counts as `warn`. */
  status: HealthState;
  /** Results by check name. */
  checks: Record<string, HealthCheckResult & { critical: boolean; durationMs: number }>;
}

// ─── The plugin host ──────────────────────────────────────────────────────────────────────

/** An injection token: a unique symbol that remembers the type it stands for (`createToken`). */
export type Token<T> = symbol & { readonly __type?: T };

/** A value, or a factory called once on first resolve. */
export type Provider<T> = T | ((ctx: ResolveContext) => T);

/** Reads what plugins provided. */
export interface ResolveContext {
  /** The last provider of a token; throws when there is none. */
  resolve<T>(token: Token<T>): T;
  /** Every provider of a token, in registration order. */
  resolveAll<T>(token: Token<T>): T[];
}

/** What a plugin's `setup` receives. */
export interface PluginContext extends ResolveContext {
  /** The plugin's name. */
  readonly name: string;
  /** Logger naming the plugin. */
  readonly logger: Logger;
  /** The event bus. */
  readonly bus: EventBus;
  /** The monitor's time source. */
  readonly clock: Clock;
  /** The monitor's own prom-client registry: always pass it as `registers: [ctx.metrics]`. */
  readonly metrics: Registry;
  /** The device registry. */
  readonly devices: DeviceRegistry;
  /** Registers a provider of a token. Several providers of one token are read with `resolveAll`. */
  provide<T>(token: Token<T>, provider: Provider<T>): void;
  /** Whether anything provides the token. */
  has(token: Token<unknown>): boolean;
  /** Adds a health check. */
  health(check: HealthCheck): void;
  /** Runs at `monitor.start()`, in plugin order, after storage is ready and before polling. */
  onStart(fn: () => Promise<void> | void): void;
  /** Runs at `monitor.stop()`, in reverse plugin order, after polls finished and sinks flushed. */
  onStop(fn: () => Promise<void> | void): void;
}

/** A plugin as handed to `createMonitor`: made by the factory `definePlugin` returns. */
export interface Plugin<O = unknown> {
  /** Unique name in a monitor. */
  readonly name: string;
  /** The plugin's version. */
  readonly version: string;
  /** Plugins that must be present. */
  readonly requires: readonly string[];
  /** Semver range of `@ispmonitor/core` this plugin was built for. */
  readonly coreRange: string;
  /** Options as given to the factory, before validation. */
  readonly options: unknown;
  /** Schema the options are checked against at `createMonitor`. */
  readonly optionsSchema?: ZodType<O>;
  /** Registers what the plugin provides; gets the parsed options. */
  setup(ctx: PluginContext, options: O): void | Promise<void>;
}

/** A device with what core knows about it. */
export interface DeviceState {
  /** The device definition. */
  device: Device;
  /** Config (read-only) or store. */
  origin: DeviceOrigin;
  /** Current status. */
  status: DeviceStatus;
  /** When the status last changed. */
  since: number;
  /** When the last poll ended. */
  lastPollAt?: number;
  /** When the last successful poll ended. */
  lastSuccessAt?: number;
  /** The last poll error. */
  lastError?: { code: string; message: string; at: number };
}

/** The monitor's device inventory: add, change and remove devices while it runs. */
export interface DeviceRegistry {
  /** Every device with its state. */
  list(): DeviceState[];
  /** One device, or undefined. */
  get(id: string): DeviceState | undefined;
  /** Validates (ids, driver, driver settings), persists, schedules. Rejects with a MonitorError. */
  add(device: Device): Promise<DeviceState>;
  /** Changes a device added at run time; config devices are read-only. */
  update(id: string, patch: Partial<Device>): Promise<DeviceState>;
  /** Removes a device added at run time. */
  remove(id: string): Promise<void>;
  /** Counts by status. */
  counts(): Record<DeviceStatus, number>;
  /**
   * Re-reads the inventory store, for processes that share it: devices another process added,
   * changed or removed are scheduled, rescheduled or dropped here, with their bus events.
   */
  reload(): Promise<{ added: number; changed: number; removed: number }>;
  /**
   * Polls a device as soon as a slot is free, instead of at its next slot — e.g. when a trap
   * says a link went down. Ignored while a poll of it runs or waits; false for an unknown id.
   */
  pollNow(id: string): boolean;
}

// ─── Options of createMonitor ─────────────────────────────────────────────────────────────

/** How devices are polled. */
export interface PollerOptions {
  /** Default interval of devices that set none. Default `60s`. */
  interval?: Duration;
  /** Polls in flight at once (per worker thread when `workers` > 1). Default 100. */
  concurrency?: number;
  /**
   * Worker threads that run the drivers which opt in (`Driver.worker`); each owns a stable share
   * of the devices (a hash of the id). 1 (default): every driver runs on the main thread.
   */
  workers?: number;
  /** Per-poll timeout. Default `10s`. */
  timeout?: Duration;
  /** Immediate retries of a failed poll before it counts as failed. Default 0. */
  retries?: number;
  /** Poll interval while a device is unreachable or offline. Default `15s` (never above the interval). */
  recheckInterval?: Duration;
  /** How long a device stays unreachable before it is offline. Default `5m`. */
  downAfter?: Duration;
  /**
   * When the monitor counts itself overloaded (event-loop lag, poll backlog), and how far a
   * poll's timeout stretches to give back time the event loop was blocked. See
   * `overloadOptionsSchema` for each field and its default.
   */
  overload?: OverloadOptions;
}

/** How samples are buffered for sinks. */
export interface SinkOptions {
  /** Samples buffered per sink before new ones are dropped (and counted). Default 1,000,000. */
  bufferLimit?: number;
  /** A write starts once this many samples wait (or `flushInterval` passed). Default 5,000. */
  batchSize?: number;
  /**
   * Most samples per `write` call: a write takes what waits, up to this. Behind (a slow or
   * recovering database), fewer, larger writes catch up faster. Default `batchSize`.
   */
  maxBatchSize?: number;
  /** Longest a sample waits before its batch is written. Default `1s`. */
  flushInterval?: Duration;
  /** First retry delay after a failed write; doubles up to `maxBackoff`, with jitter. Default `500ms`. */
  minBackoff?: Duration;
  /** Default `30s`. */
  maxBackoff?: Duration;
  /**
   * An on-disk spool (a folder per sink under `dir`) for samples the buffer has no room for:
   * length-prefixed, checksummed records, written back once the sink keeps up and at the next
   * start, so a slow first start or a database outage loses nothing up to `maxBytes` (then what
   * does not fit is dropped and counted, reason `spool_full`). Absent (the default of
   * `createMonitor`): such samples are dropped. The server's config turns it on (`sinks.spool`).
   */
  spool?: SpoolOptions;
}

/** Where a sink's spool lives and how large it may grow. */
export interface SpoolOptions {
  /** Folder; each sink gets a subfolder named after it. */
  dir: string;
  /** Largest size on disk, all segments of one sink. Default 1 GiB. */
  maxBytes?: number;
}

/** Everything `createMonitor` takes. */
export interface MonitorOptions {
  /** Plugins to load; each checks its own options (a `Plugin<O>` is a `Plugin<unknown>`). */
  plugins?: Plugin[];
  /** Devices from config: read-only through the API. */
  devices?: Device[];
  /** Polling settings. */
  poller?: PollerOptions;
  /** Sink buffer settings. */
  sinks?: SinkOptions;
  /** Your logger; default: JSON lines on stderr at `logLevel`. */
  logger?: Logger;
  /** Default level of the built-in logger. Default `info`. */
  logLevel?: LogLevel;
  /** Time source; default the system clock. */
  clock?: Clock;
  /** Secret values that must never appear in logs (config loading fills this). */
  secrets?: string[];
  /**
   * Which addresses `device.host` may name. Link-local and cloud metadata addresses are refused
   * by default; see `addressPolicy`.
   */
  addressPolicy?: AddressPolicyOptions;
}
