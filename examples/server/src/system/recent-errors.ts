import type { Bus } from '@ispmonitor/core';

/** One recent problem, for `diagnostics`. */
export interface RecentError {
  at: number;
  source: string;
  code: string;
  message: string;
}

/**
 * The last problems this process saw (poll failures, sink errors), in a fixed-size ring: enough
 * for `ispmonitor diagnostics`, bounded however much goes wrong.
 */
export class RecentErrors {
  readonly #items: RecentError[] = [];
  readonly #offs: Array<() => void>;

  constructor(
    bus: Bus,
    private readonly size = 50,
  ) {
    this.#offs = [
      bus.on('poll:failure', ({ device, error }) =>
        this.add({ at: Date.now(), source: `device:${device.id}`, code: error.code, message: error.message }),
      ),
      bus.on('sink:error', ({ sink, error }) =>
        this.add({ at: Date.now(), source: `sink:${sink}`, code: error.code, message: error.message }),
      ),
    ];
  }

  add(e: RecentError): void {
    this.#items.push(e);
    if (this.#items.length > this.size) this.#items.shift();
  }

  /** Newest first. */
  list(): RecentError[] {
    return [...this.#items].reverse();
  }

  close(): void {
    for (const off of this.#offs) off();
  }
}
