// The alerts page's table: one row per alert with selection, state (acknowledged by whom and when,
// with the note; silenced until when by whom; pending) and the row's actions.
import { severityBadge } from '../components/ui.js';
import { actorName, clockTime, extraLabels, silenceFor } from '../lib/alerts.js';
import { h } from '../lib/dom.js';
import { formatAgo, formatDuration } from '../lib/format.js';
import type { Alert, Silence } from '../lib/types.js';

/** What a row can ask the page to do. */
export interface RowActions {
  acknowledge(a: Alert): Promise<void>;
  unacknowledge(a: Alert): Promise<void>;
  /** Saves a note on an acknowledged alert (acknowledges again with it). */
  note(a: Alert, text: string): Promise<void>;
  silence(a: Alert): void;
  select(a: Alert, on: boolean): void;
  selectAll(on: boolean): void;
}

/** How long an alert has lasted (or lasted), for its duration cell; refreshed by the page's tick. */
export function durationText(a: Alert, now: number): string {
  return formatDuration(Math.max(0, (a.endsAt ?? now) - a.startsAt) / 1000);
}

const label = (a: Alert) =>
  `${a.labels.alertname ?? 'alert'}${a.labels.device ? ` on ${a.labels.device}` : ''}`;

/** The state cell: acknowledged (who, when, note), silenced (until, by), pending, or not yet. */
function stateCell(a: Alert, silence: Silence | undefined, now: number, act: RowActions): HTMLElement {
  const parts: Array<HTMLElement | null> = [];
  if (a.pending) parts.push(h('span', { class: 'badge plain', 'data-testid': 'pending' }, 'pending'));
  if (silence)
    parts.push(
      h(
        'div',
        { class: 'alert-silenced', 'data-testid': 'silenced', title: silence.comment },
        `silenced until ${clockTime(silence.endsAt, now)} by ${actorName(silence.createdBy)}`,
      ),
    );
  if (a.acknowledged) {
    const ack = a.acknowledged;
    parts.push(
      h(
        'div',
        { class: 'alert-ack' },
        h('span', { class: 'badge ok' }, `by ${actorName(ack.by)} ${formatAgo(ack.at)}`),
        h(
          'time',
          { class: 'muted', datetime: new Date(ack.at).toISOString() },
          ` at ${clockTime(ack.at, now)}`,
        ),
      ),
    );
    if (ack.comment) parts.push(h('q', { class: 'alert-note', 'data-testid': 'ack-note' }, ack.comment));
    else if (a.status === 'firing') parts.push(noteEditor(a, act));
  } else if (!silence && !a.pending && a.status === 'firing') {
    // Nobody has taken it: said in words (a bare "no" under "State" read as a broken cell).
    parts.push(h('span', { class: 'muted' }, 'not acknowledged'));
  }
  if (a.muted && a.muted.kind !== 'ack' && a.muted.kind !== 'silence')
    parts.push(
      h('span', { class: 'badge plain' }, a.muted.kind === 'parent-down' ? 'upstream down' : a.muted.kind),
    );
  return h('td', { 'data-testid': 'ack' }, ...parts);
}

/** "Add note" on an acknowledged alert without one: a small inline form. */
function noteEditor(a: Alert, act: RowActions): HTMLElement {
  const box = h('div', { class: 'alert-note-edit' });
  const open = h(
    'button',
    { type: 'button', class: 'link', 'aria-label': `Add a note to ${label(a)}` },
    'Add note',
  );
  open.addEventListener('click', () => {
    const input = h('input', {
      type: 'text',
      maxlength: 1000,
      placeholder: 'What is being done',
      'aria-label': `Note on ${label(a)}`,
    });
    const save = h('button', { type: 'submit' }, 'Save note');
    const form = h('form', { class: 'toolbar' }, input, save);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!input.value.trim()) return input.focus();
      save.disabled = true;
      void act.note(a, input.value.trim()).finally(() => {
        save.disabled = false;
      });
    });
    box.replaceChildren(form);
    input.focus();
  });
  box.append(open);
  return box;
}

/** The table of alerts (already ordered and cut), with a select-all box in its head. */
export function alertsTable(
  rows: Alert[],
  opts: { silences: Silence[]; selected: Set<string>; now: number; actions: boolean; act: RowActions },
): HTMLElement {
  const { silences, selected, now, act } = opts;
  const all = h('input', {
    type: 'checkbox',
    'aria-label': 'Select every alert shown',
    'data-testid': 'select-all',
  });
  all.checked = rows.length > 0 && rows.every((a) => selected.has(a.fingerprint));
  all.addEventListener('change', () => act.selectAll(all.checked));
  const heads = ['Severity', 'Alert', 'Router', 'Summary', opts.actions ? 'For' : 'Lasted', 'State', ''];
  return h(
    'div',
    { class: 'tbl-wrap' },
    h(
      'table',
      { class: 'tbl alerts-tbl' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          opts.actions ? h('th', { scope: 'col', class: 'sel' }, all) : null,
          heads.map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((a) => {
          const silence = silenceFor(a, silences, now);
          const box = h('input', { type: 'checkbox', 'aria-label': `Select ${label(a)}` });
          box.checked = selected.has(a.fingerprint);
          box.addEventListener('change', () => act.select(a, box.checked));
          const button = (text: string, aria: string, fn: () => Promise<void> | void) => {
            const b = h('button', { type: 'button', 'aria-label': `${aria} ${label(a)}` }, text);
            b.addEventListener('click', async () => {
              b.disabled = true;
              try {
                await fn();
              } finally {
                b.disabled = false;
              }
            });
            return b;
          };
          const handledCls = a.acknowledged || silence ? ' handled' : '';
          return h(
            'tr',
            {
              'data-alert': a.fingerprint,
              'data-acked': a.acknowledged ? 'true' : 'false',
              'data-silenced': silence ? 'true' : 'false',
              class: `alert-row${handledCls}${selected.has(a.fingerprint) ? ' selected' : ''}`,
            },
            opts.actions ? h('td', { class: 'sel' }, box) : null,
            h('td', null, severityBadge(a.labels.severity)),
            h(
              'td',
              null,
              h('strong', null, a.labels.alertname ?? 'alert'),
              extraLabels(a) ? h('div', { class: 'mono muted' }, extraLabels(a)) : null,
            ),
            h(
              'td',
              null,
              a.labels.device
                ? h('a', { href: `/routers/${encodeURIComponent(a.labels.device)}` }, a.labels.device)
                : '–',
            ),
            h('td', null, a.annotations.summary ?? a.annotations.description ?? ''),
            h(
              'td',
              { 'data-since': String(a.startsAt), 'data-end': a.endsAt ? String(a.endsAt) : '' },
              durationText(a, now),
            ),
            stateCell(a, silence, now, act),
            h(
              'td',
              null,
              opts.actions
                ? h(
                    'div',
                    { class: 'toolbar' },
                    a.pending
                      ? null
                      : a.acknowledged
                        ? button('Unacknowledge', 'Unacknowledge', () => act.unacknowledge(a))
                        : button('Acknowledge', 'Acknowledge', () => act.acknowledge(a)),
                    button('Silence', 'Silence', () => act.silence(a)),
                  )
                : null,
            ),
          );
        }),
      ),
    ),
  );
}
