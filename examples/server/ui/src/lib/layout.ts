// Topology placement: geographic projection and an automatic layout. No DOM here (unit-tested in Node).

import { layersOf, pushApart } from '../../../src/topology/layers.js';
import { NODE_STATES } from '../../../src/topology/states.js';

/** A placed node, in layout units (the SVG fits them to the view). */
export interface Placed {
  id: string;
  x: number;
  y: number;
}

/**
 * Projects lat/lon onto a plane: equirectangular, scaled by cos(mean latitude) so distances look
 * right at ISP scale (a city or a country), no map tiles needed. North is up (y grows downward).
 */
export function projectGeo(nodes: Array<{ id: string; lat: number; lon: number }>): Placed[] {
  if (nodes.length === 0) return [];
  const meanLat = nodes.reduce((s, n) => s + n.lat, 0) / nodes.length;
  const k = Math.cos((meanLat * Math.PI) / 180);
  return nodes.map((n) => ({ id: n.id, x: n.lon * k, y: -n.lat }));
}

/** Fits placed nodes into a box of `width` × `height` with `pad` around, keeping the aspect ratio. */
export function fit(placed: Placed[], width: number, height: number, pad = 40): Placed[] {
  if (placed.length === 0) return [];
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const p of placed) {
    minX = Math.min(minX, p.x);
    maxX = Math.max(maxX, p.x);
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  const w = maxX - minX || 1;
  const hgt = maxY - minY || 1;
  const scale = Math.min((width - 2 * pad) / w, (height - 2 * pad) / hgt);
  const offX = (width - w * scale) / 2;
  const offY = (height - hgt * scale) / 2;
  return placed.map((p) => ({
    id: p.id,
    x: maxX === minX ? width / 2 : offX + (p.x - minX) * scale,
    y: maxY === minY ? height / 2 : offY + (p.y - minY) * scale,
  }));
}

/**
 * Layered layout from the links: roots (devices with no parent link pointing at them) on top,
 * each device one layer below its upstream, spread evenly within its layer. Linear time, so it
 * also serves networks of thousands of devices.
 */
export function layeredLayout(ids: string[], links: Array<{ source: string; target: string }>): Placed[] {
  const known = new Set(ids);
  const layers = layersOf(
    ids,
    links.filter((l) => known.has(l.source) && known.has(l.target)).map((l) => [l.source, l.target] as const),
  );
  const widest = Math.max(1, ...layers.map((l) => l.length));
  const out: Placed[] = [];
  layers.forEach((layer, d) => {
    layer.forEach((id, i) => {
      out.push({ id, x: ((i + 0.5) / layer.length) * widest, y: d * Math.max(1, widest / 6) });
    });
  });
  return out;
}

/**
 * Force-directed refinement (springs on links, repulsion between all pairs): nicer for small
 * networks; quadratic, so callers use it only up to a few hundred nodes. Deterministic: starts
 * from the given positions, no randomness, so the same network always looks the same.
 */
export function forceLayout(
  start: Placed[],
  links: Array<{ source: string; target: string }>,
  iterations = 200,
): Placed[] {
  const n = start.length;
  if (n < 2) return start.map((p) => ({ ...p }));
  const xs = Float64Array.from(start, (p) => p.x);
  const ys = Float64Array.from(start, (p) => p.y);
  const index = new Map(start.map((p, i) => [p.id, i]));
  const edges = links
    .map((l) => [index.get(l.source), index.get(l.target)] as const)
    .filter((e): e is readonly [number, number] => e[0] !== undefined && e[1] !== undefined && e[0] !== e[1]);
  let minX = Infinity;
  let maxX = -Infinity;
  for (const x of xs) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
  }
  const area = Math.max(1, maxX - minX) ** 2;
  const k = Math.sqrt(area / n);
  let temp = Math.sqrt(area) / 10;
  const dx = new Float64Array(n);
  const dy = new Float64Array(n);
  for (let it = 0; it < iterations; it++) {
    dx.fill(0);
    dy.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        let ex = (xs[i] as number) - (xs[j] as number);
        let ey = (ys[i] as number) - (ys[j] as number);
        let d2 = ex * ex + ey * ey;
        if (d2 < 1e-9) {
          // Coincident nodes: push apart along a fixed direction derived from their indices.
          ex = ((i * 7 + j * 13) % 10) / 10 - 0.45;
          ey = ((i * 11 + j * 3) % 10) / 10 - 0.45;
          d2 = ex * ex + ey * ey;
        }
        const f = (k * k) / d2;
        dx[i] = (dx[i] as number) + ex * f;
        dy[i] = (dy[i] as number) + ey * f;
        dx[j] = (dx[j] as number) - ex * f;
        dy[j] = (dy[j] as number) - ey * f;
      }
    }
    for (const [a, b] of edges) {
      const ex = (xs[a] as number) - (xs[b] as number);
      const ey = (ys[a] as number) - (ys[b] as number);
      const d = Math.sqrt(ex * ex + ey * ey) || 1e-6;
      const f = d / k;
      dx[a] = (dx[a] as number) - ex * f;
      dy[a] = (dy[a] as number) - ey * f;
      dx[b] = (dx[b] as number) + ex * f;
      dy[b] = (dy[b] as number) + ey * f;
    }
    for (let i = 0; i < n; i++) {
      const len = Math.sqrt((dx[i] as number) ** 2 + (dy[i] as number) ** 2) || 1;
      const step = Math.min(len, temp);
      xs[i] = (xs[i] as number) + ((dx[i] as number) / len) * step;
      ys[i] = (ys[i] as number) + ((dy[i] as number) / len) * step;
    }
    temp *= 0.97;
  }
  return start.map((p, i) => ({ id: p.id, x: xs[i] as number, y: ys[i] as number }));
}

