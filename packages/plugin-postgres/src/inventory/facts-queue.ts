import type { Device, InventoryFacts } from '@ispmonitor/core';

interface Pending {
  device: Device;
  facts: InventoryFacts;
  ts: number;
}

/**
 * Inventory facts waiting to be written, at most one entry per device: facts that arrive while a
 * device's earlier ones still wait are merged into them (a newer kind replaces the older), so the
 * queue never grows beyond the number of devices, and a burst (the first poll of thousands of
 * devices) costs one write per device. At most `concurrency` writes run at once, so fact writes
 * never take every database connection from sample ingest. One device's writes stay in order.
 */
export class FactsQueue {
  readonly #pending = new Map<string, Pending>();
  readonly #order: string[] = [];
  readonly #busy = new Set<string>();
  readonly #running = new Set<Promise<void>>();

  constructor(
    private readonly concurrency: number,
    private readonly write: (p: Pending) => Promise<void>,
  ) {}

  get size(): number {
    return this.#pending.size;
  }

  push(device: Device, facts: InventoryFacts, ts: number): void {
    const waiting = this.#pending.get(device.id);
    if (waiting) {
      waiting.device = device;
      waiting.facts = { ...waiting.facts, ...facts };
      waiting.ts = ts;
      return;
    }
    this.#pending.set(device.id, { device, facts, ts });
    this.#order.push(device.id);
    this.#pump();
  }

  /** Drops what waits for a device (removed). */
  forget(deviceId: string): void {
    this.#pending.delete(deviceId);
  }

  /** Resolves when nothing waits or runs (what arrives meanwhile is waited for too). */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  #pump(): void {
    while (this.#running.size < this.concurrency) {
      const id = this.#nextFree();
      if (id === undefined) return;
      const entry = this.#pending.get(id) as Pending;
      this.#pending.delete(id);
      this.#busy.add(id);
      const run: Promise<void> = this.write(entry)
        .catch(() => {})
        .finally(() => {
          this.#busy.delete(id);
          this.#running.delete(run);
          this.#pump();
        });
      this.#running.add(run);
    }
  }

  /** The oldest waiting device whose previous write has finished. */
  #nextFree(): string | undefined {
    for (let i = 0; i < this.#order.length; i++) {
      const id = this.#order[i] as string;
      if (!this.#pending.has(id)) {
        this.#order.splice(i--, 1);
        continue;
      }
      if (this.#busy.has(id)) continue;
      this.#order.splice(i, 1);
      return id;
    }
    return undefined;
  }
}
