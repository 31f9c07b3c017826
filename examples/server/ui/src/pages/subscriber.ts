import { ipLink, macLink, routerLink } from '../components/links.js';
import { card, segmented, stat, statusBadge, table } from '../components/ui.js';
import { ApiError, api, qs } from '../lib/api.js';
import { h, mount } from '../lib/dom.js';
import { formatAgo, formatTime } from '../lib/format.js';
import { type Page, setTitle } from '../lib/nav.js';
import { RANGES, type RangeChoice } from '../lib/ranges.js';
import { END_REASON, reconnectTone, sessionDuration, sessionTraffic } from '../lib/sessions.js';
import type {
  BindingRecord,
  SessionPage,
  SessionRecord,
  SubscriberSummary,
} from '../lib/subscriber-types.js';
import type { Router } from '../lib/types.js';
import { bindingsTable } from './bindings.js';

/** Sessions per page of the history (older ones one click away, by the `before` cursor). */
const PAGE = 50;
/** The history's default range: the help desk asks "since when has it been bad?". */
const DEFAULT_RANGE = '30d';

/** A moment with its exact time in the tooltip. */
export const when = (ts: number | null, now = Date.now()) =>
  ts === null
    ? h('span', { class: 'muted' }, 'now')
    : h('time', { title: new Date(ts).toISOString() }, formatTime(ts, now));

/** A table of sessions, newest first: what the history and the current-session card share. */
function sessionsTable(rows: SessionRecord[], opts: { current?: boolean; routers?: Map<string, Router> }) {
  const now = Date.now();
  return table(
    rows,
    [
      ...(opts.current ? [] : [{ title: 'Started', cell: (s: SessionRecord) => when(s.start, now) }]),
      ...(opts.current
        ? [
            {
              title: 'Since',
              cell: (s: SessionRecord) => [
                when(s.start, now),
                ' ',
                h('span', { class: 'muted' }, `(${formatAgo(s.start, now)})`),
              ],
            },
          ]
        : [{ title: 'Ended', cell: (s: SessionRecord) => when(s.end, now) }]),
      { title: 'Duration', cell: (s: SessionRecord) => sessionDuration(s, now), num: true },
      {
        title: 'Router',
        cell: (s: SessionRecord) => {
          const r = opts.routers?.get(s.router);
          return [routerLink(s.router), r ? [' ', statusBadge(r.status)] : null];
        },
      },
      { title: 'Interface', cell: (s: SessionRecord) => s.interface ?? '' },
      { title: 'Address', cell: (s: SessionRecord) => ipLink(s.address) },
      { title: 'MAC', cell: (s: SessionRecord) => macLink(s.callerId) },
      { title: 'Traffic', cell: (s: SessionRecord) => sessionTraffic(s), num: true },
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
            },
            {
              title: 'Reconnect',
              cell: (s: SessionRecord) =>
                s.reconnect
                  ? h(
                      'span',
                      { class: 'badge warn', title: 'Started soon after the previous session ended' },
                      'reconnect',
                    )
                  : '',
            },
          ]),
    ],
    opts.current ? 'No session now.' : 'No session in this range.',
  );
}

