import { describe, expect, it } from 'vitest';
import { graphModel, mergeLinks, problemNodes } from '../ui/src/components/map-model.js';
import { capacityWidth, cluster, utilisationStep, worstState } from '../ui/src/lib/layout.js';
import type { TopologyView, TopoNodeView } from '../ui/src/lib/types.js';

const node = (id: string, site: string, state: TopoNodeView['state'], x = 0, y = 0): TopoNodeView => ({
  id,
  name: id.toUpperCase(),
  status: state === 'down' ? 'offline' : state === 'unreachable' ? 'unreachable' : 'online',
  driver: 'snmp',
  labels: { site },
  site,
  state,
  reasons: [],
  x,
  y,
});

/** A 1 Gbit/s LLDP link between two routers, with the utilisation of each direction. */
const lldp = (
  source: string,
  target: string,
  forward: number,
  reverse: number,
): TopologyView['links'][number] => ({
  source,
  target,
  kind: 'lldp',
  forward: { bps: 1, utilisation: forward },
  reverse: { bps: 1, utilisation: reverse },
  capacityBps: 1e9,
});

const topo: TopologyView = {
  generatedAt: 0,
  layoutBuiltAt: 0,
  nodes: [
    node('a1', 'A', 'up', 0, 0),
    node('a2', 'A', 'down', 10, 0),
    node('a3', 'A', 'degraded', 0, 10),
    node('b1', 'B', 'up', 100, 0),
  ],
  links: [
    { source: 'a1', target: 'a2', kind: 'parent', forward: { bps: 1, utilisation: 0.2 } },
    lldp('a1', 'b1', 0.3, 0.9),
    // Listed the other way round: its forward is B → A.
    lldp('b1', 'a3', 0.5, 0.1),
  ],
  sites: [
    { id: 'A', x: 5, y: 5, r: 30, count: 3, state: 'down', counts: { up: 1, down: 1, degraded: 1 } },
    { id: 'B', x: 100, y: 0, r: 20, count: 1, state: 'up', counts: { up: 1 } },
  ],
};

describe('topology map model (UI, no DOM)', () => {
  it('a collapsed site is one bubble in the worst state of its devices, its links merged', () => {
    const m = graphModel(topo, new Set(['B']), {});
    expect(m.nodes.map((n) => n.node.id)).toEqual(['b1']);
    const a = m.sites.find((s) => s.site.id === 'A');
    expect(a).toMatchObject({ collapsed: true, state: 'down', x: 5, y: 5 });
    // a1–a2 is inside the bubble and disappears; the two A–B links become one, per direction
    // the busier: A → B is max(0.3, 0.1) and B → A is max(0.9, 0.5).
    expect(m.links).toHaveLength(1);
    expect(m.links[0]).toMatchObject({ key: 'b1|site:A', capacityBps: 2e9, dashed: false });
    expect(m.links[0]?.forward).toBe(0.9);
    expect(m.links[0]?.reverse).toBe(0.3);
  });

  it('expanded sites show their devices; dragged positions move a device or a whole site', () => {
    const m = graphModel(topo, new Set(['A', 'B']), { 'site:A': { x: 105, y: 5 }, a3: { x: -50, y: -50 } });
    const at = Object.fromEntries(m.nodes.map((n) => [n.node.id, [n.x, n.y]]));
    expect(at).toEqual({ a1: [100, 0], a2: [110, 0], a3: [-50, -50], b1: [100, 0] });
    expect(m.links.map((l) => l.key).sort()).toEqual(['a1|a2', 'a1|b1', 'a3|b1']);
  });

  it('lists down, then unreachable, then acknowledged outages', () => {
    const list = problemNodes([
      node('z', 'A', 'unreachable'),
      { ...node('y', 'A', 'acknowledged'), status: 'offline' },
      node('x', 'A', 'down'),
      node('w', 'A', 'degraded'),
      { ...node('v', 'A', 'acknowledged'), status: 'online' },
    ]);
    expect(list.map((n) => n.id)).toEqual(['x', 'z', 'y']);
  });

  it('steps utilisation 0–100 % (clamped), widths by capacity, worst states, clusters', () => {
    expect([0, 0.3, 0.6, 0.8, 0.95, 4.06, -1, undefined].map(utilisationStep)).toEqual([
      0,
      1,
      2,
      3,
      4,
      4,
      0,
      'none',
    ]);
    expect(capacityWidth(100e6)).toBe(1.5);
    expect(capacityWidth(10e9)).toBe(3.5);
    expect(capacityWidth(1e15)).toBe(6);
    expect(worstState(['up', 'acknowledged', 'degraded'])).toBe('degraded');
    expect(worstState([])).toBe('up');
    const pts = [
      { x: 0, y: 0 },
      { x: 3, y: 4 },
      { x: 100, y: 100 },
    ];
    const c = cluster(pts, 20);
    expect(c.map((g) => g.items.length).sort()).toEqual([1, 2]);
    expect(mergeLinks(topo.links, () => undefined)).toEqual([]);
  });
});
