import { silenceDialog } from '../components/silence-dialog.js';
import { severityBadge, toast } from '../components/ui.js';
import { extraLabels, matcherText, normaliseAlert } from '../lib/alerts.js';
import { api, fetchAlerts, fetchSilences } from '../lib/api.js';
import { h, mount } from '../lib/dom.js';
import { formatAgo, formatDuration, severityRank } from '../lib/format.js';
import { live } from '../lib/live.js';
import type { Page } from '../lib/nav.js';
import type { Alert } from '../lib/types.js';

/** Most alert rows drawn at once. */
const MAX_ROWS = 300;

/** Why an alert is not notified, in words. */
const MUTED: Record<string, string> = {
  silence: 'silenced',
  inhibited: 'inhibited',
  'parent-down': 'upstream down',
};

/** Firing and recent alerts: acknowledge, silence with a duration and a comment; silences list. */
export const alertsPage: Page = (root) => {
  const abort = new AbortController();
  const signal = abort.signal;
  let alerts: Alert[] = [];
  let view: 'firing' | 'resolved' = 'firing';
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
  const dialog = silenceDialog(() => void loadSilences());

  const drawTabs = () => {
    const firing = alerts.filter((a) => a.status === 'firing').length;
    mount(
      tabs,
      (['firing', 'resolved'] as const).map((v) =>
        h(
          'button',
          {
            type: 'button',
            role: 'tab',
            'aria-selected': String(view === v),
            onclick: () => {
              view = v;
              drawTabs();
              drawList();
            },
          },
          v === 'firing' ? `Firing (${firing})` : 'Recently resolved',
        ),
      ),
    );
  };

  const drawList = () => {
    const needle = search.value.trim().toLowerCase();
    const matching = alerts
      .filter((a) => a.status === view)
      .filter(
        (a) =>
          !needle ||
          JSON.stringify(a.labels).toLowerCase().includes(needle) ||
          (a.annotations.summary ?? '').toLowerCase().includes(needle),
      )
      .sort(
        (a, b) =>
          severityRank(a.labels.severity) - severityRank(b.labels.severity) || b.startsAt - a.startsAt,
      );
    // A table of thousands of rows helps nobody: the most severe and newest first, then search.
    const rows = matching.slice(0, MAX_ROWS);
    shownEl.textContent =
      matching.length > rows.length ? `showing ${rows.length} of ${matching.length}: search to narrow` : '';
    if (rows.length === 0) {
      mount(
        listEl,
        h(
          'p',
          { class: 'empty' },
          view === 'firing' ? 'No alert is firing. All quiet.' : 'No alert resolved recently.',
        ),
      );
      return;
    }
    mount(
      listEl,
      h(
        'div',
        { class: 'tbl-wrap' },
        h(
          'table',
          { class: 'tbl' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              [
                'Severity',
                'Alert',
                'Router',
                'Summary',
                view === 'firing' ? 'For' : 'Lasted',
                'Acknowledged',
                '',
              ].map((t) => h('th', { scope: 'col' }, t)),
            ),
          ),
          h(
            'tbody',
            null,
            rows.map((a) => {
              const name = a.labels.alertname ?? 'alert';
              const device = a.labels.device;
              const ackBtn = h(
                'button',
                { type: 'button', 'aria-label': `Acknowledge ${name}${device ? ` on ${device}` : ''}` },
                'Acknowledge',
              );
              ackBtn.addEventListener('click', async () => {
                ackBtn.disabled = true;
                try {
                  const updated = await api<unknown>(
                    `/api/v1/alerts/${encodeURIComponent(a.fingerprint)}/ack`,
                    { method: 'POST', body: {} },
                  );
                  const fresh = updated ? normaliseAlert(updated) : undefined;
                  // Whatever the server answers, the operator just acknowledged it: show that.
                  a.acknowledged = fresh?.acknowledged ?? { by: 'you', at: Date.now() };
                  drawList();
                  toast(`Acknowledged ${name}`);
                } catch (err) {
                  ackBtn.disabled = false;
                  toast(`Could not acknowledge: ${(err as Error).message}`);
                }
              });
              const silenceBtn = h(
                'button',
                {
                  type: 'button',
                  'aria-label': `Silence ${name}${device ? ` on ${device}` : ''}`,
                  onclick: () => dialog.open(a),
                },
                'Silence',
              );
              return h(
                'tr',
                { 'data-alert': a.fingerprint },
                h('td', null, severityBadge(a.labels.severity)),
                h(
                  'td',
                  null,
                  h('strong', null, name),
                  extraLabels(a) ? h('div', { class: 'mono muted' }, extraLabels(a)) : null,
                ),
                h(
                  'td',
                  null,
                  device ? h('a', { href: `/routers/${encodeURIComponent(device)}` }, device) : '–',
                ),
                h('td', null, a.annotations.summary ?? a.annotations.description ?? ''),
                h('td', null, formatDuration(((a.endsAt ?? Date.now()) - a.startsAt) / 1000)),
                h(
                  'td',
                  { 'data-testid': 'ack' },
                  a.acknowledged
                    ? h(
                        'span',
                        { class: 'badge ok' },
                        `by ${a.acknowledged.by.replace(/^user:/, '')} ${formatAgo(a.acknowledged.at)}`,
                      )
                    : h('span', { class: 'muted' }, 'no'),
                  a.pending ? h('span', { class: 'badge plain' }, ' pending') : null,
                  a.muted && a.muted.kind !== 'ack'
                    ? h('span', { class: 'badge plain' }, ` ${MUTED[a.muted.kind] ?? a.muted.kind}`)
                    : null,
                ),
                h(
                  'td',
                  null,
                  view === 'firing'
                    ? h('div', { class: 'toolbar' }, a.acknowledged ? null : ackBtn, silenceBtn)
                    : null,
                ),
              );
            }),
          ),
        ),
      ),
    );
  };

  const load = async () => {
    alerts = await fetchAlerts(undefined, signal);
    drawTabs();
    drawList();
  };
  const loadSilences = async () => {
    const items = await fetchSilences(signal).catch(() => undefined);
    if (!items)
      return mount(silencesEl, h('p', { class: 'muted' }, 'The alerting in use cannot apply silences.'));
    const now = Date.now();
    const active = items.filter((s) => s.endsAt > now);
    if (active.length === 0) return mount(silencesEl, h('p', { class: 'muted' }, 'No active silence.'));
    mount(
      silencesEl,
      h(
        'ul',
        { class: 'feed' },
        active.map((s) =>
          h(
            'li',
            null,
            h('span', { class: 'mono' }, s.matchers.map(matcherText).join(', ')),
            h('span', { class: 'muted' }, s.comment),
            h('time', null, `ends in ${formatDuration((s.endsAt - now) / 1000)}`),
            h(
              'button',
              {
                type: 'button',
                class: 'danger',
                'aria-label': `Expire silence ${s.comment}`,
                onclick: async () => {
                  await api(`/api/v1/silences/${encodeURIComponent(s.id)}`, { method: 'DELETE' }).catch(
                    (e: Error) => toast(e.message),
                  );
                  void loadSilences();
                },
              },
              'Expire',
            ),
          ),
        ),
      ),
    );
  };

  mount(
    root,
    h(
      'section',
      { class: 'card' },
      tabs,
      h('div', { class: 'toolbar', style: 'padding-top:10px' }, search, shownEl),
      h('div', { style: 'padding-top:8px' }, listEl),
    ),
    h('section', { class: 'card' }, h('header', null, h('h2', null, 'Silences')), silencesEl),
    dialog.el,
  );
  load().catch((err: Error) => !signal.aborted && mount(listEl, h('p', { class: 'error-msg' }, err.message)));
  void loadSilences();

  const upsert = (a: Alert) => {
    const i = alerts.findIndex((x) => x.fingerprint === a.fingerprint);
    if (i === -1) alerts.unshift(a);
    else alerts[i] = { ...alerts[i], ...a };
    drawTabs();
    drawList();
  };
  const offs = [live.on('alert:firing', upsert), live.on('alert:resolved', upsert)];
  return () => {
    abort.abort();
    for (const off of offs) off();
  };
};
