// The list beside the map: routers that are down or unreachable (acknowledged ones last, marked),
// then how many are degraded. A click focuses the router on the map (expanding its site).
import { h } from '../lib/dom.js';
import type { TopoNodeView } from '../lib/types.js';
import { STATE_LABEL } from './map-draw.js';
import { problemNodes } from './map-model.js';

/** Most rows drawn; the heading still counts them all. */
const MAX_ROWS = 300;

/** Fills `el` with the list for `nodes`; `focus(id)` is called when a row is chosen. */
export function renderDownList(
  el: HTMLElement,
  nodes: readonly TopoNodeView[],
  focus: (id: string) => void | Promise<void>,
  /** The server's totals when `nodes` holds only part of the fleet (the collapsed answer at scale). */
  totals?: { open: number; listed: number; degraded: number },
): void {
  const down = problemNodes(nodes);
  const degraded = totals?.degraded ?? nodes.filter((n) => n.state === 'degraded').length;
  const open = totals?.open ?? down.filter((n) => n.state !== 'acknowledged').length;
  const listed = Math.max(totals?.listed ?? 0, down.length);
  const rows = down.slice(0, MAX_ROWS).map((n) =>
    h(
      'li',
      null,
      h(
        'button',
        {
          type: 'button',
          class: `down-item st-${n.state}`,
          'data-down': n.id,
          title: n.reasons.join('; '),
          onclick: () => void focus(n.id),
        },
        h('i', { class: 'swatch', 'aria-hidden': 'true' }),
        h('span', { class: 'name' }, n.name),
        h(
          'span',
          { class: 'meta' },
          `${n.state === 'acknowledged' ? `${n.status === 'offline' ? 'down' : 'unreachable'}, acknowledged` : STATE_LABEL[n.state]}${n.site ? ` · ${n.site}` : ''}`,
        ),
      ),
    ),
  );
  const parts: Node[] = [
    h('h2', { id: 'down-title' }, `Down / unreachable: ${open}`),
    down.length === 0
      ? h('p', { class: 'muted' }, 'Every router answers.')
      : h('ul', { 'aria-labelledby': 'down-title' }, rows),
    h('p', { class: 'muted degraded-count' }, `${degraded} degraded (uplink down or alert firing)`),
  ];
  const shown = Math.min(down.length, MAX_ROWS);
  if (listed > shown) parts.splice(2, 0, h('p', { class: 'muted' }, `…and ${listed - shown} more`));
  el.replaceChildren(...parts);
}
