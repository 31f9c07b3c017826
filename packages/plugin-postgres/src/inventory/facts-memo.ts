import { createHash } from 'node:crypto';
import { type InventoryFacts, stableHash } from '@ispmonitor/core';

type Kind = keyof InventoryFacts;

/** Fields that change on every poll without changing what is stored about the row's identity. */
const VOLATILE = new Set(['uptimeSeconds', 'expiresAfterSeconds']);
/**
 * A digest of the stored part of a fact (the JSON of 24 interfaces is kilobytes; 10,000 devices'
 * worth of it would be most of the memo's memory).
 */
const print = (value: unknown): string =>
  createHash('sha256')
    .update(
      JSON.stringify(value, (key, v) =>
        VOLATILE.has(key) ? undefined : typeof v === 'bigint' ? String(v) : v,
      ),
    )
    .digest('base64');

/**
 * Remembers, per device and kind of fact, what was last written and when, so that a poll whose
 * facts did not change writes nothing. Drivers send the same interfaces, neighbours and sessions
 * on almost every poll; writing them each time costs tens of statements per device and minute,
 * which at thousands of devices competes with sample ingest. Unchanged facts are still written
 * once every `refreshMs` (that is the resolution of `last_seen`, and of the uptimes and lease
 * expiries stored with them, which are left out of the comparison), and always after a restart
 * or a hand-over to another replica (the memo is in memory).
 *
 * The first refresh of a device comes after a share of `refreshMs` fixed by its id, the later
 * ones every `refreshMs`: a fleet first written in one burst (a start) refreshes spread over the
 * whole interval, not all at once `refreshMs` later.
 */
export class FactsMemo {
  readonly #written = new Map<string, Map<Kind, { print: string; at: number }>>();

  /** `phase(device)` in [0, 1): how much of the first refresh interval is skipped. */
  constructor(
    private readonly refreshMs: number,
    private readonly phase: (device: string) => number = (device) => stableHash(device) / 2 ** 32,
  ) {}

  /** The part of `facts` that must be written at `now`, with the prints to `commit` after. */
  due(
    device: string,
    facts: InventoryFacts,
    now: number,
  ): { facts: InventoryFacts; prints: Map<Kind, string> } {
    const seen = this.#written.get(device);
    const out: InventoryFacts = {};
    const prints = new Map<Kind, string>();
    for (const kind of Object.keys(facts) as Kind[]) {
      const value = facts[kind];
      if (value === undefined) continue;
      const p = print(value);
      const last = seen?.get(kind);
      if (last && last.print === p && now - last.at < this.refreshMs) continue;
      (out as Record<Kind, unknown>)[kind] = value;
      prints.set(kind, p);
    }
    return { facts: out, prints };
  }

  /** Records what a committed write stored. */
  commit(device: string, prints: Map<Kind, string>, now: number): void {
    let seen = this.#written.get(device);
    if (!seen) {
      seen = new Map();
      this.#written.set(device, seen);
    }
    const skipped = Math.floor(this.phase(device) * this.refreshMs);
    for (const [kind, print] of prints) seen.set(kind, { print, at: seen.has(kind) ? now : now - skipped });
  }

  forget(device: string): void {
    this.#written.delete(device);
  }

  clear(): void {
    this.#written.clear();
  }
}
