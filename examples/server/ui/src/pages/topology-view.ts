import { renderDownList } from '../components/map-down-list.js';
import { bubbleRadius, NODE_R } from '../components/map-draw.js';
import {
  basemapBBox,
  drawBasemap,
  drawGeoMarkers,
  geoBounds,
  type Projection,
  projection,
} from '../components/map-geo.js';
import { drawGraph, graphInteractions } from '../components/map-graph.js';
import { nodePosition, type Point } from '../components/map-model.js';
import { type Box, boundsOf, viewport } from '../components/map-viewport.js';
import { segmented } from '../components/ui.js';
import { api, optional } from '../lib/api.js';
import { h, mount, s } from '../lib/dom.js';
import { live } from '../lib/live.js';
import { navigate, type Page } from '../lib/nav.js';
import type { Basemap, TopologyView, TopoNodeView, TopoPositions, TopoSiteMembers } from '../lib/types.js';
import { topologyLegend } from './topology-legend.js';
import '../styles/topology.css';

/** Above this many devices, sites start collapsed (one bubble each) so the first draw stays light. */
const EXPAND_MAX = 1500;
/** Device labels show when this few devices are drawn, whatever the zoom. */
const LABELS_ALWAYS = 150;
/** …or from this zoom (screen px per layout unit: devices ~30 px apart). */
const LABELS_SCALE = 1.15;

/**
 * The network as a map. _Graph_: devices grouped by site (discs; collapsed sites are one bubble in
 * their worst state), positions from the server's cached layout, draggable and saved per account.
 * _Geographic_: devices at their coordinates over an offline basemap, clustered with the worst
 * state shown. Beside it, the routers that are down or unreachable; a click focuses one.
 */
