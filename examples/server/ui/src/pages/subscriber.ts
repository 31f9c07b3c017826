import { macLink, routerLink } from '../components/links.js';
import { card, historyRangePicker, stat } from '../components/ui.js';
import { ApiError, api, qs } from '../lib/api.js';
import { h, mount } from '../lib/dom.js';
import { formatAgo } from '../lib/format.js';
import { type Page, setTitle } from '../lib/nav.js';
import { historyRange } from '../lib/ranges.js';
import { reconnectTone, sessionDuration } from '../lib/sessions.js';
import type {
  BindingRecord,
  SessionPage,
  SessionRecord,
  SubscriberSummary,
} from '../lib/subscriber-types.js';
import type { Router } from '../lib/types.js';
import { bindingsTable } from './bindings.js';
import { subscriberPath } from './subscriber-path.js';
import { sessionsTable, when } from './subscriber-sessions.js';

/** Sessions per page of the history (older ones one click away, by the `before` cursor). */
const PAGE = 50;

/** A subscriber (PPPoE user): where they are now, reconnects, routers, and the session history. */
export const subscriberPage: Page = (root, params, query) => {
  const user = params.user ?? '';
  const abort = new AbortController();
  const signal = abort.signal;
  let range = historyRange(query.get('range'));
  const path = `/api/v1/subscribers/${encodeURIComponent(user)}`;
  setTitle(user);

  const head = h(
    'section',
    { class: 'card', 'data-testid': 'subscriber' },
    h('p', { class: 'muted' }, 'Loading…'),
  );
  const tiles = h('div', { class: 'grid stats four' });
  const current = h('div', null);
  // Shown only when there is something: an empty block would still take a gap in the column.
  const related = h('div', { hidden: true });
  const historyBody = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  const historyCount = h('span', { class: 'muted', 'data-testid': 'history-count' });
  const more = h('button', { type: 'button', hidden: true }, 'Show older sessions');

  let sessions: SessionRecord[] = [];
  let next: string | null = null;
  let historyAbort: AbortController | undefined;
  const routers = new Map<string, Router>();

  const loadHistory = async (append: boolean) => {
    historyAbort?.abort();
    const ctl = new AbortController();
    historyAbort = ctl;
    more.disabled = true;
    try {
      const r = await api<SessionPage>(
        `${path}/sessions${qs({ from: range.from, limit: PAGE, before: append ? (next ?? undefined) : undefined })}`,
        { signal: ctl.signal },
      );
      sessions = append ? [...sessions, ...r.items] : r.items;
      next = r.next;
      mount(historyBody, sessionsTable(sessions, { user }));
      const flagged = sessions.filter((s) => s.reconnect).length;
      historyCount.textContent = `${sessions.length}${next ? '+' : ''} in the last ${range.label}${flagged ? ` · ${flagged} reconnect${flagged === 1 ? '' : 's'}` : ''}`;
      more.hidden = !next;
      more.disabled = false;
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      mount(historyBody, h('p', { class: 'muted' }, `History is not available: ${(err as Error).message}`));
    }
  };
  more.addEventListener('click', () => void loadHistory(true));

  const picker = historyRangePicker(range, `/subscribers/${encodeURIComponent(user)}`, (r) => {
    range = r;
    void loadHistory(false);
  });

  const drawSummary = (s: SubscriberSummary) => {
    const now = Date.now();
    const first = s.active[0];
    mount(
      head,
      h(
        'header',
        { class: 'wrap' },
        h('h2', { style: 'font-size:18px' }, s.user),
        h(
          'span',
          { class: `badge ${first ? 'ok' : 'unknown'}`, 'data-testid': 'subscriber-state' },
          first ? 'Online' : 'Offline',
        ),
        h(
          'span',
          { class: 'muted' },
          first
            ? `for ${sessionDuration(first, now)} on ${first.router}`
            : `last seen ${formatAgo(s.lastSeen, now)}`,
        ),
      ),
      h(
        'dl',
        { class: 'kv' },
        h('dt', null, 'PPPoE user'),
        h('dd', { class: 'mono' }, s.user),
        h('dt', null, 'CPE MAC'),
        h('dd', null, first?.callerId ? macLink(first.callerId) : '–'),
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
        h('dd', null, first ? 'now' : when(s.lastSeen, now)),
      ),
    );
    mount(
      tiles,
      stat('Reconnects 24h', String(s.reconnects.last24h), {
        tone: reconnectTone(s.reconnects.last24h, 3),
        id: 'reconnects-24h',
      }),
      stat('Reconnects 7d', String(s.reconnects.last7d), {
        tone: reconnectTone(s.reconnects.last7d, 10),
        id: 'reconnects-7d',
      }),
      stat('Connects 24h', String(s.sessions.last24h), { tone: 'info', id: 'sessions-24h' }),
      stat('Connects 7d', String(s.sessions.last7d), { tone: 'info', id: 'sessions-7d' }),
    );
    const paths = new Map<string, HTMLElement>();
    const drawCurrent = () =>
      mount(
        current,
        card(
          first
            ? s.active.length > 1
              ? `Current sessions (${s.active.length})`
              : 'Current session'
            : 'Not connected now',
          sessionsTable(s.active, { current: true, routers, user }),
          [...paths.values()],
        ),
      );
    drawCurrent();
    // The routers serving them now, with status: "is it the line or the BNG?"
    for (const r of new Set(s.active.map((a) => a.router))) {
      api<Router>(`/api/v1/routers/${encodeURIComponent(r)}`, { signal })
        .then((router) => {
          routers.set(r, router);
          paths.set(r, subscriberPath(router, signal));
          drawCurrent();
        })
        .catch(() => undefined);
    }
    // DHCP, wireless and ARP records of the subscriber's CPE (its PPPoE caller id) on any router.
    const mac = first?.callerId ?? null;
    if (mac) {
      api<{ items: BindingRecord[] }>(
        `/api/v1/macs/${encodeURIComponent(mac)}/history${qs({ from: '-7d', limit: 20 })}`,
        { signal },
      )
        .then((r) => {
          const other = r.items.filter((b) => b.source !== 'pppoe');
          if (!other.length) return;
          mount(related, card(`Other records of ${mac}, last 7 days`, bindingsTable(other, 'mac')));
          related.hidden = false;
        })
        .catch(() => undefined);
    }
  };

  mount(
    root,
    head,
    tiles,
    current,
    related,
    h(
      'section',
      { class: 'card', 'data-testid': 'session-history' },
      h('header', null, h('h2', null, 'Session history ', historyCount), picker),
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
              ? 'No PPPoE session of this user has been recorded (history is kept for the retention period). Search with / or Ctrl+K.'
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