/** Colour class of a link by utilisation (0..1): the thresholds operators use for capacity planning. */
export function utilisationClass(u: number | undefined): 'none' | 'low' | 'mid' | 'high' {
  if (u === undefined || !Number.isFinite(u)) return 'none';
  if (u >= 0.8) return 'high';
  if (u >= 0.5) return 'mid';
  return 'low';
}

/**
 * Pushes apart nodes closer than `minDist` (view units), a little at a time, so devices of one
 * site (a few metres apart on the globe) become readable while staying near their true place.
 * Uses a grid of cells `minDist` wide, so each node only looks at its neighbours: near-linear.
 */
export function spread(placed: Placed[], minDist: number, iterations = 40): Placed[] {
  const pts = placed.map((p) => ({ ...p }));
  pushApart(pts, minDist, () => minDist, iterations);
  return pts;
}

/** Map states, worst first (the server's own list): a collapsed site or a cluster shows the first present. */
export const STATE_ORDER = NODE_STATES;

/** The worst of some states; `up` for none. */
export function worstState(states: Iterable<string>): (typeof STATE_ORDER)[number] {
  let best = STATE_ORDER.length - 1;
  for (const s of states) {
    const i = STATE_ORDER.indexOf(s as (typeof STATE_ORDER)[number]);
    if (i >= 0 && i < best) best = i;
  }
  return STATE_ORDER[best] as (typeof STATE_ORDER)[number];
}

/**
 * Colour step of a utilisation 0..1 (clamped): 0 <25 %, 1 <50 %, 2 <75 %, 3 <90 %, 4 ≥90 %;
 * `none` when unknown. Five steps read better on a map than a continuous ramp.
 */
export function utilisationStep(u: number | undefined): 0 | 1 | 2 | 3 | 4 | 'none' {
  if (u === undefined || !Number.isFinite(u)) return 'none';
  const c = Math.min(1, Math.max(0, u));
  if (c < 0.25) return 0;
  if (c < 0.5) return 1;
  if (c < 0.75) return 2;
  if (c < 0.9) return 3;
  return 4;
}

/** Stroke width (px) of a link by capacity: 1.5 px at 100 Mbit/s or less, +1 px per ×10, at most 6. */
export function capacityWidth(bps: number | undefined): number {
  if (!bps || !(bps > 0)) return 1.5;
  return Math.min(6, Math.max(1.5, 1.5 + Math.log10(bps / 1e8)));
}

/** A group of points drawn as one marker. */
export interface Cluster<T> {
  x: number;
  y: number;
  items: T[];
}

/**
 * Groups points closer than about `radius` (same units as x/y) into clusters: a grid of cells
 * `radius` wide, then neighbouring cells whose centres are within `radius` are joined. Linear in
 * the number of points, so it runs again on every zoom step at 10,000 markers.
 */
export function cluster<T extends { x: number; y: number }>(
  points: readonly T[],
  radius: number,
): Cluster<T>[] {
  const cells = new Map<string, Cluster<T>>();
  for (const p of points) {
    const key = `${Math.floor(p.x / radius)},${Math.floor(p.y / radius)}`;
    const c = cells.get(key);
    if (c) c.items.push(p);
    else cells.set(key, { x: 0, y: 0, items: [p] });
  }
  const out: Cluster<T>[] = [];
  for (const c of cells.values()) {
    c.x = c.items.reduce((s, p) => s + p.x, 0) / c.items.length;
    c.y = c.items.reduce((s, p) => s + p.y, 0) / c.items.length;
    // Join a cluster whose centre is close to one already kept (cells split neighbours apart).
    // Quadratic in clusters, so only while they are few enough to read anyway.
    const near = out.length < 1000 ? out.find((o) => Math.hypot(o.x - c.x, o.y - c.y) < radius) : undefined;
    if (near) {
      const n = near.items.length + c.items.length;
      near.x = (near.x * near.items.length + c.x * c.items.length) / n;
      near.y = (near.y * near.items.length + c.y * c.items.length) / n;
      near.items.push(...c.items);
    } else out.push(c);
  }
  return out;
}