export const topologyPage: Page = (root, _params, query) => {
  const abort = new AbortController();
  let mode: 'geo' | 'graph' = query.get('layout') === 'graph' ? 'graph' : 'geo';
  // `?sites=collapsed` asks for the collapsed answer whatever the fleet's size (a slow link, a test).
  const forceSites = query.get('sites') === 'collapsed';
  let topo: TopologyView | undefined;
  let positions: Record<string, Point> = {};
  let expanded = new Set<string>();
  let proj: Projection | undefined;
  let basemap: { bbox: string; map?: Basemap } | undefined;
  let zoomBoxes = new Map<SVGGElement, Box>();
  let offInteractions: (() => void) | undefined;
  // At scale the server answers collapsed sites; an expanded site's routers are asked for apart.
  const members = new Map<string, TopoSiteMembers>();
  /** Set by "Expand all" at scale: ask for every router from then on. */
  let wantFull = false;

  /** What the graph draws: the answer, plus the routers and links of the sites expanded at scale. */
  const drawnView = (t: TopologyView): TopologyView => {
    if (!t.collapsed) return t;
    const byId = new Map(t.nodes.map((n) => [n.id, n]));
    const links = [...t.links];
    for (const [site, m] of members) {
      if (!expanded.has(site)) continue;
      for (const n of m.nodes) byId.set(n.id, n);
      links.push(...m.links);
    }
    return { ...t, nodes: [...byId.values()], links };
  };
  /**
   * What the geographic view draws at scale: each collapsed site as one marker at its place (its
   * weight: its routers), the routers of expanded sites and those without a site at theirs.
   */
  const geoView = (t: TopologyView): { view: TopologyView; weights: Map<string, number> } => {
    const weights = new Map<string, number>();
    if (!t.collapsed) return { view: t, weights };
    const v = drawnView(t);
    const nodes: TopoNodeView[] = v.nodes.filter((n) => !n.site || expanded.has(n.site));
    for (const site of t.sites) {
      if (expanded.has(site.id) || site.lat === undefined || site.lon === undefined) continue;
      const id = `site:${site.id}`;
      weights.set(id, site.count);
      nodes.push({
        id,
        name: site.id,
        site: site.id,
        status: 'online',
        driver: '',
        labels: {},
        location: { lat: site.lat, lon: site.lon },
        state: site.state,
        reasons: [],
        x: site.x,
        y: site.y,
      });
    }
    return { view: { ...v, nodes }, weights };
  };

  /** Asks for a site's routers (at scale), then redraws; resolves once they are drawn. */
  async function loadSite(id: string): Promise<void> {
    if (!topo?.collapsed) return;
    try {
      const m = await api<TopoSiteMembers>(`/api/v1/topology?site=${encodeURIComponent(id)}`, {
        signal: abort.signal,
      });
      members.set(id, m);
    } catch (err) {
      if (!abort.signal.aborted)
        info.textContent = `Site ${id} could not be loaded: ${(err as Error).message}`;
    }
  }
  async function expandSite(id: string) {
    expanded.add(id);
    if (topo?.collapsed && !members.has(id)) await loadSite(id);
    draw(false);
  }

  const basemapLayer = s('g', { class: 'basemap' });
  const content = s('g', { class: 'content' });
  const svg = s(
    'svg',
    {
      class: `topo ${mode}`,
      role: 'group',
      tabindex: '0',
      'aria-label': 'Network topology (wheel or +/- to zoom, drag to pan)',
      'data-testid': 'topology',
      'data-state': 'loading',
    },
    basemapLayer,
    content,
  ) as SVGSVGElement;
  const vp = viewport(svg, (t) => !t.closest('[data-node], [data-site], [data-cluster]'));
  const info = h('span', { class: 'muted', 'aria-live': 'polite' }, 'Loading the topology…');
  const downList = h('aside', { class: 'down-list', 'aria-label': 'Down and unreachable routers' });
  const button = (label: string, onclick: () => void, title: string) =>
    h('button', { type: 'button', class: 'btn small', onclick, title }, label);
  const graphTools = h(
    'span',
    { class: 'graph-tools' },
    button(
      'Expand all',
      () => {
        if (topo?.collapsed) {
          // Every router at once, as the operator asked: from now on the full answer.
          wantFull = true;
          expanded = new Set(topo.sites.map((x) => x.id));
          void load(false);
        } else setExpanded(topo?.sites.map((x) => x.id) ?? []);
      },
      'Show every device of every site',
    ),
    button('Collapse all', () => setExpanded([]), 'One bubble per site, in its worst state'),
    button('Reset layout', () => void resetPositions(), 'Forget the positions you dragged'),
  );
  const picker = segmented(
    'View',
    [
      { value: 'geo', label: 'Geographic' },
      { value: 'graph', label: 'Graph' },
    ],
    mode,
    (v) => {
      mode = v === 'graph' ? 'graph' : 'geo';
      history.replaceState(null, '', `/topology?layout=${mode}${forceSites ? '&sites=collapsed' : ''}`);
      draw(true);
    },
  );
  mount(
    root,
    h(
      'div',
      { class: 'topo-page' },
      h('div', { class: 'toolbar' }, picker, info, h('span', { class: 'grow' }), graphTools),
      h('div', { class: 'topo-main' }, svg, downList),
      topologyLegend(),
    ),
  );

  /** Labels and text sizes follow the zoom: text stays the same size on screen. */
  const onZoom = () => {
    const k = vp.scale();
    svg.style.setProperty('--inv', String(1 / k));
    const drawn = content.querySelectorAll('[data-node]').length;
    svg.classList.toggle('labels-on', drawn <= LABELS_ALWAYS || (mode === 'graph' && k >= LABELS_SCALE));
    if (mode === 'geo' && topo && proj) {
      const g = geoView(topo);
      zoomBoxes = drawGeoMarkers(content, g.view, proj, vp, g.weights);
    }
  };
  vp.onChange(onZoom);

  function setExpanded(ids: Iterable<string>) {
    expanded = new Set(ids);
    draw(false);
  }

  function draw(fit: boolean) {
    if (!topo) return;
    const answer = topo;
    const t = drawnView(answer);
    const geo = geoView(answer);
    svg.setAttribute('class', `topo ${mode}`);
    graphTools.hidden = mode !== 'graph';
    offInteractions?.();
    offInteractions = undefined;
    const located = geo.view.nodes.filter((n) => n.location).length;
    if (mode === 'geo' && located >= 1) {
      proj = projection(geo.view.nodes);
      const bbox = basemapBBox(geo.view.nodes);
      if (bbox && basemap?.bbox !== bbox) loadBasemap(bbox);
      else if (basemap?.map) drawBasemap(basemapLayer, basemap.map, proj);
      if (fit) vp.fit(geoBounds(geo.view.nodes, proj), 0.12);
      zoomBoxes = drawGeoMarkers(content, geo.view, proj, vp, geo.weights);
      const without = geo.view.nodes.length - located;
      info.textContent = answer.collapsed
        ? `${answer.total ?? 0} devices in ${answer.sites.length} sites, one marker per site (click one for its routers)`
        : `${located} devices placed by coordinates${without ? ` · ${without} without coordinates (see Graph)` : ''}`;
    } else {
      basemapLayer.replaceChildren();
      const model = drawGraph(content, t, expanded, positions);
      offInteractions = graphInteractions(svg, vp, {
        open: (id) => navigate(`/routers/${encodeURIComponent(id)}`),
        toggleSite: (id) => {
          if (expanded.has(id)) {
            expanded.delete(id);
            draw(false);
          } else void expandSite(id);
        },
        moved: (key, p) => void savePosition(key, p),
      });
      if (fit) {
        vp.fit(
          boundsOf([
            ...model.nodes.map((n) => ({ x: n.x, y: n.y, r: NODE_R * 3 })),
            ...model.sites.map((d) => ({
              x: d.x,
              y: d.y,
              r: d.collapsed ? bubbleRadius(d.site.count) + 30 : d.site.r + 30,
            })),
          ]),
        );
      }
      info.textContent = answer.collapsed
        ? `${answer.total ?? 0} devices · ${t.sites.length} sites, collapsed at this size (click a site for its routers) · automatic layout${Object.keys(positions).length ? ' (with your positions)' : ''}`
        : `${t.nodes.length} devices · ${t.links.length} links · ${t.sites.length} sites · automatic layout${Object.keys(positions).length ? ' (with your positions)' : ''}`;
    }
    onZoom();
    renderDownList(
      downList,
      t.nodes,
      focusNode,
      answer.collapsed
        ? {
            open: (answer.counts?.down ?? 0) + (answer.counts?.unreachable ?? 0),
            listed: answer.problems ?? 0,
            degraded: answer.counts?.degraded ?? 0,
          }
        : undefined,
    );
    svg.dataset.state = 'ready';
  }

  function loadBasemap(bbox: string) {
    basemap = { bbox };
    api<Basemap>(`/api/v1/topology/basemap?bbox=${bbox}`, { signal: abort.signal })
      .then((map) => {
        if (basemap?.bbox !== bbox) return;
        basemap.map = map;
        if (mode === 'geo' && proj) drawBasemap(basemapLayer, map, proj);
        svg.dataset.basemap = map.resolution;
      })
      .catch(() => {
        // The map still works without land drawn under it.
      });
  }

  /** Shows one device: expands its site, centres on it, highlights and focuses its marker. */
  async function focusNode(id: string) {
    if (!topo) return;
    const n0 = drawnView(topo).nodes.find((x) => x.id === id);
    if (n0?.site && !expanded.has(n0.site)) await expandSite(n0.site);
    const t = topo ? drawnView(topo) : undefined;
    const n = t?.nodes.find((x) => x.id === id);
    if (!t || !n) return;
    for (const el of content.querySelectorAll('[data-focused]')) el.removeAttribute('data-focused');
    if (mode === 'graph' || !n.location || !proj) {
      const p = nodePosition(n, new Map(t.sites.map((x) => [x.id, x])), positions);
      vp.centre(p.x, p.y, Math.max(vp.scale(), 2));
    } else {
      const p = proj.point(n.location.lat, n.location.lon);
      // Close enough that a site's devices separate (they sit a few hundred metres apart).
      vp.centre(p.x, p.y, Math.max(vp.scale(), 150));
      const g = geoView(topo);
      zoomBoxes = drawGeoMarkers(content, g.view, proj, vp, g.weights);
    }
    onZoom();
    const el = content.querySelector<SVGGElement>(`[data-node="${CSS.escape(id)}"]`);
    el?.setAttribute('data-focused', 'true');
    el?.focus();
  }

  async function savePosition(key: string, at: Point) {
    // Tenths of a unit, as the server keeps them: the reloaded map is the one left.
    const p = { x: Math.round(at.x * 10) / 10, y: Math.round(at.y * 10) / 10 };
    positions = { ...positions, [key]: p };
    draw(false);
    try {
      await api('/api/v1/topology/positions', {
        method: 'PUT',
        body: { positions: { [key]: p } },
        signal: abort.signal,
      });
      svg.dataset.saved = key;
    } catch (err) {
      info.textContent = `Position not saved: ${(err as Error).message}`;
    }
  }

  async function resetPositions() {
    positions = {};
    draw(true);
    await api('/api/v1/topology/positions', { method: 'DELETE', signal: abort.signal }).catch(
      () => undefined,
    );
  }

  // Geographic clusters zoom in on click (or Enter); single devices open their router.
  const geoActivate = (e: Event) => {
    if (mode !== 'geo') return;
    if (e instanceof KeyboardEvent && e.key !== 'Enter' && e.key !== ' ') return;
    const el = (e.target as Element).closest<SVGGElement>('[data-cluster], [data-node]');
    if (!el) return;
    e.preventDefault();
    const site = el.dataset.siteMarker;
    if (site !== undefined) {
      // A collapsed site: its routers are asked for, drawn, and the map closes in on them.
      void expandSite(site).then(() => {
        const pts = (members.get(site)?.nodes ?? []).flatMap((n) =>
          n.location && proj ? [proj.point(n.location.lat, n.location.lon)] : [],
        );
        if (pts.length === 0) return;
        // Close enough that the site's routers separate (they sit a few hundred metres apart).
        const b = boundsOf(pts, 0);
        vp.centre(b.x + b.w / 2, b.y + b.h / 2, Math.max(vp.scale(), 150));
        onZoom();
      });
      return;
    }
    const box = zoomBoxes.get(el);
    if (box) vp.fit(box, 0.35);
    else navigate(`/routers/${encodeURIComponent(el.dataset.node ?? '')}`);
  };
  svg.addEventListener('click', geoActivate);
  svg.addEventListener('keydown', geoActivate);

  async function load(first: boolean) {
    try {
      const [t, saved] = await Promise.all([
        api<TopologyView>(`/api/v1/topology${wantFull ? '?view=full' : forceSites ? '?view=sites' : ''}`, {
          signal: abort.signal,
        }),
        first ? optional<TopoPositions>('/api/v1/topology/positions', abort.signal) : undefined,
      ]);
      if (first) {
        positions = saved?.positions ?? {};
        if (!t.nodes.some((n) => n.location) && !t.sites.some((x) => x.lat !== undefined)) mode = 'graph';
        expanded = new Set(!t.collapsed && t.nodes.length <= EXPAND_MAX ? t.sites.map((x) => x.id) : []);
      }
      // The expanded sites' routers are asked for again with the rest (states change).
      if (t.collapsed) {
        topo = t;
        await Promise.all([...expanded].map((id) => loadSite(id)));
      } else members.clear();
      topo = t;
      draw(first);
    } catch (err) {
      if (!abort.signal.aborted) info.textContent = `Topology is not available: ${(err as Error).message}`;
    }
  }
  void load(true);

  // States change with statuses, alerts and acks: refetch (the server's layout is cached, so this
  // is cheap) a moment after a burst of events, and every 30 s for link utilisation.
  let pending: ReturnType<typeof setTimeout> | undefined;
  const soon = () => {
    if (pending) return;
    pending = setTimeout(() => {
      pending = undefined;
      void load(false);
    }, 1500);
  };
  const offs = [
    live.on('status', soon),
    live.on('alert:firing', soon),
    live.on('alert:resolved', soon),
    live.on('inventory', soon),
  ];
  const timer = setInterval(() => void load(false), 30_000);

  return () => {
    abort.abort();
    for (const off of offs) off();
    clearInterval(timer);
    if (pending) clearTimeout(pending);
    offInteractions?.();
    vp.destroy();
  };
};
