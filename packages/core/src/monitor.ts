import { setMaxListeners } from 'node:events';
import type { Registry } from 'prom-client';
import { MonitorBus } from './bus.js';
import { systemClock } from './clock.js';
import { addressPolicy } from './devices/address-policy.js';
import { Devices, memoryInventory } from './devices/registry.js';
import { formatIssues, validateDevice } from './devices/validate.js';
import { driverProblem, settingsSchemaOf } from './driver.js';
import { parseDuration } from './duration.js';
import { describeError, ErrorCodes, monitorError } from './errors.js';
import { HealthRegistry } from './health.js';
import { checkPlugins, setupError } from './host/check-plugins.js';
import { MonitorContainer } from './host/container.js';
import { LoadMonitor } from './load/load-monitor.js';
import { overloadOptionsSchema } from './load/options.js';
import { createJsonLogger, Redactor, redactingLogger, secretValues } from './logger.js';
import { schemaSecretValues } from './logger-schema.js';
import { SelfMetrics } from './metrics/self.js';
import { PollPipeline } from './poll-pipeline.js';
import { runPoll } from './scheduler/run-poll.js';
import { Scheduler } from './scheduler/scheduler.js';
import { tokens } from './tokens.js';
import type {
  Clock,
  Device,
  DeviceOwnership,
  DeviceRegistry,
  Driver,
  EventBus,
  HealthReport,
  Logger,
  MonitorOptions,
  PluginContext,
  PollResult,
  ResolveContext,
  Token,
} from './types.js';
import { WorkerPool } from './workers/pool.js';

/** A running (or ready to run) monitor. */
export interface Monitor extends ResolveContext {
  /** The event bus. */
  readonly bus: EventBus;
  /** The device registry. */
  readonly devices: DeviceRegistry;
  /** The monitor's own prom-client registry with its self-metrics. */
  readonly metrics: Registry;
  /** The monitor's logger (secrets redacted). */
  readonly logger: Logger;
  /** The monitor's time source. */
  readonly clock: Clock;
  /** Plugins in order, with the tokens each provided. */
  readonly plugins: ReadonlyArray<{ name: string; version: string; provides: string[] }>;
  /** Where the monitor is in its lifecycle. */
  readonly state: 'created' | 'starting' | 'running' | 'stopping' | 'stopped';
  /** Whether anything provides the token. */
  has(token: Token<unknown>): boolean;
  /** Runs every health check; `/health` serves this. */
  health(): Promise<HealthReport>;
  /** Running, and no critical health check failing; `/ready` serves this. */
  isReady(): Promise<boolean>;
  /** Thread ids of the poller's worker threads by worker number (`poller.workers` > 1); empty otherwise. */
  workerThreads(): number[];
  /** Polls a device once, outside the schedule (it need not be in the inventory). Never throws for the device's fault. */
  pollOnce(device: Device): Promise<PollResult>;
  /** Runs plugins' start hooks, loads stored devices, begins polling. */
  start(): Promise<void>;
  /**
   * Stops scheduling, finishes polls in flight, flushes and closes sinks, runs plugins' stop
   * hooks (where each plugin closes its drivers). Safe to call twice; never throws.
   */
  stop(): Promise<void>;
}

const DEFAULTS = {
  interval: '60s',
  concurrency: 100,
  timeout: '10s',
  retries: 0,
  recheck: '15s',
  downAfter: '5m',
};

/**
 * Assembles a monitor: checks the plugins, sets each up in its own context on a child container
 * of this monitor (two monitors share nothing), then validates the config devices.
 */
