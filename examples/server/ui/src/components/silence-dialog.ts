import { api } from '../lib/api.js';
import { h } from '../lib/dom.js';
import type { Alert } from '../lib/types.js';
import { toast } from './ui.js';

/** Durations offered for a silence. */
const DURATIONS = [
  { value: '1h', label: '1 hour' },
  { value: '4h', label: '4 hours' },
  { value: '12h', label: '12 hours' },
  { value: '24h', label: '1 day' },
  { value: '168h', label: '1 week' },
];

/** The dialog that silences an alert: matchers from its name and router, a duration, a comment. */
export function silenceDialog(onCreated: () => void): { el: HTMLDialogElement; open(a: Alert): void } {
  let current: Alert | undefined;
  const what = h('p', { class: 'muted' });
  const duration = h(
    'select',
    { id: 'silence-duration', name: 'duration' },
    DURATIONS.map((d) => h('option', { value: d.value }, d.label)),
  );
  const comment = h('textarea', { id: 'silence-comment', name: 'comment', required: true, maxlength: 1000 });
  const error = h('div', { class: 'error-msg', role: 'alert', hidden: true });
  const el = h(
    'dialog',
    { 'aria-labelledby': 'silence-title' },
    h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'silence-title' }, 'Silence alert'),
      what,
      error,
      h('label', { for: 'silence-duration' }, 'Duration', duration),
      h('label', { for: 'silence-comment' }, 'Comment (why, who follows up)', comment),
      h(
        'div',
        { class: 'toolbar' },
        h('span', { class: 'grow' }),
        h('button', { type: 'button', onclick: () => el.close() }, 'Cancel'),
        h('button', { type: 'submit', class: 'primary', value: 'ok' }, 'Silence'),
      ),
    ),
  );
  el.querySelector('form')?.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!current) return;
    const matchers = [{ name: 'alertname', value: current.labels.alertname ?? '' }];
    if (current.labels.device) matchers.push({ name: 'device', value: current.labels.device });
    try {
      await api('/api/v1/silences', {
        method: 'POST',
        body: { matchers, endsAt: `+${duration.value}`, comment: comment.value.trim() },
      });
      el.close();
      toast('Silence created');
      onCreated();
    } catch (err) {
      error.textContent = (err as Error).message;
      error.hidden = false;
    }
  });
  return {
    el,
    open(a) {
      current = a;
      error.hidden = true;
      comment.value = '';
      what.textContent = `${a.labels.alertname ?? 'alert'}${a.labels.device ? ` on ${a.labels.device}` : ''}: no notification until the silence ends.`;
      el.showModal();
      comment.focus();
    },
  };
}
