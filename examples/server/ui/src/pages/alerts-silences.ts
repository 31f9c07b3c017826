// The alerts page's list of active silences: what each covers, why, by whom, until when, how many
// alerts it matches now, and Expire.
import { toast } from '../components/ui.js';
import { actorName, clockTime, matcherText } from '../lib/alerts.js';
import { api } from '../lib/api.js';
import { h } from '../lib/dom.js';
import { formatDuration } from '../lib/format.js';
import type { Silence } from '../lib/types.js';

/** The silences list (active ones, ending soonest first). */
export function silencesList(
  silences: Silence[],
  opts: { now: number; matches: (s: Silence) => number; onExpired: (s: Silence) => void },
): HTMLElement {
  const { now } = opts;
  const active = silences.filter((s) => s.endsAt > now).sort((a, b) => a.endsAt - b.endsAt);
  if (active.length === 0) return h('p', { class: 'muted' }, 'No active silence.');
  return h(
    'ul',
    { class: 'feed silences' },
    active.map((s) => {
      const expire = h(
        'button',
        { type: 'button', class: 'danger', 'aria-label': `Expire silence ${s.comment}` },
        'Expire',
      );
      expire.addEventListener('click', async () => {
        expire.disabled = true;
        try {
          await api(`/api/v1/silences/${encodeURIComponent(s.id)}`, { method: 'DELETE' });
          opts.onExpired(s);
          toast('Silence expired');
        } catch (err) {
          expire.disabled = false;
          toast(`Could not expire: ${(err as Error).message}`);
        }
      });
      const n = opts.matches(s);
      return h(
        'li',
        { 'data-silence': s.id },
        h(
          'div',
          { class: 'grow' },
          h('div', { class: 'mono' }, s.matchers.map(matcherText).join(', ')),
          h('div', null, h('q', { class: 'alert-note' }, s.comment)),
          h(
            'div',
            { class: 'muted' },
            `by ${actorName(s.createdBy)} · until ${clockTime(s.endsAt, now)} (ends in ${formatDuration(
              (s.endsAt - now) / 1000,
            )}) · matches ${n} alert${n === 1 ? '' : 's'} now`,
          ),
        ),
        expire,
      );
    }),
  );
}
