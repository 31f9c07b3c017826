import type { StateStore } from '@ispmonitor/core';
import { NS } from '../state-store.js';

/** Limits of login attempts (from `server.auth`). */
export interface ThrottleLimits {
  /** Attempts (right or wrong) per client address per minute. */
  perAddressPerMinute: number;
  /** Wrong passwords in a row for one user name before it is locked for a while. */
  userFailures: number;
}

interface AddressWindow {
  /** Start of the current minute window, ms. */
  since: number;
  attempts: number;
}

interface UserFailures {
  /** Wrong passwords in a row. */
  count: number;
  /** No attempt for this user before this time, ms. */
  lockedUntil: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const MAX_LOCK_MS = 15 * MINUTE;

/** Why a login attempt is refused before the password is checked, and until when. */
export interface Refusal {
  reason: 'address' | 'user';
  retryAfterMs: number;
}

/**
 * Login throttling by client address and by user name, kept in the StateStore so every API
 * replica counts the same attempts (one attacker cannot multiply the budget by the replicas).
 * After `userFailures` wrong passwords in a row a user name is locked for 1 minute, doubling with
 * each further failure up to 15 minutes; a right password clears it. Counts are read-modified-
 * written without a lock: concurrent replicas can lose an increment, never grant extra minutes.
 */
export class LoginThrottle {
  constructor(
    private readonly store: StateStore,
    private readonly limits: ThrottleLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts the attempt of an address and says whether it (or the user name) must wait. */
  async admit(address: string, username: string): Promise<Refusal | undefined> {
    const now = this.now();
    const key = `addr:${address}`;
    const win = await this.store.get<AddressWindow>(NS.loginThrottle, key);
    const current = win && now - win.since < MINUTE ? win : { since: now, attempts: 0 };
    current.attempts++;
    await this.store.set(NS.loginThrottle, key, current);
    if (current.attempts > this.limits.perAddressPerMinute) {
      return { reason: 'address', retryAfterMs: current.since + MINUTE - now };
    }
    const user = await this.store.get<UserFailures>(NS.loginThrottle, `user:${username}`);
    if (user && user.lockedUntil > now) return { reason: 'user', retryAfterMs: user.lockedUntil - now };
    return undefined;
  }

  /** Records the outcome of a password check for a user name. */
  async result(username: string, ok: boolean): Promise<void> {
    const key = `user:${username}`;
    if (ok) {
      await this.store.delete(NS.loginThrottle, key);
      return;
    }
    const prev = (await this.store.get<UserFailures>(NS.loginThrottle, key)) ?? { count: 0, lockedUntil: 0 };
    const count = prev.count + 1;
    const over = count - this.limits.userFailures;
    const lockedUntil = over >= 0 ? this.now() + Math.min(MAX_LOCK_MS, MINUTE * 2 ** over) : 0;
    await this.store.set(NS.loginThrottle, key, { count, lockedUntil } satisfies UserFailures);
  }

  /**
   * Forgets address windows older than a minute and user entries an hour past their lock (or
   * with failures below the limit an hour old): called hourly, it bounds what made-up user
   * names can add.
   */
  async purge(): Promise<number> {
    const now = this.now();
    let purged = 0;
    for (const { key, value } of await this.store.list<AddressWindow & UserFailures>(NS.loginThrottle)) {
      const stale = key.startsWith('addr:') ? now - value.since >= MINUTE : value.lockedUntil + HOUR <= now;
      if (stale) {
        await this.store.delete(NS.loginThrottle, key);
        purged++;
      }
    }
    return purged;
  }
}
