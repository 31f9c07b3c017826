import { ipLink, macLink, routerLink } from '../components/links.js';
import { statusBadge, table } from '../components/ui.js';
import { h } from '../lib/dom.js';
import { formatDuration, formatTime } from '../lib/format.js';
import {
  END_REASON,
  gapsBefore,
  isOwnPppInterface,
  sessionDuration,
  sessionTraffic,
} from '../lib/sessions.js';
import type { SessionRecord } from '../lib/subscriber-types.js';
import type { Router } from '../lib/types.js';

/** A moment in local time, exact (ISO, UTC) in the tooltip; `now` for an open end. */
export const when = (ts: number | null, now = Date.now()) =>
  ts === null
    ? h('span', { class: 'muted' }, 'now')
    : h(
        'time',
        { datetime: new Date(ts).toISOString(), title: new Date(ts).toISOString() },
        formatTime(ts, now),
      );

type Col = {
  title: string;
  cell: (s: SessionRecord) => ReturnType<typeof h> | string | Array<unknown>;
  num?: boolean;
  nowrap?: boolean;
};

/**
 * Sessions, newest first. `current`: the card of sessions up now (router with its status, no end);
 * otherwise the history, with the offline gap before each session, why it ended and the reconnect
 * flag. The interface column shows only when it says more than the user name.
 */
export function sessionsTable(
  rows: SessionRecord[],
  opts: { current?: boolean; routers?: Map<string, Router>; user: string },
): HTMLElement {
  const now = Date.now();
  const gaps = opts.current ? [] : gapsBefore(rows);
  const index = new Map(rows.map((r, i) => [r, i]));
  const cols: Col[] = [
    { title: opts.current ? 'Since' : 'Started', cell: (s) => when(s.start, now), nowrap: true },
    ...(opts.current ? [] : [{ title: 'Ended', cell: (s: SessionRecord) => when(s.end, now), nowrap: true }]),
    { title: 'Duration', cell: (s) => sessionDuration(s, now), num: true, nowrap: true },
    ...(opts.current
      ? []
      : [
          {
            title: 'Offline before',
            cell: (s: SessionRecord) => {
              const g = gaps[index.get(s) ?? -1];
              return [
                g === undefined ? '' : formatDuration(g),
                s.reconnect
                  ? [
                      ' ',
                      h(
                        'span',
                        {
                          class: 'badge warn',
                          title: 'Started within the reconnect window after the previous session ended',
                        },
                        'reconnect',
                      ),
                    ]
                  : null,
              ];
            },
            num: true,
            nowrap: true,
          },
        ]),
    {
      title: 'Router',
      cell: (s) => {
        const r = opts.routers?.get(s.router);
        return [routerLink(s.router), r ? [' ', statusBadge(r.status)] : null];
      },
      nowrap: true,
    },
    ...(rows.every((s) => isOwnPppInterface(s.interface, opts.user))
      ? []
      : [{ title: 'Interface', cell: (s: SessionRecord) => s.interface ?? '' }]),
    { title: 'Address', cell: (s) => ipLink(s.address) },
    // One CPE all along: its MAC is in the summary; a column only when it changed.
    ...(new Set(rows.map((s) => s.callerId)).size <= 1 && !opts.current
      ? []
      : [{ title: 'MAC', cell: (s: SessionRecord) => macLink(s.callerId) }]),
    { title: 'Traffic', cell: (s) => sessionTraffic(s), num: true, nowrap: true },
    ...(opts.current
      ? []
      : [
          {
            title: 'Ended because',
            cell: (s: SessionRecord) =>
              s.endReason === null
                ? h('span', { class: 'badge ok' }, 'active')
                : h(
                    'span',
                    { class: s.endReason === 'vanished' ? undefined : 'warn-text' },
                    END_REASON[s.endReason] ?? s.endReason,
                  ),
            nowrap: true,
          },
        ]),
  ];
  return table(rows, cols as never, opts.current ? 'No session now.' : 'No session in this range.', {
    cards: true,
    // The flag stripe goes with the 'Offline before' column that explains it (history only).
    rowClass: (s) => (s.reconnect && !opts.current ? 'flag' : undefined),
  });
}
