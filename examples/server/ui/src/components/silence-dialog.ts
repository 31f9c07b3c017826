import { bulkMatchers, matcherText, type SilenceScope, scopesFor } from '../lib/alerts.js';
import { api } from '../lib/api.js';
import { h, mount } from '../lib/dom.js';
import type { Alert, Silence } from '../lib/types.js';
import { toast } from './ui.js';

/** Durations offered for a silence. */
const DURATIONS = [
  { value: '1h', label: '1 hour' },
  { value: '4h', label: '4 hours' },
  { value: '12h', label: '12 hours' },
  { value: '24h', label: '1 day' },
  { value: '168h', label: '1 week' },
];

const SCOPE_LABEL: Record<SilenceScope, string> = {
  alert: 'This alert only',
  interface: 'This interface (router + interface, every alert on it)',
  router: 'This router (every alert on it)',
  site: 'This site (every alert of its routers)',
};

type Matchers = Silence['matchers'];

/**
 * The dialog that silences one alert or many: what it covers (this alert, its interface, its
 * router, its site; optionally only alerts of the same name), for how long, and why (required).
 * It says how many alerts the silence matches now before it is created. Many alerts at one scope
 * make one silence per distinct interface, router or site.
 */
export function silenceDialog(opts: {
  onCreated: () => void;
  /** How many listed alerts a matcher set covers now. */
  count: (matchers: Matchers) => number;
}): { el: HTMLDialogElement; open(alerts: Alert[]): void } {
  let current: Alert[] = [];
  const what = h('p', { class: 'muted' });
  const scope = h('select', { id: 'silence-scope', name: 'scope' });
  const sameName = h('input', { type: 'checkbox', id: 'silence-same-name', name: 'sameName' });
  const sameNameText = h('span');
  const duration = h(
    'select',
    { id: 'silence-duration', name: 'duration' },
    DURATIONS.map((d) => h('option', { value: d.value }, d.label)),
  );
  const comment = h('textarea', { id: 'silence-comment', name: 'comment', maxlength: 1000 });
  const preview = h('div', {
    class: 'silence-preview',
    'data-testid': 'silence-preview',
    'aria-live': 'polite',
  });
  const error = h('div', { class: 'error-msg', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary', value: 'ok' }, 'Silence');

  const sets = (): Matchers[] =>
    bulkMatchers(current, scope.value as SilenceScope, sameName.checked && scope.value !== 'alert');
  const drawPreview = () => {
    sameName.disabled = scope.value === 'alert';
    const all = sets();
    const covered = all.reduce((n, ms) => n + opts.count(ms), 0);
    mount(
      preview,
      h(
        'p',
        null,
        all.length === 1
          ? `One silence, matching ${covered} alert${covered === 1 ? '' : 's'} now:`
          : `${all.length} silences, matching ${covered} alerts now:`,
      ),
      h(
        'ul',
        { class: 'mono' },
        all.slice(0, 6).map((ms) => h('li', null, ms.map(matcherText).join(', '))),
        all.length > 6 ? h('li', null, `… and ${all.length - 6} more`) : null,
      ),
    );
  };
  scope.addEventListener('change', drawPreview);
  sameName.addEventListener('change', drawPreview);

  const el = h(
    'dialog',
    { 'aria-labelledby': 'silence-title', class: 'silence-dialog' },
    h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'silence-title' }, 'Silence alerts'),
      what,
      error,
      h('label', { for: 'silence-scope' }, 'Covers', scope),
      h('label', { class: 'check', for: 'silence-same-name' }, sameName, sameNameText),
      preview,
      h('label', { for: 'silence-duration' }, 'Duration', duration),
      h('label', { for: 'silence-comment' }, 'Reason (required): why, and who follows up', comment),
      h(
        'div',
        { class: 'toolbar' },
        h('span', { class: 'grow' }),
        h('button', { type: 'button', onclick: () => el.close() }, 'Cancel'),
        submit,
      ),
    ),
  );
  const fail = (message: string) => {
    error.textContent = message;
    error.hidden = false;
  };
  el.querySelector('form')?.addEventListener('submit', async (e) => {
    e.preventDefault();
    const reason = comment.value.trim();
    if (!reason) {
      fail('Say why: a silence needs a reason.');
      comment.focus();
      return;
    }
    const all = sets();
    if (all.length === 0) return fail('Nothing to silence: these alerts have no such label.');
    submit.disabled = true;
    let made = 0;
    try {
      // One at a time: a failure stops the rest and says which, rather than half-silencing quietly.
      for (const matchers of all) {
        await api('/api/v1/silences', {
          method: 'POST',
          body: { matchers, endsAt: `+${duration.value}`, comment: reason },
        });
        made++;
      }
      el.close();
      toast(made === 1 ? 'Silence created' : `${made} silences created`);
      opts.onCreated();
    } catch (err) {
      fail(`${made ? `${made} of ${all.length} silences created; then: ` : ''}${(err as Error).message}`);
      if (made) opts.onCreated();
    } finally {
      submit.disabled = false;
    }
  });
  return {
    el,
    open(alerts) {
      current = alerts;
      if (alerts.length === 0) return;
      error.hidden = true;
      comment.value = '';
      // Only scopes every chosen alert has; the narrowest is the default.
      const scopes = (['alert', 'interface', 'router', 'site'] as const).filter((s) =>
        alerts.every((a) => scopesFor(a).includes(s)),
      );
      mount(
        scope,
        scopes.map((s) => h('option', { value: s }, SCOPE_LABEL[s])),
      );
      scope.value = 'alert';
      sameName.checked = false;
      const names = [...new Set(alerts.map((a) => a.labels.alertname ?? 'alert'))];
      sameNameText.textContent =
        names.length === 1
          ? `Only alerts named ${names[0]}`
          : 'Only alerts of the same name as each chosen one';
      const first = alerts[0] as Alert;
      what.textContent =
        alerts.length === 1
          ? `${first.labels.alertname ?? 'alert'}${first.labels.device ? ` on ${first.labels.device}` : ''}: no notification while the silence lasts.`
          : `${alerts.length} alerts: no notification while the silences last.`;
      drawPreview();
      el.showModal();
      comment.focus();
    },
  };
}