export async function createMonitor(options: MonitorOptions = {}): Promise<Monitor> {
  const checked = checkPlugins(options.plugins ?? []);
  const clock = options.clock ?? systemClock;
  const redactor = new Redactor();
  for (const s of options.secrets ?? []) redactor.add(s);
  const logger = options.logger
    ? redactingLogger(options.logger, redactor)
    : createJsonLogger({ level: options.logLevel ?? 'info', redactor });

  const p = options.poller ?? {};
  const intervalMs = parseDuration(p.interval ?? DEFAULTS.interval);
  const timeoutMs = parseDuration(p.timeout ?? DEFAULTS.timeout);
  const retries = p.retries ?? DEFAULTS.retries;
  const workers = Math.max(1, p.workers ?? 1);
  // Drivers that opted in run there (poller.workers > 1); made at start, once drivers are known.
  let pool: WorkerPool | undefined;
  const drivers = new Map<string, Driver>();
  const policy = addressPolicy(options.addressPolicy);
  const container = new MonitorContainer();
  const stopping = new AbortController();
  // Every poll in flight listens on it.
  setMaxListeners(0, stopping.signal);

  let devices: Devices | undefined;
  let ownership: DeviceOwnership | undefined;
  const metrics = new SelfMetrics(() =>
    devices ? devices.counts() : { unknown: 0, online: 0, unreachable: 0, offline: 0 },
  );
  const bus = new MonitorBus((event, err) => {
    metrics.listenerErrors.inc({ event });
    logger.error('event listener failed', { event, error: describeError(err) });
  });
  const health = new HealthRegistry(clock);
  const pipeline = new PollPipeline(bus, metrics, logger, clock);
  const overload = overloadOptionsSchema.safeParse(p.overload ?? {});
  if (!overload.success) {
    throw monitorError(ErrorCodes.CONFIG_INVALID, `poller.overload: ${formatIssues(overload.error.issues)}`);
  }
  // Declared before the scheduler, read only once polls run: the backlog comes from the scheduler.
  const load: LoadMonitor = new LoadMonitor(
    overload.data,
    timeoutMs,
    clock,
    bus,
    metrics.registry,
    logger,
    () => scheduler.backlog(),
  );

  const scheduler: Scheduler = new Scheduler(
    {
      intervalMs,
      // `concurrency` is per worker thread when there are several.
      concurrency: (p.concurrency ?? DEFAULTS.concurrency) * workers,
      recheckMs: parseDuration(p.recheckInterval ?? DEFAULTS.recheck),
      downAfterMs: parseDuration(p.downAfter ?? DEFAULTS.downAfter),
    },
    clock,
    metrics,
    logger,
    {
      poll: (entry) => {
        const driver = drivers.get(entry.device.driver);
        if (!driver) {
          const error = { code: ErrorCodes.DRIVER_UNKNOWN, message: `no driver "${entry.device.driver}"` };
          return Promise.resolve({ ok: false, error, durationMs: 0, attempts: 0 });
        }
        if (pool?.runs(driver)) return pool.poll(entry.device);
        return runPoll(driver, entry.device, {
          timeoutMs,
          retries,
          clock,
          logger: pipeline.loggerFor(entry.device),
          stopSignal: stopping.signal,
          load,
        });
      },
      completed: (entry, outcome, previous) => pipeline.completed(entry, outcome, previous),
      skipped: (entry, outcome) => {
        // A poll lost with a crashed worker is counted, but says nothing about the monitor's load.
        if (outcome.skipped?.reason === 'overloaded') load.skipped('overloaded', outcome.skipped.message);
        else if (outcome.skipped) load.countSkipped(outcome.skipped.reason);
        pipeline.skipped(entry, outcome);
      },
      owns: (entry) => ownership === undefined || ownership.owns(entry.device.id),
    },
  );

  container.provide(tokens.Logger, logger);
  container.provide(tokens.Bus, bus);
  container.provide(tokens.Clock, clock);
  container.provide(tokens.Metrics, metrics.registry);
  container.provide(tokens.Inventory, memoryInventory());
  const startHooks: Array<() => Promise<void> | void> = [];
  const stopHooks: Array<{ plugin: string; fn: () => Promise<void> | void }> = [];

  // Credentials of devices added or changed at run time (API) join the config's secrets, before
  // any other listener can log them.
  // By the driver's schema (the fields it marks with `secret()`), and by key name as a backstop.
  const learn = (device: Device) => {
    for (const s of secretValues(device)) redactor.add(s);
    const driver = drivers.get(device.driver);
    const schema = driver && settingsSchemaOf(driver);
    const settings = driver && (device as unknown as Record<string, unknown>)[driver.kind];
    if (schema && settings !== undefined) {
      for (const s of schemaSecretValues(schema, settings)) redactor.add(s);
    }
  };
  const learnSecrets = ({ device }: { device: Device }) => learn(device);
  bus.on('device:added', learnSecrets);
  bus.on('device:changed', learnSecrets);
  bus.on('device:removed', ({ device }) => pool?.forget(device.id));
  const registry = new Devices(drivers, lazyInventory(container), scheduler, bus, logger, intervalMs, policy);
  devices = registry;
  container.provide(tokens.Devices, registry);

  for (const { plugin, options: pluginOptions } of checked) {
    const ctx: PluginContext = {
      name: plugin.name,
      logger: logger.child({ plugin: plugin.name }),
      bus,
      clock,
      metrics: metrics.registry,
      devices: registry,
      provide: (token, provider) => container.provide(token, provider, plugin.name),
      has: (token) => container.has(token),
      resolve: (token) => container.resolve(token),
      resolveAll: (token) => container.resolveAll(token),
      health: (check) => health.add({ ...check, name: `${plugin.name}:${check.name}` }),
      onStart: (fn) => void startHooks.push(fn),
      onStop: (fn) => void stopHooks.push({ plugin: plugin.name, fn }),
    };
    try {
      await plugin.setup(ctx, pluginOptions as never);
    } catch (err) {
      throw setupError(plugin.name, err);
    }
  }

  for (const driver of container.resolveAll(tokens.Driver)) {
    const problem = driverProblem(driver);
    if (problem) throw monitorError(ErrorCodes.PLUGIN_INVALID, problem);
    if (drivers.has(driver.kind)) {
      throw monitorError(ErrorCodes.DRIVER_DUPLICATE, `two drivers are registered for kind "${driver.kind}"`);
    }
    drivers.set(driver.kind, driver);
    // Each driver's poll-duration histogram at 0 from the first scrape, not from its first poll.
    metrics.pollDuration.zero({ driver: driver.kind });
  }
  pipeline.attachSinks(container.resolveAll(tokens.Sink), options.sinks ?? {});
  ownership = container.has(tokens.Ownership) ? container.resolve(tokens.Ownership) : undefined;
  registry.loadConfig(options.devices ?? []);
  for (const { device } of registry.list()) learn(device);

  health.add({
    name: 'poller',
    check: () =>
      state === 'running'
        ? { status: 'pass', details: { active: scheduler.active, devices: registry.counts() } }
        : { status: 'fail', message: `monitor is ${state}` },
  });
  health.add({ name: 'sinks', critical: false, check: () => pipeline.sinkHealth() });
  // Degraded (warn), never failing: an overloaded monitor still polls and must stay ready.
  health.add({ name: 'overload', critical: false, check: () => load.health() });

  let state: Monitor['state'] = 'created';
  let stopped: Promise<void> | undefined;

  const monitor: Monitor = {
    bus,
    devices: registry,
    metrics: metrics.registry,
    logger,
    clock,
    plugins: checked.map(({ plugin }) => ({
      name: plugin.name,
      version: plugin.version,
      provides: container.providedBy(plugin.name),
    })),
    get state() {
      return state;
    },
    has: (token) => container.has(token),
    resolve: (token) => container.resolve(token),
    resolveAll: (token) => container.resolveAll(token),
    health: () => health.report(),
    workerThreads: () => pool?.threadIds() ?? [],
    isReady: async () => state === 'running' && (await health.report()).status !== 'fail',
    async pollOnce(input) {
      const device = validateDevice(input, drivers, policy);
      learn(device);
      const driver = drivers.get(device.driver) as Driver;
      const outcome = await runPoll(driver, device, {
        timeoutMs,
        retries,
        clock,
        logger,
        stopSignal: stopping.signal,
        load,
      });
      return outcome.result ?? { samples: [], error: outcome.error };
    },
    async start() {
      if (state !== 'created') {
        throw monitorError(ErrorCodes.MONITOR_STATE, `cannot start a monitor that is ${state}`);
      }
      state = 'starting';
      try {
        for (const hook of startHooks) await hook();
        await registry.loadStore();
        // Stored devices are scheduled without events: their credentials are learnt here.
        for (const { device } of registry.list()) learn(device);
        if (workers > 1) {
          const eligible = new Map([...drivers].filter(([, d]) => d.worker !== undefined));
          if (eligible.size === 0) {
            logger.warn(
              'poller.workers > 1, but no driver can run in a worker: all polls stay on the main thread',
              {
                workers,
              },
            );
          } else {
            pool = new WorkerPool({
              workers,
              drivers: eligible,
              timeoutMs,
              retries,
              overload: overload.data,
              logger,
              registry: metrics.registry,
              onLag: (worker, lagMs) => load.workerLag(worker, lagMs),
            });
            await pool.start();
            logger.info('poller workers started', { workers, drivers: [...eligible.keys()] });
          }
        }
      } catch (err) {
        state = 'created';
        await monitor.stop();
        throw err;
      }
      load.start();
      scheduler.start();
      registry.markStarted();
      state = 'running';
      logger.info('monitor started', { devices: registry.list().length, drivers: [...drivers.keys()] });
    },
    stop() {
      stopped ??= (async () => {
        state = 'stopping';
        // Workers abort their polls in flight at once, as the main thread's stop signal does here.
        await Promise.all([scheduler.stop(), pool?.stop()]);
        load.stop();
        stopping.abort();
        await pipeline.closeSinks(5000);
        for (const { plugin, fn } of [...stopHooks].reverse()) {
          try {
            await fn();
          } catch (err) {
            logger.error('plugin stop hook failed', { plugin, error: describeError(err) });
          }
        }
        // Drivers and notifiers are closed by the plugins that provide them (in their stop hooks
        // above), never here.
        state = 'stopped';
        bus.removeAllListeners();
        logger.info('monitor stopped');
      })();
      return stopped;
    },
  };
  return monitor;
}

/** The inventory store is resolved when first used, so the last plugin that provides one wins. */
function lazyInventory(container: MonitorContainer) {
  const store = () => container.resolve(tokens.Inventory);
  return {
    get persistent() {
      return store().persistent;
    },
    list: () => store().list(),
    put: (d: Device) => store().put(d),
    remove: (id: string) => store().remove(id),
  };
}
