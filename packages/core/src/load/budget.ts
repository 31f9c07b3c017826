/**
 * A poll's time budget, counted in the device's time rather than on a timer that a blocked event
 * loop made late. Pure functions, so every decision can be tested without time passing.
 *
 * Why: when the event loop is blocked (a long synchronous task, garbage collection, a CPU-starved
 * process), a device's answer sits unread in the socket. When the loop frees up, Node runs due
 * timers before it reads sockets, so the poll's timeout fires first and a device that answered
 * would be called unreachable. Here the timeout counts only time during which the loop was free.
 */

/** Below this much blocked time a driver's error is the device's, whatever the share. */
export const MIN_BLOCKED_MS = 100;

/** What to do when a poll's timeout timer fires. */
export type TimeoutVerdict =
  /** The device has not had its whole budget of free-loop time: wait `ms` more. */
  | { kind: 'wait'; ms: number }
  /** The device had `timeout` of free-loop time and did not answer: its failure. */
  | { kind: 'timeout' }
  /** The wall-clock limit (`timeout × maxStretch`) came first: the monitor's fault, not the device's. */
  | { kind: 'overloaded' };

/**
 * Decides at a timeout timer's firing. `elapsedMs` is the wall time since the poll began,
 * `blockedMs` how much of it the event loop was blocked. The device's time is the difference;
 * the poll times out when the device's time reaches `timeoutMs`, and is overloaded when the wall
 * time reaches `timeoutMs × maxStretch` first.
 */
export function timeoutVerdict(
  elapsedMs: number,
  blockedMs: number,
  timeoutMs: number,
  maxStretch: number,
): TimeoutVerdict {
  const deviceMs = Math.max(0, elapsedMs - Math.max(0, blockedMs));
  if (deviceMs >= timeoutMs) return { kind: 'timeout' };
  const limitMs = timeoutMs * Math.max(1, maxStretch);
  if (elapsedMs >= limitMs) return { kind: 'overloaded' };
  // At least 1 ms: the next timer then runs after the loop has read its sockets.
  return { kind: 'wait', ms: Math.max(1, Math.min(timeoutMs - deviceMs, limitMs - elapsedMs)) };
}

/**
 * Whether a poll the driver reported failed (an error result, or a throw) failed because the
 * monitor was blocked: the loop was blocked for at least `share` of the poll's time, and at least
 * `MIN_BLOCKED_MS`, with one stretch of at least `minStretchMs` among it (`longestMs`, the longest).
 * A driver's own timers (per-request timeouts, retries) fire late just as core's do, so its error
 * cannot be trusted then. But a reply waits unread at most one stretch: on a loop that was only
 * ever held briefly (a CPU-starved host: many short delays adding up to a large share), a driver's
 * timer cannot have beaten a reply the device sent, and the error is the device's — otherwise a
 * device that really went down would never be reported while the host stays busy.
 */
export function blockedTooLong(
  elapsedMs: number,
  blockedMs: number,
  share: number,
  longestMs = Number.POSITIVE_INFINITY,
  minStretchMs = 0,
): boolean {
  return blockedMs >= MIN_BLOCKED_MS && blockedMs >= share * elapsedMs && longestMs >= minStretchMs;
}

/** What a poll needs from the load monitor to measure its budget. */
export interface LoadGuard {
  /**
   * Milliseconds the event loop was blocked within [from, to]. `lateSince`: the caller is a timer
   * that was due then, so the loop was blocked since (at least) that time.
   */
  blockedBetween(from: number, to: number, lateSince?: number): number;
  /** The longest single stretch the loop was blocked within [from, to], ms (see `blockedBetween`). */
  longestBlockBetween(from: number, to: number, lateSince?: number): number;
  /**
   * A block at least this long can hold a reply unread past a driver's own request timer: half of
   * `poller.overload.lag` (the lag the overloaded state never clears above).
   */
  readonly spoilingBlockMs: number;
  /** `poller.overload.maxStretch`. */
  readonly maxStretch: number;
  /** `poller.overload.blockedShare`. */
  readonly blockedShare: number;
  /** Told each time a timeout is pushed back because the loop was blocked (counted). */
  extended(): void;
}
