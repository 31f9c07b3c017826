/**
 * The runtime across replicas (a cluster plugin provides `tokens.Leadership`): each replica
 * evaluates the devices it polls; the leader notifies, one dispatch per term (see cluster.ts).
 */
import type { DeviceOwnership, DeviceRegistry, Leadership } from '@ispmonitor/core';
import type { AlertRecord } from './alert.js';
import { ClusterAlerts, type LeaderDispatch } from './cluster.js';
import type { Delivery } from './delivery.js';
import { createDispatch, type Dispatch } from './dispatch.js';
import type { AlertsRuntime, RuntimeDeps } from './runtime.js';

/** Replicas: alerts partitioned like polling, notifications from the leader only. */
export class ClusterRuntime implements AlertsRuntime {
  readonly #cluster: ClusterAlerts;
  /** The dispatch of the current term as leader. */
  #term: Dispatch | undefined;

  constructor(deps: RuntimeDeps, leadership: Leadership, ownership: DeviceOwnership | undefined) {
    const cluster: ClusterAlerts = new ClusterAlerts({
      clock: deps.clock,
      logger: deps.logger,
      leadership,
      ownership,
      devices: () => deps.devices,
      writer: deps.writer,
      engine: deps.engine,
      suppressor: deps.suppressor,
      downRules: deps.config.downRules,
      interval: deps.config.syncInterval,
      startDispatch: async (): Promise<LeaderDispatch> => {
        // The leader's dispatcher reads every replica's alerts from the store, via the cluster.
        const term = createDispatch(deps.dispatch, {
          firing: () => cluster.firing(),
          version: () => cluster.version(),
          leader: () => leadership.isLeader(),
        });
        this.#term = term;
        await term.dispatcher.load();
        await term.delivery.resume();
        return {
          dispatcher: term.dispatcher,
          stop: () => {
            term.dispatcher.stop();
            term.delivery.stop();
            if (this.#term === term) this.#term = undefined;
          },
        };
      },
    });
    this.#cluster = cluster;
  }

  accept(device: string, evaluate: () => void): void {
    this.#cluster.accept(device, evaluate);
  }

  /** Nothing: the leader learns of every replica's alerts from the store. */
  visible(): void {}

  registry(): Pick<DeviceRegistry, 'get'> | undefined {
    return this.#cluster.registry();
  }

  deviceDown(id: string): boolean {
    return this.#cluster.deviceDown(id);
  }

  alerts(): Iterable<AlertRecord> {
    return this.#cluster.all();
  }

  localEdit(): void {
    this.#cluster.localEdit();
  }

  beforeTick(): void {
    this.#cluster.sweep();
  }

  delivery(): Delivery | undefined {
    return this.#term?.delivery;
  }

  async start(): Promise<void> {
    this.#cluster.start();
  }

  async stop(): Promise<void> {
    await this.#cluster.stop();
  }
}
