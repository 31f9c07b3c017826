import { segmented } from '../components/ui.js';
import { api } from '../lib/api.js';
import { h, mount, s } from '../lib/dom.js';
import { STATUS_LABEL } from '../lib/format.js';
import {
  fit,
  forceLayout,
  layeredLayout,
  type Placed,
  projectGeo,
  spread,
  utilisationClass,
} from '../lib/layout.js';
import { live } from '../lib/live.js';
import { navigate, type Page } from '../lib/nav.js';
import type { Topology } from '../lib/types.js';

const W = 1200;
const H = 760;
/** Above this many nodes the quadratic force refinement is skipped (layered layout only). */
const FORCE_MAX = 400;
const STATUS_VAR: Record<string, string> = {
  online: '--ok',
  unreachable: '--warn',
  offline: '--bad',
  unknown: '--unknown',
};
const LINK_VAR = { none: '--muted', low: '--ok', mid: '--warn', high: '--bad' } as const;

/**
 * The network as a map: devices coloured by status, links by utilisation (dashed: declared
 * parent; solid: seen by LLDP/CDP/MNDP). Geographic placement (lat/lon projected on a plain
 * plane, no tiles from the internet) when devices have coordinates, an automatic layout
 * otherwise. Wheel zooms, drag pans, a node opens its router.
 */
