// SVG pieces of the topology map shared by the graph and geographic views: a device, a site
// bubble, a cluster, and a link drawn as two halves (each half is the traffic leaving its end,
// coloured by that direction's utilisation; width by capacity). Text is always text nodes.
import { s } from '../lib/dom.js';
import { formatBps } from '../lib/format.js';
import { capacityWidth, utilisationStep } from '../lib/layout.js';
import type { TopoNodeView, TopoState } from '../lib/types.js';
import type { DrawnLink, DrawnSite } from './map-model.js';

/** Words for each state (legend, tooltips, the down list). */
export const STATE_LABEL: Record<TopoState, string> = {
  down: 'Down',
  unreachable: 'Unreachable',
  degraded: 'Degraded',
  acknowledged: 'Acknowledged / silenced',
  unknown: 'Unknown',
  'admin-down': 'Admin down',
  up: 'Up',
};

/** Radius of a device marker, layout units. */
export const NODE_R = 7;

const pct = (u: number | undefined) => (u === undefined ? 'unknown' : `${Math.round(u * 100)} %`);

function directionText(
  from: string,
  to: string,
  u: number | undefined,
  link: DrawnLink,
  bps?: number,
): string {
  const rate = bps !== undefined ? `${formatBps(bps)} ` : '';
  const cap = link.capacityBps ? ` of ${formatBps(link.capacityBps)}` : '';
  const many = link.links.length > 1 ? ` (${link.links.length} links, busiest)` : '';
  const state = link.state ? ` — link ${link.state}` : '';
  return `${from} → ${to}: ${rate}${cap} (${pct(u)})${many}${state}`;
}

/** One link as two halves meeting in the middle. `names` label its two ends for the tooltip. */
export function linkEl(link: DrawnLink, names: [string, string]): SVGGElement {
  const mx = (link.a.x + link.b.x) / 2;
  const my = (link.a.y + link.b.y) / 2;
  const width = capacityWidth(link.capacityBps);
  const one = link.links.length === 1 ? link.links[0] : undefined;
  const half = (x1: number, y1: number, x2: number, y2: number, u: number | undefined, title: string) =>
    s(
      'line',
      {
        x1,
        y1,
        x2,
        y2,
        class: `lk u${link.state ? '-down' : utilisationStep(u)}`,
        'stroke-width': width,
        'vector-effect': 'non-scaling-stroke',
        'stroke-dasharray': link.state ? '4 3' : link.dashed && u === undefined ? '5 4' : undefined,
        'data-util': u === undefined ? undefined : u.toFixed(3),
      },
      s('title', null, title),
    );
  return s(
    'g',
    { class: 'link', 'data-link': link.key, 'data-state': link.state },
    half(
      link.a.x,
      link.a.y,
      mx,
      my,
      link.forward,
      directionText(
        names[0],
        names[1],
        link.forward,
        link,
        one?.source === names[0] ? one.forward?.bps : one?.reverse?.bps,
      ),
    ),
    half(
      mx,
      my,
      link.b.x,
      link.b.y,
      link.reverse,
      directionText(
        names[1],
        names[0],
        link.reverse,
        link,
        one?.source === names[0] ? one.reverse?.bps : one?.forward?.bps,
      ),
    ),
  );
}

/** A device marker with its label (shown by CSS when zoomed in, always for problems). */
export function nodeEl(n: TopoNodeView, x: number, y: number): SVGGElement {
  const problem = n.state === 'down' || n.state === 'unreachable' || n.state === 'degraded';
  return s(
    'g',
    {
      class: `node st-${n.state}${problem ? ' problem' : ''}`,
      transform: `translate(${x} ${y})`,
      tabindex: '0',
      role: 'link',
      'aria-label': `${n.name}, ${STATE_LABEL[n.state]}${n.reasons.length ? `: ${n.reasons.join('; ')}` : ''}`,
      'data-node': n.id,
      'data-status': n.status,
      'data-state': n.state,
    },
    problem ? s('circle', { class: 'halo', r: NODE_R + 5 }) : null,
    s('circle', { class: 'dot', r: NODE_R }),
    s('text', { class: 'label', x: NODE_R + 4, y: 4 }, n.name),
    s(
      'title',
      null,
      `${n.name} — ${STATE_LABEL[n.state]}${n.reasons.length ? `\n${n.reasons.join('\n')}` : ''}`,
    ),
  );
}

/** Bubble radius of a collapsed site, layout units: grows with the square root of its size. */
export function bubbleRadius(count: number): number {
  return 14 + Math.sqrt(count) * 3;
}

/** A collapsed site: one bubble in its worst state, its size inside, its name and problems below. */
export function siteBubbleEl(d: DrawnSite): SVGGElement {
  // At least ~half the expanded disc, so the bubble reads at the zoom that fits the discs.
  const r = Math.max(bubbleRadius(d.site.count), d.site.r * 0.45);
  const bad = (d.site.counts.down ?? 0) + (d.site.counts.unreachable ?? 0);
  return s(
    'g',
    {
      class: `site st-${d.state}`,
      transform: `translate(${d.x} ${d.y})`,
      tabindex: '0',
      role: 'button',
      'aria-expanded': 'false',
      'aria-label': `Site ${d.site.id}, ${d.site.count} devices, worst state ${STATE_LABEL[d.state]}: expand`,
      'data-site': d.site.id,
      'data-state': d.state,
    },
    s('circle', { class: 'dot', r }),
    s('text', { class: 'count', 'text-anchor': 'middle', y: 4 }, String(d.site.count)),
    s(
      'text',
      { class: 'site-name', 'text-anchor': 'middle', y: r + 18 },
      `${d.site.id}${bad ? ` · ${bad} down/unreachable` : ''}`,
    ),
    s(
      'title',
      null,
      `${d.site.id}: ${d.site.count} devices, worst ${STATE_LABEL[d.state]} — click to expand`,
    ),
  );
}

/** An expanded site: a faint disc behind its devices and a name that collapses it. */
export function siteDiscEl(d: DrawnSite): SVGGElement {
  return s(
    'g',
    { class: `site-disc st-${d.state}`, 'data-site-disc': d.site.id },
    s('circle', { cx: d.x, cy: d.y, r: d.site.r }),
    s(
      'text',
      {
        class: 'site-title',
        x: d.x,
        y: d.y - d.site.r - 8,
        'text-anchor': 'middle',
        tabindex: '0',
        role: 'button',
        'aria-expanded': 'true',
        'aria-label': `Site ${d.site.id}, ${d.site.count} devices: collapse`,
        'data-site': d.site.id,
        'data-state': d.state,
      },
      `${d.site.id} · ${d.site.count} ▾`,
    ),
  );
}

/** A geographic cluster: several devices in one marker showing the worst state and how many. */
export function clusterEl(
  x: number,
  y: number,
  count: number,
  state: TopoState,
  label: string,
  r: number,
): SVGGElement {
  return s(
    'g',
    {
      class: `cluster st-${state}`,
      transform: `translate(${x} ${y})`,
      tabindex: '0',
      role: 'button',
      'aria-label': `${count} devices near ${label}, worst state ${STATE_LABEL[state]}: zoom in`,
      'data-cluster': String(count),
      'data-state': state,
    },
    s('circle', { class: 'dot', r }),
    s('text', { class: 'count', 'text-anchor': 'middle', y: 4 }, String(count)),
    s('text', { class: 'site-name', 'text-anchor': 'middle', y: r + 14 }, label),
    s('title', null, `${count} devices (${label}), worst ${STATE_LABEL[state]} — click to zoom in`),
  );
}
