import { z } from 'zod';
import { durationMsOr } from '../zod-helpers.js';

/**
 * When the monitor counts itself overloaded, and how a poll's timeout makes up for time the
 * monitor's own event loop was blocked (`poller.overload`). The defaults suit a 2-core machine
 * running the poller, the API and an embedded PGlite in one process.
 */
export const overloadOptionsSchema = z
  .object({
    /**
     * Event-loop lag that makes the monitor overloaded: one timer of the lag probe (every 100 ms)
     * late by this much is enough, so a single long block is seen as soon as it ends.
     * Default `1s`.
     */
    lag: durationMsOr('1s'),
    /**
     * Backlog that makes the monitor overloaded: the oldest poll due but not started (every
     * `concurrency` slot busy) has waited this long. Default `10s`.
     */
    backlogWait: durationMsOr('10s'),
    /**
     * Dropped slots that make the monitor overloaded: this many poll slots within the last 10 s
     * came while the device's previous poll had not finished because of the monitor — it still
     * waited for a free slot, or waited half the time between the slots before it started (the
     * monitor is behind), or it still ran while the event loop was blocked for at least
     * `blockedShare` of those 10 s (a starved loop stretches every poll past its slot). Each is
     * a lost sample. A slow or silent device on a free loop never counts. Needed beside
     * `backlogWait` for intervals shorter than it, and beside `lag` for a host short of CPU
     * whose loop is held often but never for long. Default 5.
     */
    droppedSlots: z.number().int().min(1).default(5),
    /**
     * The overloaded state clears once the lag stayed below half of `lag`, the backlog below half
     * of `backlogWait`, no poll was skipped and no slot dropped that counts (those behind a
     * running poll at half of `blockedShare`), for this long. Default `30s`.
     */
    clearAfter: durationMsOr('30s'),
    /**
     * A poll's timeout counts only time during which the event loop was free (the device's
     * time); its wall-clock time may stretch up to `timeout × maxStretch` to make up for blocked
     * time. A poll that reaches that limit without having had `timeout` of free time is retried
     * once, then skipped (`monitor overloaded`) — never a device failure. Default 3.
     */
    maxStretch: z.number().min(1).max(100).default(3),
    /**
     * A poll the driver itself reports failed (its own timers may have fired late too) counts as
     * overloaded, not as the device's failure, when the event loop was blocked for at least this
     * share of the poll's time (and at least 100 ms), one block of at least half of `lag` among it
     * (short delays that only add up never hold a reply past a timer). Default 0.25.
     */
    blockedShare: z.number().gt(0).max(1).default(0.25),
  })
  .strict();

/** `poller.overload` as given: every field optional. */
export type OverloadOptions = z.input<typeof overloadOptionsSchema>;

/** `poller.overload` with defaults applied, durations in milliseconds. */
export type ResolvedOverloadOptions = z.output<typeof overloadOptionsSchema>;

/**
 * The shortest single block of the event loop that excuses a driver's error (`LoadGuard`): half
 * of `lag`, the lag above which the overloaded state never clears.
 */
export function spoilingBlockMs(options: ResolvedOverloadOptions): number {
  return options.lag / 2;
}
