/**
 * The topology at scale: above a few thousand routers the map starts with every site collapsed,
 * so the API answers what that map draws — each site with its worst state and counts, the links
 * between sites merged into one per pair, the routers without a site, and the routers the down
 * list names (the worst few hundred; how many there are in all) — and a site's routers when it is
 * expanded. The answer's size follows the number of sites, not of routers.
 */
import type { DeviceState } from '@ispmonitor/core';
import type { Link, Structure } from './build.js';
import { isProblem, type LiveStates, type SiteTally } from './live-states.js';
import { type LinkView, linkView, type NodeView, type Rates, type SiteView, siteViews } from './view.js';

/** Most routers of the down list sent with a collapsed answer (the page lists 300 at most). */
export const PROBLEMS_SENT = 300;

/** Links between two sites (or a site and a router without one), merged. */
export interface MergedLinkView extends LinkView {
  /** How many links were merged into this one. */
  links: number;
}

/** The collapsed answer of `GET /api/v1/topology` (`collapsed: true`). */
export interface CollapsedView {
  generatedAt: number;
  layoutBuiltAt: number;
  collapsed: true;
  /** Routers in the inventory. */
  total: number;
  /** The whole fleet per state. */
  counts: SiteTally['counts'];
  /** How many routers the down list names, of which `nodes` holds the worst `PROBLEMS_SENT`. */
  problems: number;
  /** Routers without a site, and the down list's routers. */
  nodes: NodeView[];
  /** Links between sites (ends `site:NAME`) and with routers without a site, merged per pair. */
  links: MergedLinkView[];
  sites: SiteView[];
}

/** One site's routers and the links among them (`GET /api/v1/topology?site=NAME`). */
export interface SiteMembersView {
  generatedAt: number;
  site: string;
  nodes: NodeView[];
  links: LinkView[];
}

/** Per structure: each device's site, and the links of each site. */
interface Index {
  siteOf: Map<string, string>;
  members: Map<string, string[]>;
  inside: Map<string, Link[]>;
}
const indexes = new WeakMap<Structure, Index>();

function indexOf(structure: Structure, states: readonly DeviceState[]): Index {
  const hit = indexes.get(structure);
  if (hit) return hit;
  const siteOf = new Map<string, string>();
  const members = new Map<string, string[]>();
  for (const s of states) {
    const site = s.device.labels?.site;
    if (!site) continue;
    siteOf.set(s.device.id, site);
    const list = members.get(site);
    if (list) list.push(s.device.id);
    else members.set(site, [s.device.id]);
  }
  const inside = new Map<string, Link[]>();
  for (const l of structure.links) {
    const a = siteOf.get(l.source);
    if (a === undefined || a !== siteOf.get(l.target)) continue;
    const list = inside.get(a);
    if (list) list.push(l);
    else inside.set(a, [l]);
  }
  const index = { siteOf, members, inside };
  indexes.set(structure, index);
  return index;
}

const RANK: Record<string, number> = { down: 0, unreachable: 1, acknowledged: 2 };
/** Names in the down list's order; a collator compares far faster than `localeCompare` each time. */
const byName = new Intl.Collator('en').compare;

const order = (a: NodeView, b: NodeView) =>
  (RANK[a.state] ?? 9) - (RANK[b.state] ?? 9) || byName(a.name, b.name);

/**
 * The `k` first of `list` in the down list's order (worst state, then name), without sorting
 * all of it: with thousands of routers down, most are turned away by one comparison with the
 * k-th kept so far.
 */
export function worstFirst(list: readonly NodeView[], k: number): NodeView[] {
  const top: NodeView[] = [];
  for (const n of list) {
    if (top.length === k && order(n, top[k - 1] as NodeView) >= 0) continue;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (order(top[mid] as NodeView, n) <= 0) lo = mid + 1;
      else hi = mid;
    }
    top.splice(lo, 0, n);
    if (top.length > k) top.pop();
  }
  return top;
}

/** The routers drawn besides the sites: those without a site, then the down list's worst. */
interface Drawn {
  structure: Structure;
  version: number;
  count: number;
  nodes: NodeView[];
}
/**
 * Kept per LiveStates until a view changes (its `version`) or the structure does: at 10,000
 * routers most of them down, sorting the down list on every request was most of the answer's cost.
 */
