import { stableHash } from '../hash.js';
import type { DeviceStatus } from '../types.js';

/** What the status machine needs to know about a device. */
export interface StatusState {
  status: DeviceStatus;
  /** When the current run of failures began; undefined while polls succeed. */
  failingSince?: number;
}

/**
 * The device status machine: a success makes a device `online`; the first failure makes it
 * `unreachable`; failures that last `downAfterMs` make it `offline`. Pure, so every transition
 * can be tested without time passing.
 */
export function nextStatus(state: StatusState, ok: boolean, now: number, downAfterMs: number): StatusState {
  if (ok) return { status: 'online' };
  const failingSince = state.failingSince ?? now;
  const status: DeviceStatus = now - failingSince >= downAfterMs ? 'offline' : 'unreachable';
  return { status, failingSince };
}

/**
 * When a device should be polled next: its next slot on the regular grid, or sooner while it
 * fails — at the recheck interval, and exactly when it would become offline, so that the
 * transition happens at the configured time.
 */
export function nextDue(
  now: number,
  grid: { intervalMs: number; phaseMs: number },
  failing: { since: number; recheckMs: number; downAfterMs: number; offline: boolean } | undefined,
): number {
  const slot = nextSlot(now, grid.intervalMs, grid.phaseMs);
  if (!failing) return slot;
  let due = Math.min(slot, now + failing.recheckMs);
  const downAt = failing.since + failing.downAfterMs;
  if (!failing.offline && downAt > now) due = Math.min(due, downAt);
  return due;
}

/** The first time after `now` that lies on the grid `phase + k * interval`. */
export function nextSlot(now: number, intervalMs: number, phaseMs: number): number {
  const k = Math.floor((now - phaseMs) / intervalMs) + 1;
  return phaseMs + k * intervalMs;
}

/** A stable phase in [0, interval) from the device id, so polls spread evenly. */
export function phaseOf(id: string, intervalMs: number): number {
  return stableHash(id) % Math.max(1, Math.floor(intervalMs));
}
