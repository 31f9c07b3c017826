// The geographic view: devices at their coordinates over an offline basemap (Natural Earth land
// and borders the server cuts from the world-atlas package), clustered by screen distance so a
// POP of 130 routers is one marker showing its worst state until one zooms in.
import { s } from '../lib/dom.js';
import { cluster } from '../lib/layout.js';
import type { Basemap, TopologyView, TopoNodeView } from '../lib/types.js';
import { clusterEl, linkEl, nodeEl } from './map-draw.js';
import { mergeLinks, type Point, worstOf } from './map-model.js';
import { type Box, boundsOf, type Viewport } from './map-viewport.js';

/** Layout units per degree (keeps numbers comfortable for SVG). */
const UNIT = 100;
/** Markers closer than this many screen pixels share a cluster. */
const CLUSTER_PX = 34;

/** Equirectangular projection scaled by the cosine of the fleet's mean latitude: right at ISP scale. */
export interface Projection {
  k: number;
  point(lat: number, lon: number): Point;
}

export function projection(nodes: readonly TopoNodeView[]): Projection {
  const located = nodes.filter((n) => n.location);
  const mean = located.length ? located.reduce((a, n) => a + (n.location?.lat ?? 0), 0) / located.length : 0;
  const k = Math.cos((mean * Math.PI) / 180);
  return { k, point: (lat, lon) => ({ x: lon * k * UNIT, y: -lat * UNIT }) };
}

/** The area to show: every located device, padded (at least ~0.2° so one site is not a dot). */
export function geoBounds(nodes: readonly TopoNodeView[], proj: Projection): Box {
  const pts = nodes
    .filter((n) => n.location)
    .map((n) => proj.point(n.location?.lat ?? 0, n.location?.lon ?? 0));
  return boundsOf(pts, 0.2 * UNIT);
}

/** The basemap area to ask for: the devices' box in degrees, doubled, so panning finds land. */
export function basemapBBox(nodes: readonly TopoNodeView[]): string | undefined {
  const located = nodes.filter((n) => n.location);
  if (located.length === 0) return undefined;
  const lats = located.map((n) => n.location?.lat ?? 0);
  const lons = located.map((n) => n.location?.lon ?? 0);
  const [a, b, c, d] = [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
  const padX = Math.max(1, (c - a) * 0.6);
  const padY = Math.max(1, (d - b) * 0.6);
  const clamp = (v: number, m: number) => Math.max(-m, Math.min(m, v));
  return [clamp(a - padX, 180), clamp(b - padY, 90), clamp(c + padX, 180), clamp(d + padY, 90)]
    .map((v) => v.toFixed(2))
    .join(',');
}

/** Land and borders as two paths (one element each, however detailed the coast). */
export function drawBasemap(layer: SVGGElement, map: Basemap, proj: Projection): void {
  const path = (lines: number[][][], close: boolean) =>
    lines
      .map((line) => {
        const pts = line.map(([lon, lat]) => proj.point(lat ?? 0, lon ?? 0));
        return `M${pts.map((p) => `${p.x.toFixed(2)} ${p.y.toFixed(2)}`).join('L')}${close ? 'Z' : ''}`;
      })
      .join('');
  layer.replaceChildren(
    s('path', { class: 'land', d: path(map.land, true), 'fill-rule': 'evenodd' }),
    s('path', { class: 'borders', d: path(map.borders, false), 'vector-effect': 'non-scaling-stroke' }),
  );
}

/** Draws markers and links for the current zoom; `zoomTo` is called when a cluster is clicked. */
export function drawGeoMarkers(
  layer: SVGGElement,
  topo: TopologyView,
  proj: Projection,
  vp: Viewport,
  /** Collapsed sites drawn as one marker (id `site:NAME`) standing for this many routers. */
  weights: ReadonlyMap<string, number> = new Map(),
): Map<SVGGElement, Box> {
  const weight = (n: TopoNodeView) => weights.get(n.id) ?? 1;
  const scale = vp.scale();
  const inv = 1 / scale;
  const pts = topo.nodes
    .filter((n) => n.location)
    .map((n) => ({ node: n, ...proj.point(n.location?.lat ?? 0, n.location?.lon ?? 0) }));
  const radius = CLUSTER_PX * inv;
  const groups = cluster(pts, radius);
  const ends = new Map<string, { id: string; at: Point }>();
  const markers: SVGGElement[] = [];
  const zoomBoxes = new Map<SVGGElement, Box>();
  groups.forEach((g, i) => {
    const box = boundsOf(g.items, 0);
    const single = g.items.length === 1;
    // Devices at the very same spot never split by zooming: fan them out around it instead.
    const fan = !single && g.items.length <= 40 && box.w < radius * 0.05 && box.h < radius * 0.05;
    if (single || fan) {
      g.items.forEach((p, j) => {
        const a = (j / g.items.length) * 2 * Math.PI;
        const at = fan ? { x: g.x + Math.cos(a) * radius * 0.9, y: g.y + Math.sin(a) * radius * 0.9 } : p;
        const w = weights.get(p.node.id);
        const el =
          w === undefined
            ? nodeEl(p.node, at.x, at.y)
            : clusterEl(at.x, at.y, w, p.node.state, p.node.name, 12 + Math.sqrt(w) * 1.6);
        if (w !== undefined) el.dataset.siteMarker = p.node.site ?? '';
        el.setAttribute('transform', `translate(${at.x} ${at.y}) scale(${inv})`);
        markers.push(el);
        ends.set(p.node.id, { id: p.node.id, at });
      });
      return;
    }
    const sites = new Map<string, number>();
    for (const p of g.items)
      sites.set(p.node.site ?? p.node.name, (sites.get(p.node.site ?? p.node.name) ?? 0) + weight(p.node));
    const label = [...sites].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
    const count = g.items.reduce((sum, p) => sum + weight(p.node), 0);
    const r = 12 + Math.sqrt(count) * 1.6;
    const el = clusterEl(
      g.x,
      g.y,
      count,
      worstOf(g.items.map((p) => p.node)),
      `${label}${sites.size > 1 ? ` +${sites.size - 1}` : ''}`,
      r,
    );
    el.setAttribute('transform', `translate(${g.x} ${g.y}) scale(${inv})`);
    el.dataset.clusterIndex = String(i);
    zoomBoxes.set(el, boundsOf(g.items, radius * 0.5));
    markers.push(el);
    for (const p of g.items) ends.set(p.node.id, { id: `c${i}`, at: { x: g.x, y: g.y } });
  });
  const names = new Map(topo.nodes.map((n) => [n.id, n.name]));
  const links = mergeLinks(topo.links, (id) => ends.get(id)).map((l) => {
    const [a, b] = l.key.split('|') as [string, string];
    return linkEl(l, [names.get(a) ?? 'cluster', names.get(b) ?? 'cluster']);
  });
  layer.replaceChildren(s('g', { class: 'links' }, links), s('g', { class: 'markers' }, markers));
  return zoomBoxes;
}
