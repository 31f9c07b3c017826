import { STATE_LABEL } from '../components/map-draw.js';
import { h } from '../lib/dom.js';
import { STATE_ORDER } from '../lib/layout.js';

/** The map's key: device states, utilisation steps (per direction), and what line width means. */
export function topologyLegend(): HTMLElement {
  const steps = ['< 25 %', '25–50 %', '50–75 %', '75–90 %', '≥ 90 %'];
  return h(
    'div',
    { class: 'legend topo-legend' },
    STATE_ORDER.map((st) =>
      h('span', null, h('i', { class: `dot st-${st}`, 'aria-hidden': 'true' }), STATE_LABEL[st]),
    ),
    h('span', { class: 'sep', 'aria-hidden': 'true' }),
    steps.map((label, i) => h('span', null, h('i', { class: `line u${i}`, 'aria-hidden': 'true' }), label)),
    h('span', null, h('i', { class: 'line unone', 'aria-hidden': 'true' }), 'unknown'),
    h('span', null, h('i', { class: 'line u-down', 'aria-hidden': 'true' }), 'link down'),
    h(
      'span',
      { class: 'note' },
      'Each half of a link is the traffic leaving its end; thicker = more capacity. Drag devices or sites (Graph) to arrange them.',
    ),
  );
}
