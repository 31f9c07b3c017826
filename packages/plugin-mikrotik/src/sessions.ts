/**
 * PPPoE session appear/vanish tracking per router. The bus's event map is fixed in core, so the
 * driver keeps the previous poll's sessions and reports the difference through a callback the
 * plugin turns into log lines and its own `sessionEvents` emitter (see README).
 */
import type { PppoeSessionFact } from '@ispmonitor/core';

/** A PPPoE session with the router's id of it. */
export interface PppoeSession extends PppoeSessionFact {
  /** The router's `.id` of the session (changes when the user reconnects). */
  id?: string;
}

/** What changed between two polls of one router. */
export interface SessionChange {
  device: string;
  appeared: PppoeSession[];
  vanished: PppoeSession[];
  ts: number;
}

const keyOf = (s: PppoeSession) => `${s.user}\u0000${s.id ?? ''}\u0000${s.callerId ?? ''}`;

/** Keeps the last set of sessions of one router and diffs each new one against it. */
export class SessionTracker {
  #last: Map<string, PppoeSession> | undefined;

  /**
   * Records `current` and returns what appeared and vanished since the previous call. The first
   * call only sets the baseline (no change reported), so a restart does not flood listeners.
   */
  update(
    current: readonly PppoeSession[],
  ): { appeared: PppoeSession[]; vanished: PppoeSession[] } | undefined {
    const next = new Map<string, PppoeSession>();
    for (const s of current) next.set(keyOf(s), s);
    const last = this.#last;
    this.#last = next;
    if (!last) return undefined;
    const appeared: PppoeSession[] = [];
    const vanished: PppoeSession[] = [];
    for (const [k, s] of next) if (!last.has(k)) appeared.push(s);
    for (const [k, s] of last) if (!next.has(k)) vanished.push(s);
    return { appeared, vanished };
  }

  /** Forgets the baseline (after a reconnect the next poll sets a new one). */
  reset(): void {
    this.#last = undefined;
  }
}
