/**
 * Layers of a graph by its parent links, breadth first: roots (nothing points at them) in layer
 * 0, each node one layer below its parent, and what cycles leave without a root started from
 * where it is. Linear time. Shared by the server's layout and the web UI's (no imports: the UI's
 * bundle takes it as it is).
 */
export function layersOf<K>(nodes: readonly K[], edges: Iterable<readonly [K, K]>): K[][] {
  const children = new Map<K, K[]>();
  const hasParent = new Set<K>();
  for (const [a, b] of edges) {
    // One parent each: the first link naming a node as the lower end wins.
    if (a === b || hasParent.has(b)) continue;
    hasParent.add(b);
    const list = children.get(a);
    if (list) list.push(b);
    else children.set(a, [b]);
  }
  const layers: K[][] = [];
  const depth = new Map<K, number>();
  const visit = (roots: K[]) => {
    const queue = roots.map((n) => [n, 0] as [K, number]);
    for (let i = 0; i < queue.length; i++) {
      const [n, d] = queue[i] as [K, number];
      if (depth.has(n)) continue;
      depth.set(n, d);
      const layer = layers[d] ?? [];
      layers[d] = layer;
      layer.push(n);
      for (const c of children.get(n) ?? []) if (!depth.has(c)) queue.push([c, d + 1]);
    }
  };
  visit(nodes.filter((n) => !hasParent.has(n)));
  // Cycles without a root: start from what is left.
  for (const n of nodes) if (!depth.has(n)) visit([n]);
  return layers;
}
