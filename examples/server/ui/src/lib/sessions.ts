// Session arithmetic and words for the subscriber pages (no DOM; unit-tested in Node).

import { formatBytes, formatDuration } from './format.js';
import type { EndReason, SessionRecord } from './subscriber-types.js';

/** How long a session lasted, or has lasted so far while it runs. */
export function sessionSeconds(s: Pick<SessionRecord, 'start' | 'end'>, now = Date.now()): number {
  return Math.max(0, ((s.end ?? now) - s.start) / 1000);
}

/** The session's duration for people: `3d 4h`, `12m 5s`. */
export function sessionDuration(s: Pick<SessionRecord, 'start' | 'end'>, now = Date.now()): string {
  return formatDuration(sessionSeconds(s, now));
}

/** Words for why a session ended, as a help desk would say them. */
export const END_REASON: Record<EndReason, string> = {
  vanished: 'disconnected',
  'router unreachable': 'router unreachable',
  'monitor restart': 'monitor restarted',
};

/** Traffic of a session: `↓ 1.2 GiB ↑ 80 MiB` (down = to the subscriber); `–` when not reported. */
export function sessionTraffic(s: Pick<SessionRecord, 'bytesIn' | 'bytesOut'>): string {
  if (s.bytesIn === null && s.bytesOut === null) return '–';
  return `↓ ${formatBytes(s.bytesOut)} ↑ ${formatBytes(s.bytesIn)}`;
}

/** Tone of a reconnect count: a few in a day is normal, many is a flapping line. */
export function reconnectTone(n: number, perDay: number): 'ok' | 'warn' | 'bad' {
  if (n >= perDay * 3) return 'bad';
  if (n >= perDay) return 'warn';
  return 'ok';
}

/**
 * Seconds the subscriber was offline before each session (rows newest first): the gap between
 * its start and the end of the next older row. `undefined` for the oldest row on screen, and
 * where sessions overlap (two at once: on two routers, or a late end).
 */
export function gapsBefore(rows: Array<Pick<SessionRecord, 'start' | 'end'>>): Array<number | undefined> {
  return rows.map((s, i) => {
    const older = rows[i + 1];
    if (!older || older.end === null) return undefined;
    const gap = (s.start - older.end) / 1000;
    return gap >= 0 ? gap : undefined;
  });
}

/** Whether an interface name only repeats the user (RouterOS names PPP interfaces `<pppoe-USER>`). */
export function isOwnPppInterface(iface: string | null, user: string): boolean {
  return iface === null || iface === `<pppoe-${user}>`;
}