/** A subscriber (PPPoE user): where they are now, reconnects, routers, and the session history. */
export const subscriberPage: Page = (root, params, query) => {
  const user = params.user ?? '';
  const abort = new AbortController();
  const signal = abort.signal;
  let range: RangeChoice =
    RANGES.find((r) => r.value === (query.get('range') ?? DEFAULT_RANGE)) ?? (RANGES.at(-1) as RangeChoice);
  const path = `/api/v1/subscribers/${encodeURIComponent(user)}`;
  setTitle(user);

  const head = h('section', { class: 'card' }, h('p', { class: 'muted' }, 'Loading…'));
  const tiles = h('div', { class: 'grid stats' });
  const current = h('div', null);
  const related = h('div', null);
  const historyBody = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  const historyCount = h('span', { class: 'muted', 'data-testid': 'history-count' });
  const more = h('button', { type: 'button', hidden: true }, 'Show older sessions');

  let sessions: SessionRecord[] = [];
  let next: string | null = null;
  let historyAbort: AbortController | undefined;
  const routers = new Map<string, Router>();

  const loadHistory = async (append: boolean) => {
    historyAbort?.abort();
    historyAbort = new AbortController();
    const s = historyAbort.signal;
    signal.addEventListener('abort', () => historyAbort?.abort());
    if (!append) {
      sessions = [];
      next = null;
    }
    more.disabled = true;
    try {
      const r = await api<SessionPage>(
        `${path}/sessions${qs({ from: range.from, limit: PAGE, before: append ? (next ?? undefined) : undefined })}`,
        { signal: s },
      );
      sessions = append ? [...sessions, ...r.items] : r.items;
      next = r.next;
      mount(historyBody, sessionsTable(sessions, {}));
      historyCount.textContent = `${sessions.length}${next ? '+' : ''} in the last ${range.label}`;
      more.hidden = !next;
      more.disabled = false;
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      mount(historyBody, h('p', { class: 'muted' }, `History is not available: ${(err as Error).message}`));
    }
  };
  more.addEventListener('click', () => void loadHistory(true));

  const picker = segmented(
    'Time range',
    RANGES.map((r) => ({ value: r.value, label: r.label })),
    range.value,
    (v) => {
      range = RANGES.find((r) => r.value === v) ?? range;
      history.replaceState(null, '', `/subscribers/${encodeURIComponent(user)}?range=${v}`);
      void loadHistory(false);
    },
  );

  const drawSummary = (s: SubscriberSummary) => {
    const now = Date.now();
    const online = s.active.length > 0;
    const first = s.active[0];
    mount(
      head,
      h(
        'header',
        null,
        h('h2', { style: 'font-size:18px' }, s.user),
        h(
          'span',
          { class: `badge ${online ? 'ok' : 'unknown'}`, 'data-testid': 'subscriber-state' },
          online ? 'Online' : 'Offline',
        ),
        h(
          'span',
          { class: 'muted' },
          online && first
            ? `for ${sessionDuration(first, now)} on ${first.router}`
            : `last seen ${formatAgo(s.lastSeen, now)}`,
        ),
      ),
      h(
        'dl',
        { class: 'kv' },
        h('dt', null, 'Routers seen on'),
        h(
          'dd',
          null,
          s.routers.length === 0
            ? '–'
            : s.routers.map((r, i) => [
                i ? ', ' : '',
                routerLink(r.router),
                h(
                  'span',
                  { class: 'muted' },
                  ` (${r.sessions} session${r.sessions === 1 ? '' : 's'}, last ${formatAgo(r.lastSeen, now)})`,
                ),
              ]),
        ),
        h('dt', null, 'Last seen'),
        h('dd', null, online ? 'now' : when(s.lastSeen, now)),
      ),
    );
    mount(
      tiles,
      stat('Reconnects 24 h', String(s.reconnects.last24h), {
        tone: reconnectTone(s.reconnects.last24h, 3),
        id: 'reconnects-24h',
      }),
      stat('Reconnects 7 d', String(s.reconnects.last7d), {
        tone: reconnectTone(s.reconnects.last7d, 10),
        id: 'reconnects-7d',
      }),
      stat('Sessions 24 h', String(s.sessions.last24h), { tone: 'info', id: 'sessions-24h' }),
      stat('Sessions 7 d', String(s.sessions.last7d), { tone: 'info', id: 'sessions-7d' }),
    );
    const drawCurrent = () =>
      mount(
        current,
        card(
          online ? 'Current session' : 'Not connected now',
          sessionsTable(s.active, { current: true, routers }),
        ),
      );
    drawCurrent();
    // The routers serving them now, with status: "is it the line or the BNG?"
    for (const r of new Set(s.active.map((a) => a.router))) {
      api<Router>(`/api/v1/routers/${encodeURIComponent(r)}`, { signal })
        .then((router) => {
          routers.set(r, router);
          drawCurrent();
        })
        .catch(() => undefined);
    }
    // DHCP, wireless and ARP records of the subscriber's MAC (CPE) on any router.
    const mac = first?.callerId ?? null;
    if (mac) {
      api<{ items: BindingRecord[] }>(
        `/api/v1/macs/${encodeURIComponent(mac)}/history${qs({ from: '-7d', limit: 20 })}`,
        { signal },
      )
        .then((r) => {
          const other = r.items.filter((b) => b.source !== 'pppoe');
          if (other.length)
            mount(related, card(`Other records of ${mac} (7 d)`, bindingsTable(other, 'mac')));
        })
        .catch(() => undefined);
    }
  };

  mount(
    root,
    h('div', { class: 'toolbar' }, h('span', { class: 'muted' }, 'Subscriber'), h('span', { class: 'grow' })),
    head,
    tiles,
    current,
    related,
    h(
      'section',
      { class: 'card', 'data-testid': 'session-history' },
      h('header', null, h('h2', null, 'Session history'), historyCount, h('span', { class: 'grow' }), picker),
      historyBody,
      h('div', { class: 'toolbar', style: 'margin-top:12px' }, more),
    ),
  );

  api<SubscriberSummary>(path, { signal })
    .then((s) => {
      drawSummary(s);
      void loadHistory(false);
    })
    .catch((err: Error) => {
      if (signal.aborted) return;
      const missing = err instanceof ApiError && err.status === 404;
      mount(
        root,
        card(
          missing ? `No subscriber “${user}”` : 'Could not load the subscriber',
          h(
            'p',
            null,
            missing
              ? 'No PPPoE session of this user has been recorded (history is kept for the retention period). Try the search: / or Ctrl+K.'
              : err.message,
          ),
        ),
      );
    });

  return () => {
    abort.abort();
    historyAbort?.abort();
  };
};
