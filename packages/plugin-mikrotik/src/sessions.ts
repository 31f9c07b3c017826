/**
 * PPPoE session appear/vanish tracking per router: the driver keeps the previous poll's sessions
 * and reports the difference through a callback the plugin turns into `pppoe:session` events.
 */
import type { PppoeSessionFact } from '@ispmonitor/core';
import type { Row } from './api/connection.js';
import { sessionKey } from './sessions/keys.js';
import { type ReadPpp, type SessionDiff, SessionTable } from './sessions/table.js';

export type { ParsedPpp } from './sessions/rows.js';
export type { ReadPpp, SessionDiff } from './sessions/table.js';

/** A PPPoE session with the router's id of it (`PppoeSessionFact.id`). */
export type PppoeSession = PppoeSessionFact;

/** What changed between two polls of one router. */
export interface SessionChange {
  device: string;
  appeared: PppoeSession[];
  vanished: PppoeSession[];
  ts: number;
}

/**
 * Keeps the last set of sessions of one router and diffs each new one against it. The first
 * poll only sets the baseline (no change reported), so a restart does not flood listeners. A
 * session is the same session while its `.id`, user, caller-id, address and service are.
 */
export class SessionTracker {
  readonly #table: SessionTable;

  /** @param rememberFrom Replies of at least this many rows are remembered between polls. */
  constructor(rememberFrom?: number) {
    this.#table = new SessionTable(rememberFrom);
  }

  /**
   * Parses one poll's `/ppp/active` rows (with `/interface` rows for the session bytes) and
   * diffs the sessions against the previous poll's. Rows unchanged since the previous poll are
   * not parsed again.
   */
  read(rows: readonly Row[], interfaces?: readonly Row[]): ReadPpp {
    return this.#table.read(rows, interfaces);
  }

  /** Records `current` (sessions parsed elsewhere) and returns what appeared and vanished. */
  update(current: readonly PppoeSession[]): SessionDiff | undefined {
    return this.#table.update(current, current.map(sessionKey));
  }

  /** Forgets the baseline (the next poll sets a new one). */
  reset(): void {
    this.#table.reset();
  }
}
