/**
 * The alerts plugin at run time: the engine, suppression and state, fed by the monitor's events,
 * with the runtime (one process or replicas) chosen once at start. `plugin.ts` only wires it.
 */
import {
  type DeviceOwnership,
  type DeviceRegistry,
  type DeviceStatus,
  describeError,
  type HealthCheckResult,
  type Labels,
  type Leadership,
  type PluginContext,
  type Sample,
  type StateStore,
} from '@ispmonitor/core';
import { type AlertRecord, toInstance } from './alert.js';
import { type AlertsApi, createApi } from './api.js';
import { ClusterRuntime } from './cluster-runtime.js';
import { type AlertsConfig, unknownNotifiers } from './config.js';
import { AlertEngine } from './engine.js';
import { alertsError } from './errors.js';
import type { Notifier } from './events.js';
import { createMetrics } from './metrics.js';
import { uplinkTest } from './pack.js';
import { memoryStateStore, NS, StateWriter } from './persist.js';
import { type AlertsRuntime, SingleRuntime } from './runtime.js';
import { type Ack, makeSilence, type Silence, Suppressor } from './suppress.js';

/** What the service reads from the monitor. */
export type ServiceContext = Pick<PluginContext, 'clock' | 'logger' | 'bus' | 'metrics' | 'devices'>;

/** What the monitor provides, read once at start (every plugin is set up by then). */
export interface Provided {
  store: StateStore | undefined;
  notifiers: Notifier[];
  leadership: Leadership | undefined;
  ownership: DeviceOwnership | undefined;
}

/** The plugin's run-time state; one per monitor. */
export class AlertsService {
  readonly #ctx: ServiceContext;
  readonly #config: AlertsConfig;
  readonly #engine: AlertEngine;
  readonly #suppressor: Suppressor;
  readonly #metrics: ReturnType<typeof createMetrics>;
  /** The last poll error of each device (code and message only: never anything with credentials). */
  readonly #lastError = new Map<string, string>();
  /** Set once, at start: where state goes, who notifies, and how alerts run. */
  #started: { writer: StateWriter; notifiers: Map<string, Notifier>; runtime: AlertsRuntime } | undefined;
  readonly #memory: StateWriter;
  #tick: unknown;

