import '../styles/alerts.css';
import { silenceDialog } from '../components/silence-dialog.js';
import { toast } from '../components/ui.js';
import { loadRegexEngine, matcherHolds, normaliseAlert, triageOrder } from '../lib/alerts.js';
import { api, fetchAlerts, fetchSilences } from '../lib/api.js';
import { h, mount } from '../lib/dom.js';
import { formatCount, severityRank } from '../lib/format.js';
import { live } from '../lib/live.js';
import type { Page } from '../lib/nav.js';
import type { Alert, AlertCounts, Silence } from '../lib/types.js';
import { silencesList } from './alerts-silences.js';
import { alertsTable, durationText, type RowActions } from './alerts-table.js';

/** Most alert rows drawn at once. */
const MAX_ROWS = 300;
/** After the server's totals disagree with the list, re-read the list this much later (coalesced). */
const RECONCILE_MS = 1_500;

type View = 'firing' | 'pending' | 'resolved';
const VIEWS: View[] = ['firing', 'pending', 'resolved'];

const inView = (a: Alert, v: View) =>
  v === 'resolved'
    ? a.status === 'resolved'
    : a.status === 'firing' && Boolean(a.pending) === (v === 'pending');

/**
 * Alerts as a team works them: firing (unacknowledged and unsilenced first, then by severity),
 * pending and recently resolved tabs whose totals are the server's (the navigation badge's);
 * acknowledge with a note, unacknowledge, select many to acknowledge or silence; silences by
 * alert, interface, router or site with a reason. Every change anyone makes arrives live.
 */
