// The graph view's layout, computed on the server and cached with the topology's structure (see
// cache.ts): devices grouped by site, each site a disc of rings around its top device, sites
// placed by their coordinates when they have them (else layered by their links) and pushed apart
// until no two discs overlap. Linear or near-linear everywhere, so 10,000 devices lay out in
// well under a second; deterministic, so the same network always looks the same.

import { layersOf, pushApart } from './layers.js';

/** A device as the layout sees it. */
export interface LayoutNode {
  id: string;
  site?: string;
  parent?: string;
  lat?: number;
  lon?: number;
}

/** A site's disc in layout units. */
export interface SiteDisc {
  id: string;
  x: number;
  y: number;
  r: number;
}

export interface Layout {
  nodes: Map<string, { x: number; y: number }>;
  sites: SiteDisc[];
}

/** Distance between rings of a site, in layout units (a node is drawn ~6 units wide). */
export const RING = 26;
const GAP = 40;

interface Group {
  id: string;
  members: string[];
  r: number;
  x: number;
  y: number;
  lat?: number;
  lon?: number;
}

/** Ring offsets for `count` nodes: one in the middle, then rings holding ~6k nodes each. */
export function ringOffsets(count: number): { offsets: Array<{ x: number; y: number }>; radius: number } {
  const offsets: Array<{ x: number; y: number }> = [];
  if (count === 0) return { offsets, radius: RING / 2 };
  offsets.push({ x: 0, y: 0 });
  let ring = 0;
  while (offsets.length < count) {
    ring++;
    const capacity = Math.floor(2 * Math.PI * ring);
    const here = Math.min(capacity, count - offsets.length);
    for (let i = 0; i < here; i++) {
      // Each ring starts at a different angle so spokes do not line up.
      const a = ((i + (ring % 2) * 0.5) / here) * 2 * Math.PI - Math.PI / 2;
      offsets.push({ x: Math.cos(a) * ring * RING, y: Math.sin(a) * ring * RING });
    }
  }
  return { offsets, radius: (ring + 0.8) * RING };
}

/** Members ordered parents first (breadth-first from the devices whose parent is elsewhere). */
function treeOrder(members: string[], parentOf: Map<string, string | undefined>): string[] {
  const inGroup = new Set(members);
  const children = new Map<string, string[]>();
  const roots: string[] = [];
  for (const id of members) {
    const p = parentOf.get(id);
    if (p && inGroup.has(p) && p !== id) {
      const list = children.get(p) ?? [];
      list.push(id);
      children.set(p, list);
    } else roots.push(id);
  }
  const out: string[] = [];
  const seen = new Set<string>();
  const queue = [...roots];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i] as string;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(id);
    for (const c of children.get(id) ?? []) queue.push(c);
  }
  for (const id of members) if (!seen.has(id)) out.push(id);
  return out;
}

/** Layered placement of groups by the parent links between them (roots on top). */
function layered(groups: Group[], edges: Array<[number, number]>): void {
  const layers = layersOf(
    groups.map((_, i) => i),
    edges,
  );
  const maxR = Math.max(...groups.map((g) => g.r));
  const cell = 2 * maxR + GAP;
  // Very wide layers wrap into rows, so a flat network of thousands is a block, not a line.
  const perRow = Math.max(8, Math.ceil(Math.sqrt(groups.length) * 1.6));
  let row = 0;
  for (const layer of layers) {
    for (let i = 0; i < layer.length; i++) {
      const g = groups[layer[i] as number] as Group;
      const inRow = Math.min(perRow, layer.length - Math.floor(i / perRow) * perRow);
      g.x = ((i % perRow) - (inRow - 1) / 2) * cell;
      g.y = (row + Math.floor(i / perRow)) * cell;
    }
    row += Math.ceil(layer.length / perRow);
  }
}

/** Pushes overlapping discs apart, with a gap between them. */
function separate(groups: Group[], iterations = 80): void {
  if (groups.length < 2) return;
  const cell = 2 * Math.max(...groups.map((g) => g.r)) + GAP;
  // Half a unit of slack: discs placed exactly touching must not count as moves forever.
  pushApart(groups, cell, (i, j) => (groups[i] as Group).r + (groups[j] as Group).r + GAP, iterations, 0.5);
}