  constructor(ctx: ServiceContext, config: AlertsConfig) {
    this.#ctx = ctx;
    this.#config = config;
    this.#memory = new StateWriter(memoryStateStore(), ctx.logger);
    const devices: DeviceRegistry = ctx.devices;
    this.#suppressor = new Suppressor(
      config.inhibit,
      () => this.#started?.runtime.registry(),
      (id) => this.#started?.runtime.deviceDown(id) ?? false,
    );
    this.#engine = new AlertEngine(
      config.rules,
      { clock: ctx.clock, ...config.engine },
      {
        onVisible: (a, status) => this.#visible(a, status),
        onPersist: (fp, rec) => this.#writer().put(NS.alerts, fp, rec),
        isUplink: uplinkTest(config.pack, (id) => devices.get(id)?.device.labels),
      },
    );
    this.#metrics = createMetrics(ctx.metrics, config.rules, () => this.#activeBySeverity());
  }

  #writer(): StateWriter {
    return this.#started?.writer ?? this.#memory;
  }

  #visible(a: AlertRecord, status: 'firing' | 'resolved'): void {
    const instance = { alert: toInstance(a, status), labels: a.labels };
    this.#ctx.bus.emit(status === 'firing' ? 'alert:firing' : 'alert:resolved', instance);
    this.#started?.runtime.visible(a, status);
  }

  #activeBySeverity(): Record<string, number> {
    const by: Record<string, number> = {};
    for (const a of this.#engine.active.values()) {
      const s = a.labels.severity ?? 'none';
      if (a.visible) by[s] = (by[s] ?? 0) + 1;
    }
    return by;
  }

  /** Samples of a device arrived. */
  samples(device: string, samples: readonly Sample[]): void {
    this.#started?.runtime.accept(device, () => this.#engine.ingest(samples));
  }

  /** A poll failed (its error is kept for the device's status alert) or succeeded. */
  pollResult(device: string, error?: { code: string; message: string }): void {
    if (error) this.#lastError.set(device, `${error.code}: ${error.message}`.slice(0, 200));
    else this.#lastError.delete(device);
  }

  /** A device changed status. */
  deviceStatus(id: string, labels: Labels | undefined, status: DeviceStatus, reason?: string): void {
    const runtime = this.#started?.runtime;
    if (!runtime) return;
    const notes: Record<string, string> = { status };
    if (reason) notes.reason = reason;
    const err = this.#lastError.get(id);
    if (err && status !== 'online') notes.error = err;
    const copy = { ...(labels ?? {}) };
    runtime.accept(id, () => this.#engine.deviceStatus(id, copy, status, notes));
  }

  /** The monitor entered or left its overloaded state; `replica` names this one among several. */
  monitorState(overloaded: boolean, reason: string, replica: string | undefined): void {
    if (!this.#started) return;
    this.#engine.monitorState(overloaded, replica ? { replica } : {}, overloaded ? { reason } : {});
  }

  /** Receivers naming a notifier that none of `notifiers` is (one message each). */
  problems(notifiers: readonly Notifier[]): string[] {
    return unknownNotifiers(this.#config, new Set(notifiers.map((n) => n.name)));
  }

  /**
   * Chooses the state store, the notifiers and the runtime, once: replicas when a cluster
   * plugin provides Leadership, else this process alone. Rejects when a receiver names a
   * notifier nothing provides.
   */
  async start(p: Provided): Promise<void> {
    const problems = this.problems(p.notifiers);
    if (problems.length > 0) throw alertsError('NOTIFIER_UNKNOWN', problems.join('\n'));
    const { logger } = this.#ctx;
    if (!p.store) logger.info('no StateStore provided: alert state is kept in memory only');
    if (p.leadership && !p.store)
      logger.warn('replicas without a shared StateStore: each replica keeps its own alert state');
    const writer = p.store ? new StateWriter(p.store, logger) : this.#memory;
    const notifiers = new Map(p.notifiers.map((n) => [n.name, n]));
    for (const s of this.#config.silences) this.#suppressor.putSilence(s);
    for (const { value } of await writer.store.list<Silence>(NS.silences)) this.#suppressor.putSilence(value);
    for (const { key, value } of await writer.store.list<Ack>(NS.acks)) this.#suppressor.acks.set(key, value);
    const deps = {
      clock: this.#ctx.clock,
      logger,
      config: this.#config,
      engine: this.#engine,
      suppressor: this.#suppressor,
      devices: this.#ctx.devices,
      writer: () => writer,
      dispatch: {
        clock: this.#ctx.clock,
        bus: this.#ctx.bus,
        logger,
        metrics: this.#metrics,
        config: this.#config,
        suppressor: this.#suppressor,
        writer: () => writer,
        notifiers: () => notifiers,
      },
    };
    const runtime = p.leadership
      ? new ClusterRuntime(deps, p.leadership, p.ownership)
      : new SingleRuntime(deps);
    await runtime.start();
    // From here on events are evaluated: not before the stored alerts are back.
    this.#started = { writer, notifiers, runtime };
    this.#schedule();
  }

  #schedule(): void {
    this.#tick = this.#ctx.clock.setTimeout(() => {
      try {
        this.#started?.runtime.beforeTick();
        this.#engine.tick();
      } catch (err) {
        this.#ctx.logger.error('alert evaluation tick failed', describeError(err));
      }
      this.#schedule();
    }, this.#config.evaluationInterval);
  }

  /** Stops evaluating and notifying, then writes what is queued. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.#tick !== undefined) this.#ctx.clock.clearTimeout(this.#tick);
    const started = this.#started;
    if (!started) return;
    // First: events that arrive while the runtime stops are ignored.
    this.#started = undefined;
    await started.runtime.stop();
    await started.writer.flush();
  }

  /** The API the server uses (list, acknowledge, silence). */
  api(): AlertsApi {
    const { clock } = this.#ctx;
    const s = this.#suppressor;
    const alerts = () => this.#started?.runtime.alerts() ?? this.#engine.active.values();
    const edited = () => this.#started?.runtime.localEdit();
    return createApi({
      now: () => clock.now(),
      active: alerts,
      recent: () => this.#engine.recent,
      mute: (a, listing) => s.muted(a, alerts(), clock.now(), listing),
      acks: s.acks,
      putAck: (ack, fp) => {
        if (ack) s.acks.set(fp, ack);
        else s.acks.delete(fp);
        edited();
        this.#writer().put(NS.acks, fp, ack);
      },
      silences: s.silences,
      makeSilence: (input) => makeSilence(input, clock.now()),
      putSilence: (silence) => {
        s.putSilence(silence);
        edited();
        if (!silence.id.startsWith('config-')) this.#writer().put(NS.silences, silence.id, silence);
      },
      deleteSilence: (id) => {
        s.deleteSilence(id);
        edited();
        this.#writer().put(NS.silences, id, undefined);
      },
    });
  }

  /** The delivery health check: warns while notifications or state writes fail. */
  health(): HealthCheckResult {
    const delivery = this.#started?.runtime.delivery();
    const details = { backlog: delivery?.backlog ?? 0, active: this.#engine.active.size };
    const failing = [...(delivery?.failing.keys() ?? [])];
    if (failing.length > 0) {
      return { status: 'warn', message: `notifications failing: ${failing.join(', ')}`, details };
    }
    const failures = this.#writer().failures;
    if (failures > 0) return { status: 'warn', message: `${failures} alert state writes failed`, details };
    return { status: 'pass', details };
  }
}
