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

/**
 * Pushes apart points closer than `want(i, j)`, half the overlap each way, a little at a time
 * (`iterations` rounds at most; it stops once a round moves nothing). Points sit in a grid of
 * cells `cell` wide (at least the largest `want`), so each meets only its neighbours: near-linear.
 * Distances within `slack` of `want` count as apart, so points placed exactly touching are not
 * moved forever. Moves the points in place; deterministic (same input, same output).
 */
export function pushApart(
  pts: Array<{ x: number; y: number }>,
  cell: number,
  want: (i: number, j: number) => number,
  iterations: number,
  slack = 0,
): void {
  // Numeric cell keys: string keys made this loop allocation-bound at 10,000 points.
  const keyOf = (cx: number, cy: number) => cx * 1_000_003 + cy;
  for (let it = 0; it < iterations; it++) {
    const grid = new Map<number, number[]>();
    pts.forEach((p, i) => {
      const key = keyOf(Math.floor(p.x / cell), Math.floor(p.y / cell));
      const list = grid.get(key);
      if (list) list.push(i);
      else grid.set(key, [i]);
    });
    let moved = false;
    pts.forEach((a, i) => {
      const cx = Math.floor(a.x / cell);
      const cy = Math.floor(a.y / cell);
      for (let gx = cx - 1; gx <= cx + 1; gx++) {
        for (let gy = cy - 1; gy <= cy + 1; gy++) {
          for (const j of grid.get(keyOf(gx, gy)) ?? []) {
            if (j <= i) continue;
            const b = pts[j] as { x: number; y: number };
            const w = want(i, j);
            let dx = b.x - a.x;
            let dy = b.y - a.y;
            let d = Math.hypot(dx, dy);
            if (d >= w - slack) continue;
            if (d < 1e-6) {
              // Same spot: separate along a direction fixed by the pair, so the result is stable.
              const angle = ((i * 31 + j * 17) % 360) * (Math.PI / 180);
              dx = Math.cos(angle);
              dy = Math.sin(angle);
              d = 1;
            }
            const push = (w - d) / 2;
            a.x -= (dx / d) * push;
            a.y -= (dy / d) * push;
            b.x += (dx / d) * push;
            b.y += (dy / d) * push;
            moved = true;
          }
        }
      }
    });
    if (!moved) break;
  }
}