/**
 * Lays out devices grouped by site. Sites with coordinates keep their geography (projected, then
 * scaled so neighbouring sites sit about one disc apart); without, sites are layered by the
 * parent links between them. Devices without a site are groups of one.
 */
export function layoutGraph(nodes: readonly LayoutNode[]): Layout {
  const parentOf = new Map(nodes.map((n) => [n.id, n.parent]));
  const byGroup = new Map<string, LayoutNode[]>();
  for (const n of nodes) {
    const key = n.site ? `site:${n.site}` : `node:${n.id}`;
    const list = byGroup.get(key);
    if (list) list.push(n);
    else byGroup.set(key, [n]);
  }
  const groups: Group[] = [];
  const groupOf = new Map<string, number>();
  for (const [key, members] of byGroup) {
    const located = members.filter((m) => m.lat !== undefined && m.lon !== undefined);
    const g: Group = {
      id: key,
      members: treeOrder(
        members.map((m) => m.id),
        parentOf,
      ),
      r: ringOffsets(members.length).radius,
      x: 0,
      y: 0,
    };
    if (located.length > 0) {
      g.lat = located.reduce((s, m) => s + (m.lat as number), 0) / located.length;
      g.lon = located.reduce((s, m) => s + (m.lon as number), 0) / located.length;
    }
    for (const m of members) groupOf.set(m.id, groups.length);
    groups.push(g);
  }
  const located = groups.filter((g) => g.lat !== undefined);
  if (located.length >= 2 && located.length >= groups.length / 2) placeGeographic(groups);
  else {
    const edges: Array<[number, number]> = [];
    for (const n of nodes) {
      const a = n.parent ? groupOf.get(n.parent) : undefined;
      const b = groupOf.get(n.id);
      if (a !== undefined && b !== undefined && a !== b) edges.push([a, b]);
    }
    layered(groups, edges);
  }
  separate(groups);
  const out = new Map<string, { x: number; y: number }>();
  for (const g of groups) {
    const { offsets } = ringOffsets(g.members.length);
    g.members.forEach((id, i) => {
      const o = offsets[i] as { x: number; y: number };
      out.set(id, { x: g.x + o.x, y: g.y + o.y });
    });
  }
  return {
    nodes: out,
    sites: groups
      .filter((g) => g.id.startsWith('site:'))
      .map((g) => ({ id: g.id.slice(5), x: g.x, y: g.y, r: g.r })),
  };
}

/** Projected site centres, scaled so the closest pairs sit about a disc apart; unlocated sites below. */
function placeGeographic(groups: Group[]): void {
  const located = groups.filter((g) => g.lat !== undefined && g.lon !== undefined);
  const meanLat = located.reduce((s, g) => s + (g.lat as number), 0) / located.length;
  const k = Math.cos((meanLat * Math.PI) / 180);
  const pts = located.map((g) => ({ g, x: (g.lon as number) * k, y: -(g.lat as number) }));
  // The median nearest-neighbour distance sets the scale (quadratic only over located sites).
  const sample = pts.slice(0, 400);
  const nearest: number[] = [];
  for (const p of sample) {
    let best = Infinity;
    for (const q of pts) {
      const d = Math.hypot(q.x - p.x, q.y - p.y);
      if (q !== p && d > 0 && d < best) best = d;
    }
    if (Number.isFinite(best)) nearest.push(best);
  }
  nearest.sort((a, b) => a - b);
  const median = nearest[Math.floor(nearest.length / 2)] ?? 1;
  const meanR = located.reduce((s, g) => s + g.r, 0) / located.length;
  const scale = (2.4 * meanR + GAP) / median;
  let maxY = -Infinity;
  for (const p of pts) {
    p.g.x = p.x * scale;
    p.g.y = p.y * scale;
    maxY = Math.max(maxY, p.g.y + p.g.r);
  }
  const rest = groups.filter((g) => g.lat === undefined);
  let x = Math.min(...pts.map((p) => p.g.x));
  for (const g of rest) {
    g.x = x + g.r;
    g.y = maxY + GAP + g.r;
    x += 2 * g.r + GAP;
  }
}
