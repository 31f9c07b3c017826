/**
 * Durable state through the monitor's StateStore (a storage plugin provides one), else memory.
 * Writes are coalesced per key and written behind, in order, so that evaluation never waits on
 * storage; `flush()` waits for everything queued (called at stop).
 */
import type { Logger, StateStore } from '@ispmonitor/core';

export { memoryStateStore } from '@ispmonitor/core';

/** Namespaces the plugin keeps in the StateStore. */
export const NS = {
  alerts: 'alerts.state',
  nflog: 'alerts.nflog',
  outbox: 'alerts.outbox',
  silences: 'alerts.silences',
  acks: 'alerts.acks',
  /** Across replicas: the visible alerts the leader has handed to its dispatcher. */
  fed: 'alerts.fed',
} as const;

/** Coalescing write-behind queue over a StateStore. */
export class StateWriter {
  readonly store: StateStore;
  readonly #logger: Logger;
  readonly #pending = new Map<string, { ns: string; key: string; value: unknown }>();
  #running: Promise<void> | undefined;
  #failures = 0;

  constructor(store: StateStore, logger: Logger) {
    this.store = store;
    this.#logger = logger;
  }

  /** Failed writes so far (for health). */
  get failures(): number {
    return this.#failures;
  }

  /** Queues a write; `undefined` deletes. The latest value per key wins. */
  put(ns: string, key: string, value: unknown): void {
    const id = `${ns}\u0000${key}`;
    this.#pending.delete(id);
    this.#pending.set(id, { ns, key, value: value === undefined ? undefined : structuredClone(value) });
    this.#running ??= this.#drain();
  }

  async #drain(): Promise<void> {
    await Promise.resolve();
    while (this.#pending.size > 0) {
      const [id, w] = this.#pending.entries().next().value as [
        string,
        { ns: string; key: string; value: unknown },
      ];
      this.#pending.delete(id);
      try {
        if (w.value === undefined) await this.store.delete(w.ns, w.key);
        else await this.store.set(w.ns, w.key, w.value);
      } catch (err) {
        this.#failures++;
        this.#logger.warn('alert state write failed', { namespace: w.ns, error: (err as Error).message });
      }
    }
    this.#running = undefined;
  }

  /** Waits until every queued write is done. */
  async flush(): Promise<void> {
    while (this.#running) await this.#running;
  }
}