export const topologyPage: Page = (root, _params, query) => {
  const abort = new AbortController();
  let topo: Topology | undefined;
  let mode = query.get('layout') === 'graph' ? 'graph' : 'geo';
  const svg = s('svg', {
    class: 'topo',
    viewBox: `0 0 ${W} ${H}`,
    role: 'group',
    'aria-label': 'Network topology',
    'data-testid': 'topology',
  });
  const info = h('span', { class: 'muted' });
  const legend = h(
    'div',
    { class: 'legend' },
    ['online', 'unreachable', 'offline', 'unknown'].map((st) =>
      h('span', null, h('i', { style: `background:var(${STATUS_VAR[st]})` }), STATUS_LABEL[st]),
    ),
    h('span', null, h('i', { class: 'line', style: 'background:var(--ok)' }), '< 50%'),
    h('span', null, h('i', { class: 'line', style: 'background:var(--warn)' }), '50–80%'),
    h('span', null, h('i', { class: 'line', style: 'background:var(--bad)' }), '> 80%'),
    h('span', null, h('i', { class: 'line', style: 'background:var(--muted)' }), 'utilisation unknown'),
  );
  const picker = segmented(
    'Layout',
    [
      { value: 'geo', label: 'Geographic' },
      { value: 'graph', label: 'Graph' },
    ],
    mode,
    (v) => {
      mode = v;
      history.replaceState(null, '', `/topology?layout=${v}`);
      draw();
    },
  );
  mount(root, h('div', { class: 'toolbar' }, picker, info, h('span', { class: 'grow' })), svg, legend);

  const view = { x: 0, y: 0, w: W, h: H };
  const setView = () => svg.setAttribute('viewBox', `${view.x} ${view.y} ${view.w} ${view.h}`);

  function place(t: Topology): { pos: Map<string, Placed>; geo: boolean } {
    const located = t.nodes.filter((n) => n.location);
    const useGeo = mode === 'geo' && located.length >= 2;
    let placed: Placed[];
    if (useGeo) {
      const projected = fit(
        projectGeo(located.map((n) => ({ id: n.id, lat: n.location?.lat ?? 0, lon: n.location?.lon ?? 0 }))),
        W,
        H - 120,
      );
      // Devices of one site sit metres apart: spread them so each stays visible and clickable.
      const geo = spread(projected, located.length > 150 ? 12 : 70);
      const geoIds = new Set(located.map((n) => n.id));
      // Devices without coordinates line up along the bottom, next to nothing in particular.
      const rest = t.nodes.filter((n) => !geoIds.has(n.id));
      placed = [...geo, ...rest.map((n, i) => ({ id: n.id, x: ((i + 0.5) / rest.length) * W, y: H - 40 }))];
    } else {
      const ids = t.nodes.map((n) => n.id);
      let p = layeredLayout(ids, t.links);
      if (p.length <= FORCE_MAX) p = forceLayout(p, t.links, 250);
      placed = fit(p, W, H);
    }
    return { pos: new Map(placed.map((p) => [p.id, p])), geo: useGeo };
  }

  function draw() {
    if (!topo) return;
    const t = topo;
    const { pos, geo } = place(t);
    const many = t.nodes.length > 150;
    const r = many ? 4 : 9;
    info.textContent = `${t.nodes.length} devices · ${t.links.length} links · ${geo ? 'placed by coordinates' : 'automatic layout'}`;
    const links = t.links.map((l) => {
      const a = pos.get(l.source);
      const b = pos.get(l.target);
      if (!a || !b) return null;
      const u = utilisationClass(l.utilisation);
      return s(
        'line',
        {
          x1: a.x,
          y1: a.y,
          x2: b.x,
          y2: b.y,
          stroke: `var(${LINK_VAR[u]})`,
          'stroke-width': u === 'none' ? 1.5 : 3,
          'stroke-opacity': u === 'none' ? 0.55 : 0.9,
          'stroke-dasharray': l.kind === 'parent' ? '5 4' : undefined,
          'data-link': `${l.source}|${l.target}`,
        },
        s(
          'title',
          null,
          `${l.source} ${l.sourceInterface ?? ''} ↔ ${l.target} ${l.targetInterface ?? ''} (${l.kind}${l.utilisation !== undefined ? `, ${Math.round(l.utilisation * 100)}%` : ''})`,
        ),
      );
    });
    const nodes = t.nodes.map((n) => {
      const p = pos.get(n.id);
      if (!p) return null;
      const g = s(
        'g',
        {
          class: 'node',
          transform: `translate(${p.x} ${p.y})`,
          tabindex: many ? undefined : '0',
          role: 'link',
          'aria-label': `${n.name}, ${STATUS_LABEL[n.status] ?? n.status}`,
          'data-node': n.id,
          'data-status': n.status,
        },
        s('circle', { r, fill: `var(${STATUS_VAR[n.status] ?? '--unknown'})` }),
        many ? null : s('text', { x: r + 4, y: 4 }, n.name),
        s('title', null, `${n.name} (${STATUS_LABEL[n.status] ?? n.status})`),
      );
      const open = () => navigate(`/routers/${encodeURIComponent(n.id)}`);
      g.addEventListener('click', open);
      g.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          open();
        }
      });
      return g;
    });
    Object.assign(view, { x: 0, y: 0, w: W, h: H });
    setView();
    svg.replaceChildren(s('g', null, links), s('g', null, nodes));
    svg.dataset.state = 'ready';
  }

  // Zoom around the pointer with the wheel; pan by dragging.
  svg.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const rect = svg.getBoundingClientRect();
      const fx = (e.clientX - rect.left) / rect.width;
      const fy = (e.clientY - rect.top) / rect.height;
      const k = e.deltaY > 0 ? 1.15 : 1 / 1.15;
      const nw = Math.min(W * 4, Math.max(W / 20, view.w * k));
      const nh = (nw / view.w) * view.h;
      view.x += (view.w - nw) * fx;
      view.y += (view.h - nh) * fy;
      view.w = nw;
      view.h = nh;
      setView();
    },
    { passive: false },
  );
  let drag: { x: number; y: number } | undefined;
  svg.addEventListener('pointerdown', (e) => {
    if ((e.target as Element).closest('.node')) return;
    drag = { x: e.clientX, y: e.clientY };
    svg.setPointerCapture(e.pointerId);
  });
  svg.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const rect = svg.getBoundingClientRect();
    view.x -= ((e.clientX - drag.x) / rect.width) * view.w;
    view.y -= ((e.clientY - drag.y) / rect.height) * view.h;
    drag = { x: e.clientX, y: e.clientY };
    setView();
  });
  svg.addEventListener('pointerup', () => {
    drag = undefined;
  });

  api<Topology>('/api/v1/topology', { signal: abort.signal })
    .then((t) => {
      topo = t;
      draw();
    })
    .catch((err: Error) => {
      if (!abort.signal.aborted) info.textContent = `Topology is not available: ${err.message}`;
    });

  // Status colours follow the stream without redoing the layout.
  const off = live.on('status', (e) => {
    const node = topo?.nodes.find((n) => n.id === e.device);
    if (node) node.status = e.status;
    const g = svg.querySelector(`[data-node="${CSS.escape(e.device)}"]`);
    if (!g) return;
    g.setAttribute('data-status', e.status);
    g.querySelector('circle')?.setAttribute('fill', `var(${STATUS_VAR[e.status] ?? '--unknown'})`);
  });

  return () => {
    abort.abort();
    off();
  };
};
