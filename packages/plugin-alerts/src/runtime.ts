/**
 * Where alerts are evaluated and who notifies: the one interface the plugin talks to, chosen
 * once when the monitor starts — a single process ({@link SingleRuntime}, here), or replicas
 * sharing the devices (`ClusterRuntime`, in cluster-runtime.ts).
 */
import type { Clock, DeviceRegistry, Logger } from '@ispmonitor/core';
import type { AlertRecord } from './alert.js';
import type { AlertsConfig } from './config.js';
import type { Delivery } from './delivery.js';
import { createDispatch, type Dispatch, type DispatchDeps } from './dispatch.js';
import type { AlertEngine } from './engine.js';
import { NS, type StateWriter } from './persist.js';
import type { Suppressor } from './suppress.js';

/** The part of the plugin that differs between one process and replicas. */
export interface AlertsRuntime {
  /**
   * Runs the evaluation of an event of `device`: at once, after the device's stored alerts are
   * adopted (replicas), or never (another replica polls it).
   */
  accept(device: string, evaluate: () => void): void;
  /** An alert of this process's engine became visibly firing or resolved. */
  visible(alert: AlertRecord, status: 'firing' | 'resolved'): void;
  /** Device statuses, for topology muting. */
  registry(): Pick<DeviceRegistry, 'get'> | undefined;
  /** Whether a device's device-down alert is firing. */
  deviceDown(id: string): boolean;
  /** The alerts to show and to mute against. */
  alerts(): Iterable<AlertRecord>;
  /** A silence or an acknowledgement changed through this process's API. */
  localEdit(): void;
  /** Before each evaluation tick. */
  beforeTick(): void;
  /** The delivery notifying from this process now, if any (for health). */
  delivery(): Delivery | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What either runtime is built from. */
export interface RuntimeDeps {
  clock: Clock;
  logger: Logger;
  config: AlertsConfig;
  engine: AlertEngine;
  suppressor: Suppressor;
  devices: DeviceRegistry;
  writer(): StateWriter;
  dispatch: DispatchDeps;
}

/** One process: its engine's alerts go straight to its dispatcher. */
export class SingleRuntime implements AlertsRuntime {
  readonly #d: RuntimeDeps;
  readonly #dispatch: Dispatch;
  /** Devices whose device-down alert is firing. */
  readonly #down = new Set<string>();

  constructor(deps: RuntimeDeps) {
    this.#d = deps;
    this.#dispatch = createDispatch(deps.dispatch, {
      firing: () => deps.engine.active.values(),
      version: () => deps.engine.version,
    });
  }

  accept(_device: string, evaluate: () => void): void {
    evaluate();
  }

  visible(a: AlertRecord, status: 'firing' | 'resolved'): void {
    this.#track(a, status);
    this.#dispatch.dispatcher.update(a, status);
  }

  #track(a: AlertRecord, status: 'firing' | 'resolved'): void {
    if (!a.device || !this.#d.config.downRules.has(a.rule)) return;
    if (status === 'firing') this.#down.add(a.device);
    else this.#down.delete(a.device);
  }

  registry(): Pick<DeviceRegistry, 'get'> {
    return this.#d.devices;
  }

  deviceDown(id: string): boolean {
    return this.#down.has(id);
  }

  alerts(): Iterable<AlertRecord> {
    return this.#d.engine.active.values();
  }

  localEdit(): void {}

  beforeTick(): void {}

  delivery(): Delivery {
    return this.#dispatch.delivery;
  }

  /** Loads the notification log and the alerts stored before a restart, then resumes the outbox. */
  async start(): Promise<void> {
    const { engine } = this.#d;
    await this.#dispatch.dispatcher.load();
    const saved = await this.#d.writer().store.list<AlertRecord>(NS.alerts);
    engine.restore(saved.map((s) => s.value));
    for (const a of engine.active.values()) if (a.visible) this.visible(a, 'firing');
    await this.#dispatch.delivery.resume();
  }

  async stop(): Promise<void> {
    this.#dispatch.dispatcher.stop();
    this.#dispatch.delivery.stop();
  }
}