const drawnOf = new WeakMap<LiveStates, Drawn>();

function drawnNodes(structure: Structure, states: readonly DeviceState[], live: LiveStates): NodeView[] {
  const hit = drawnOf.get(live);
  if (hit && hit.structure === structure && hit.version === live.version && hit.count === states.length)
    return hit.nodes;
  const { siteOf } = indexOf(structure, states);
  const all = live.nodes;
  const nodes: NodeView[] = [];
  for (const s of states) {
    if (siteOf.has(s.device.id)) continue;
    const n = all.get(s.device.id);
    if (n) nodes.push(n);
  }
  const problems: NodeView[] = [];
  for (const id of live.problems) {
    const n = all.get(id);
    if (n?.site && isProblem(n)) problems.push(n);
  }
  nodes.push(...worstFirst(problems, PROBLEMS_SENT));
  drawnOf.set(live, { structure, version: live.version, count: states.length, nodes });
  return nodes;
}

/** The collapsed topology. */
export function collapsedView(
  structure: Structure,
  states: readonly DeviceState[],
  live: LiveStates,
  rates: Rates,
  now: number,
): CollapsedView {
  const { siteOf } = indexOf(structure, states);
  const nodes = drawnNodes(structure, states, live);
  // Links merged per pair of drawn ends: a site stands for its routers.
  const merged = new Map<string, MergedLinkView>();
  for (const l of structure.links) {
    const sa = siteOf.get(l.source);
    const sb = siteOf.get(l.target);
    if (sa !== undefined && sa === sb) continue;
    const a = sa === undefined ? l.source : `site:${sa}`;
    const b = sb === undefined ? l.target : `site:${sb}`;
    const flip = a > b;
    const key = flip ? `${b}|${a}` : `${a}|${b}`;
    const v = linkView(l, rates);
    let m = merged.get(key);
    if (!m) {
      m = { source: flip ? b : a, target: flip ? a : b, kind: l.kind, links: 0 };
      merged.set(key, m);
    }
    m.links++;
    if (l.kind !== 'parent') m.kind = l.kind;
    const fwd = flip ? v.reverse : v.forward;
    const rev = flip ? v.forward : v.reverse;
    if (fwd?.utilisation !== undefined)
      m.forward = {
        bps: (m.forward?.bps ?? 0) + fwd.bps,
        utilisation: Math.max(m.forward?.utilisation ?? 0, fwd.utilisation),
      };
    if (rev?.utilisation !== undefined)
      m.reverse = {
        bps: (m.reverse?.bps ?? 0) + rev.bps,
        utilisation: Math.max(m.reverse?.utilisation ?? 0, rev.utilisation),
      };
    if (v.utilisation !== undefined) m.utilisation = Math.max(m.utilisation ?? 0, v.utilisation);
    if (v.capacityBps) m.capacityBps = (m.capacityBps ?? 0) + v.capacityBps;
    if (v.state === 'down' || (v.state === 'admin-down' && m.state !== 'down')) m.state = v.state;
  }
  return {
    generatedAt: now,
    layoutBuiltAt: structure.builtAt,
    collapsed: true,
    total: states.length,
    counts: { ...live.fleet.counts },
    problems: live.problems.size,
    nodes: [...nodes],
    links: [...merged.values()],
    sites: siteViews(structure, states, live),
  };
}

/** One site's routers and the links among them; undefined for a site no router carries. */
export function siteMembersView(
  structure: Structure,
  states: readonly DeviceState[],
  live: LiveStates,
  rates: Rates,
  site: string,
  now: number,
): SiteMembersView | undefined {
  const { members, inside } = indexOf(structure, states);
  const ids = members.get(site);
  if (!ids) return undefined;
  const nodes = ids.map((id) => live.nodes.get(id)).filter((n): n is NodeView => n !== undefined);
  const links = (inside.get(site) ?? []).map((l) => linkView(l, rates));
  return { generatedAt: now, site, nodes, links };
}
