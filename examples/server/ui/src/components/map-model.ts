// What the topology map draws, computed without the DOM (unit-tested in Node): which devices are
// drawn one by one and which inside a collapsed site, where everything sits once the operator's
// dragged positions are applied, and the links between what is drawn (merged when they meet at a
// collapsed site or a cluster).
import { worstState } from '../lib/layout.js';
import type { TopoLinkView, TopologyView, TopoNodeView, TopoSite, TopoState } from '../lib/types.js';

export interface Point {
  x: number;
  y: number;
}

/** A drawn site: its disc (expanded) or its bubble (collapsed). */
export interface DrawnSite {
  site: TopoSite;
  x: number;
  y: number;
  collapsed: boolean;
  state: TopoState;
}

/** A drawn link between two drawn ends (devices, sites or clusters), possibly several links merged. */
export interface DrawnLink {
  key: string;
  a: Point;
  b: Point;
  /** The links merged here (one for a device-to-device link). */
  links: TopoLinkView[];
  /** Utilisation a → b and b → a (the busiest merged link's), 0..1. */
  forward?: number;
  reverse?: number;
  /** Summed capacity, bits/s. */
  capacityBps?: number;
  state?: 'down' | 'admin-down';
  dashed: boolean;
}

export interface GraphModel {
  nodes: Array<{ node: TopoNodeView; x: number; y: number }>;
  sites: DrawnSite[];
  links: DrawnLink[];
}

/** Where a site's centre is: dragged, else the server's. */
export function siteCentre(site: TopoSite, positions: Record<string, Point>): Point {
  return positions[`site:${site.id}`] ?? { x: site.x, y: site.y };
}

/** A device's position: dragged, else the server's moved along with its (possibly dragged) site. */
export function nodePosition(
  node: TopoNodeView,
  sites: Map<string, TopoSite>,
  positions: Record<string, Point>,
): Point {
  const own = positions[node.id];
  if (own) return own;
  const site = node.site ? sites.get(node.site) : undefined;
  if (!site) return { x: node.x, y: node.y };
  const c = siteCentre(site, positions);
  return { x: node.x + c.x - site.x, y: node.y + c.y - site.y };
}

/** The worst state among some devices. */
export function worstOf(nodes: Iterable<TopoNodeView>): TopoState {
  const states: TopoState[] = [];
  for (const n of nodes) states.push(n.state);
  return worstState(states) as TopoState;
}

/**
 * Merges links by the drawn ends they connect (`endOf` says which drawn thing stands for a device,
 * or undefined when it is not drawn); a link inside one end disappears. Direction is kept: a
 * link listed b → a counts its reverse as this pair's forward.
 */
export function mergeLinks(
  links: readonly TopoLinkView[],
  endOf: (device: string) => { id: string; at: Point } | undefined,
): DrawnLink[] {
  const out = new Map<string, DrawnLink>();
  for (const l of links) {
    const a = endOf(l.source);
    const b = endOf(l.target);
    if (!a || !b || a.id === b.id) continue;
    const flip = a.id > b.id;
    const [p, q] = flip ? [b, a] : [a, b];
    const key = `${p.id}|${q.id}`;
    let d = out.get(key);
    if (!d) {
      d = { key, a: p.at, b: q.at, links: [], dashed: true };
      out.set(key, d);
    }
    d.links.push(l);
    const fwd = flip ? l.reverse?.utilisation : l.forward?.utilisation;
    const rev = flip ? l.forward?.utilisation : l.reverse?.utilisation;
    if (fwd !== undefined) d.forward = Math.max(d.forward ?? 0, fwd);
    if (rev !== undefined) d.reverse = Math.max(d.reverse ?? 0, rev);
    if (l.capacityBps) d.capacityBps = (d.capacityBps ?? 0) + l.capacityBps;
    if (l.state === 'down' || (l.state === 'admin-down' && d.state !== 'down')) d.state = l.state;
    if (l.kind !== 'parent') d.dashed = false;
  }
  return [...out.values()];
}

/** The graph view: collapsed sites are one bubble each, expanded ones show their devices. */
export function graphModel(
  topo: TopologyView,
  expanded: ReadonlySet<string>,
  positions: Record<string, Point>,
): GraphModel {
  const sites = new Map(topo.sites.map((s) => [s.id, s]));
  const members = new Map<string, TopoNodeView[]>();
  for (const n of topo.nodes) {
    if (!n.site) continue;
    const list = members.get(n.site);
    if (list) list.push(n);
    else members.set(n.site, [n]);
  }
  const drawnSites: DrawnSite[] = topo.sites.map((site) => {
    const c = siteCentre(site, positions);
    return {
      site,
      x: c.x,
      y: c.y,
      collapsed: !expanded.has(site.id),
      // Worked out here from the devices, so a live status change shows without the server; a
      // collapsed answer holds only some of them, so the server's state stands.
      state: topo.collapsed ? site.state : worstOf(members.get(site.id) ?? []),
    };
  });
  const siteDrawn = new Map(drawnSites.map((d) => [d.site.id, d]));
  const nodes: GraphModel['nodes'] = [];
  const ends = new Map<string, { id: string; at: Point }>();
  // Links merged by the server between sites name their ends `site:NAME`.
  for (const d of drawnSites)
    ends.set(`site:${d.site.id}`, { id: `site:${d.site.id}`, at: { x: d.x, y: d.y } });
  for (const n of topo.nodes) {
    const d = n.site ? siteDrawn.get(n.site) : undefined;
    if (d?.collapsed) {
      ends.set(n.id, { id: `site:${d.site.id}`, at: { x: d.x, y: d.y } });
      continue;
    }
    const p = nodePosition(n, sites, positions);
    nodes.push({ node: n, x: p.x, y: p.y });
    ends.set(n.id, { id: n.id, at: p });
  }
  return { nodes, sites: drawnSites, links: mergeLinks(topo.links, (id) => ends.get(id)) };
}

/** Devices the operator must look at: down and unreachable first, acknowledged ones last. */
export function problemNodes(nodes: readonly TopoNodeView[]): TopoNodeView[] {
  const rank = (n: TopoNodeView) =>
    n.state === 'down'
      ? 0
      : n.state === 'unreachable'
        ? 1
        : n.state === 'acknowledged' && (n.status === 'offline' || n.status === 'unreachable')
          ? 2
          : 9;
  return nodes.filter((n) => rank(n) < 9).sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}