export const alertsPage: Page = (root) => {
  const abort = new AbortController();
  const signal = abort.signal;
  let alerts: Alert[] = [];
  let silences: Silence[] | undefined = [];
  let totals: AlertCounts | undefined = live.alertCounts;
  let view: View = 'firing';
  const selected = new Set<string>();
  let loaded = false;

  const listEl = h('div', { 'data-testid': 'alert-list' }, h('p', { class: 'muted' }, 'Loading…'));
  const silencesEl = h('div', { 'data-testid': 'silence-list' });
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Alert state' });
  const search = h('input', {
    type: 'search',
    id: 'alert-search',
    class: 'grow',
    placeholder: 'Search router, alert, labels…',
    'aria-label': 'Search alerts',
  });
  const shownEl = h('span', { class: 'muted' });
  search.addEventListener('input', () => drawList());

  // The bulk bar: a note for acknowledgements, and the actions on the selected alerts.
  const note = h('input', {
    type: 'text',
    id: 'bulk-note',
    class: 'grow',
    maxlength: 1000,
    placeholder: 'Note for the acknowledgement (optional)',
    'aria-label': 'Note for acknowledging the selected alerts',
  });
  const selCount = h('span', { class: 'muted', 'data-testid': 'selected-count' });
  const bulkAck = h(
    'button',
    { type: 'button', class: 'primary', 'data-testid': 'bulk-ack' },
    'Acknowledge selected',
  );
  const bulkSilence = h('button', { type: 'button', 'data-testid': 'bulk-silence' }, 'Silence selected');
  const bulkClear = h('button', { type: 'button' }, 'Clear selection');
  const bulkBar = h(
    'div',
    { class: 'toolbar alerts-bulk', 'data-testid': 'bulk-bar' },
    selCount,
    note,
    bulkAck,
    bulkSilence,
    bulkClear,
  );

  const byFp = (fp: string) => alerts.find((a) => a.fingerprint === fp);
  const chosen = () => [...selected].map(byFp).filter((a): a is Alert => a !== undefined && inView(a, view));
  const activeSilences = () => silences ?? [];
  const countMatching = (matchers: Silence['matchers']) =>
    alerts.filter((a) => a.status === 'firing' && matchers.every((m) => matcherHolds(m, a.labels))).length;

  const dialog = silenceDialog({
    onCreated: () => {
      selected.clear();
      void loadSilences();
    },
    count: countMatching,
  });

  const drawTabs = () => {
    const local = (v: View) => alerts.filter((a) => inView(a, v)).length;
    // Firing and pending totals are the server's snapshot: the same numbers as the navigation badge.
    // Nothing known yet (no snapshot, no list): no number rather than a false 0.
    const fallback = (v: View) => (loaded ? local(v) : undefined);
    const n = (v: View) =>
      v === 'firing'
        ? (totals?.firing ?? fallback(v))
        : v === 'pending'
          ? (totals?.pending ?? fallback(v))
          : undefined;
    const text = { firing: 'Firing', pending: 'Pending', resolved: 'Recently resolved' } as const;
    mount(
      tabs,
      VIEWS.map((v) =>
        h(
          'button',
          {
            type: 'button',
            role: 'tab',
            'aria-selected': String(view === v),
            'data-testid': `tab-${v}`,
            onclick: () => {
              view = v;
              selected.clear();
              drawTabs();
              drawList();
            },
          },
          n(v) === undefined ? text[v] : `${text[v]} (${formatCount(n(v))})`,
        ),
      ),
    );
  };

  const drawBulk = () => {
    const n = chosen().length;
    selCount.textContent = n ? `${n} selected` : 'Select alerts to act on several at once';
    bulkAck.disabled = n === 0 || view !== 'firing';
    bulkSilence.disabled = n === 0 || view === 'resolved';
    bulkClear.disabled = n === 0;
    bulkBar.hidden = view === 'resolved';
  };

  let dirty = false;
  const drawList = () => {
    // Never redraw under someone typing a note: the change is drawn when they leave the field.
    const focused = document.activeElement;
    if (focused instanceof HTMLInputElement && focused.type === 'text' && listEl.contains(focused)) {
      dirty = true;
      return;
    }
    dirty = false;
    if (!loaded) return;
    const now = Date.now();
    const needle = search.value.trim().toLowerCase();
    const matching = alerts
      .filter((a) => inView(a, view))
      .filter(
        (a) =>
          !needle ||
          JSON.stringify(a.labels).toLowerCase().includes(needle) ||
          (a.annotations.summary ?? '').toLowerCase().includes(needle),
      );
    const ordered =
      view === 'resolved'
        ? matching.sort((a, b) => (b.endsAt ?? 0) - (a.endsAt ?? 0))
        : triageOrder(matching, activeSilences(), now, severityRank);
    // A table of thousands of rows helps nobody: the ones needing someone first, then search.
    const rows = ordered.slice(0, MAX_ROWS);
    shownEl.textContent =
      ordered.length > rows.length ? `showing ${rows.length} of ${ordered.length}: search to narrow` : '';
    drawBulk();
    if (rows.length === 0) {
      const empty = {
        firing: 'No alert is firing. All quiet.',
        pending: 'No alert is pending.',
        resolved: 'No alert resolved recently.',
      };
      return mount(listEl, h('p', { class: 'empty' }, empty[view]));
    }
    mount(
      listEl,
      alertsTable(rows, { silences: activeSilences(), selected, now, actions: view !== 'resolved', act }),
    );
  };
  listEl.addEventListener('focusout', () => setTimeout(() => dirty && drawList(), 0));

  const setAck = (fp: string, ack: Alert['acknowledged'] | undefined) => {
    const a = byFp(fp);
    if (!a) return;
    if (ack) a.acknowledged = ack;
    else delete a.acknowledged;
  };
  const ackRequest = async (a: Alert, comment?: string) => {
    try {
      const updated = await api<unknown>(`/api/v1/alerts/${encodeURIComponent(a.fingerprint)}/ack`, {
        method: 'POST',
        body: comment ? { comment } : {},
      });
      const fresh = updated ? normaliseAlert(updated) : undefined;
      // Whatever the server answers, the operator just acknowledged it: show that.
      setAck(
        a.fingerprint,
        fresh?.acknowledged ?? { by: 'you', at: Date.now(), ...(comment ? { comment } : {}) },
      );
      drawList();
      toast(`Acknowledged ${a.labels.alertname ?? 'alert'}`);
    } catch (err) {
      toast(`Could not acknowledge: ${(err as Error).message}`);
    }
  };
  const act: RowActions = {
    acknowledge: (a) => ackRequest(a),
    note: (a, text) => ackRequest(a, text),
    async unacknowledge(a) {
      try {
        await api(`/api/v1/alerts/${encodeURIComponent(a.fingerprint)}/ack`, { method: 'DELETE' });
        setAck(a.fingerprint, undefined);
        drawList();
        toast(`Acknowledgement removed from ${a.labels.alertname ?? 'alert'}`);
      } catch (err) {
        toast(`Could not unacknowledge: ${(err as Error).message}`);
      }
    },
    silence: (a) => dialog.open([a]),
    select(a, on) {
      if (on) selected.add(a.fingerprint);
      else selected.delete(a.fingerprint);
      listEl.querySelector(`tr[data-alert="${CSS.escape(a.fingerprint)}"]`)?.classList.toggle('selected', on);
      drawBulk();
    },
    selectAll(on) {
      for (const tr of listEl.querySelectorAll<HTMLElement>('tr[data-alert]')) {
        const fp = tr.dataset.alert as string;
        if (on) selected.add(fp);
        else selected.delete(fp);
      }
      drawList();
    },
  };

  bulkAck.addEventListener('click', async () => {
    const items = chosen().filter((a) => !a.pending);
    if (items.length === 0) return;
    bulkAck.disabled = true;
    const comment = note.value.trim();
    try {
      const r = await api<{ acknowledged: unknown[]; missing: string[] }>('/api/v1/alerts/ack', {
        method: 'POST',
        body: { fingerprints: items.map((a) => a.fingerprint), ...(comment ? { comment } : {}) },
      });
      for (const raw of r.acknowledged) {
        const a = normaliseAlert(raw);
        setAck(a.fingerprint, a.acknowledged);
      }
      selected.clear();
      note.value = '';
      toast(
        `Acknowledged ${r.acknowledged.length} alert${r.acknowledged.length === 1 ? '' : 's'}` +
          (r.missing.length ? ` (${r.missing.length} no longer active)` : ''),
      );
    } catch (err) {
      toast(`Could not acknowledge: ${(err as Error).message}`);
    }
    drawList();
  });
  bulkSilence.addEventListener('click', () => dialog.open(chosen()));
  bulkClear.addEventListener('click', () => {
    selected.clear();
    drawList();
  });

  const drawSilences = () => {
    if (!silences)
      return mount(silencesEl, h('p', { class: 'muted' }, 'The alerting in use cannot apply silences.'));
    mount(
      silencesEl,
      silencesList(silences, {
        now: Date.now(),
        matches: (s) => countMatching(s.matchers),
        onExpired: (s) => removeSilence(s.id),
      }),
    );
  };
  const removeSilence = (id: string) => {
    silences = silences?.filter((s) => s.id !== id);
    drawSilences();
    drawList();
  };

  const load = async () => {
    alerts = await fetchAlerts(undefined, signal);
    loaded = true;
    drawTabs();
    drawList();
  };
  const loadSilences = async () => {
    const [found] = await Promise.all([
      fetchSilences(signal).catch(() => undefined),
      loadRegexEngine().catch(() => undefined),
    ]);
    silences = found;
    drawSilences();
    drawList();
  };

  // When the server's totals and the list disagree (pending alerts come and go without an event,
  // an event was missed while reconnecting), re-read the list.
  let reconcileTimer: ReturnType<typeof setTimeout> | undefined;
  const reconcile = () => {
    if (!totals || !loaded || reconcileTimer) return;
    const firing = alerts.filter((a) => inView(a, 'firing'));
    const pending = alerts.filter((a) => inView(a, 'pending')).length;
    // Acknowledgements run out (after 4 h by default) without an event: the totals tell.
    const acked = firing.filter((a) => a.acknowledged).length;
    if (firing.length === totals.firing && pending === totals.pending && acked === totals.acknowledged)
      return;
    reconcileTimer = setTimeout(() => {
      reconcileTimer = undefined;
      void load().catch(() => undefined);
    }, RECONCILE_MS);
  };

  mount(
    root,
    h(
      'section',
      { class: 'card' },
      tabs,
      h('div', { class: 'toolbar', style: 'padding-top:10px' }, search, shownEl),
      bulkBar,
      h('div', { style: 'padding-top:8px' }, listEl),
    ),
    h('section', { class: 'card' }, h('header', null, h('h2', null, 'Silences')), silencesEl),
    dialog.el,
  );
  drawTabs();
  drawBulk();
  load().catch((err: Error) => !signal.aborted && mount(listEl, h('p', { class: 'error-msg' }, err.message)));
  void loadSilences();

  const upsert = (a: Alert) => {
    const i = alerts.findIndex((x) => x.fingerprint === a.fingerprint);
    if (i === -1) alerts.unshift(a);
    else alerts[i] = { ...alerts[i], ...a };
    drawList();
  };
  const offs = [
    live.on('alert:firing', upsert),
    live.on('alert:resolved', upsert),
    live.on('alert:acknowledged', (e) => {
      setAck(e.fingerprint, {
        by: e.ack.by,
        at: e.ack.at,
        ...(e.ack.comment ? { comment: e.ack.comment } : {}),
      });
      drawList();
    }),
    live.on('alert:unacknowledged', (e) => {
      setAck(e.fingerprint, undefined);
      drawList();
    }),
    live.on('silence:created', (e) => {
      if (!silences) return;
      if (!silences.some((s) => s.id === e.silence.id)) silences = [...silences, e.silence];
      drawSilences();
      drawList();
    }),
    live.on('silence:expired', (e) => removeSilence(e.silence.id)),
    live.followAlertCounts((c) => {
      totals = c;
      drawTabs();
      reconcile();
    }),
  ];
  // Durations and "ends in" move with the clock: the cells, not the whole table.
  const tick = setInterval(() => {
    const now = Date.now();
    for (const td of listEl.querySelectorAll<HTMLElement>('td[data-since]')) {
      const end = Number(td.dataset.end) || undefined;
      td.textContent = durationText({ startsAt: Number(td.dataset.since), endsAt: end } as Alert, now);
    }
    if (silences?.some((s) => s.endsAt <= now)) {
      drawSilences();
      drawList();
    }
  }, 15_000);
  return () => {
    abort.abort();
    clearInterval(tick);
    clearTimeout(reconcileTimer);
    for (const off of offs) off();
  };
};
