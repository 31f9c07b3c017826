import { createRequire } from 'node:module';
import { arcBoxes, decodeArc, readPacked, type TopoGeometry } from './basemap-read.js';

// The geographic view's basemap: Natural Earth land and country borders from the `world-atlas`
// npm package (TopoJSON), decoded here, cut to the area the map shows and thinned to what a
// screen can show. No tile server: everything ships in node_modules, nothing leaves the machine.

/** Natural Earth scales world-atlas ships, finest first. */
export type Resolution = '10m' | '50m' | '110m';

/** `[minLon, minLat, maxLon, maxLat]`. */
export type BBox = [number, number, number, number];

/** What the UI draws: land as filled rings, borders as lines, both `[lon, lat]` points. */
export interface Basemap {
  resolution: Resolution;
  bbox: BBox;
  land: number[][][];
  borders: number[][][];
}

/** A world-atlas file, ready to cut: arcs decoded on first use, with every arc's box known. */
interface Decoded {
  /** Arc `i` as [lon, lat] points (decoded once, when first needed). */
  arc(i: number): Array<[number, number]>;
  /** Whether arc `i`'s bounding box meets `b`. */
  meets(i: number, b: BBox): boolean;
  /** Land rings as lists of arc references (negative = reversed, `~i`). */
  landRings: number[][];
  /** Arcs shared by two different countries: the borders. */
  borderArcs: number[];
}

/** The finest scale worth sending for an area this wide (degrees). */
export function resolutionFor(bbox: BBox): Resolution {
  const span = Math.max(bbox[2] - bbox[0], bbox[3] - bbox[1]);
  if (span <= 20) return '10m';
  if (span <= 70) return '50m';
  return '110m';
}

/** The rings (arc reference lists) of a Polygon or MultiPolygon geometry. */
function ringsOf(g: TopoGeometry): number[][] {
  if (g.type === 'Polygon') return g.arcs as number[][];
  if (g.type === 'MultiPolygon') return (g.arcs as number[][][]).flat();
  return [];
}

/** Joins a ring's arcs into points (each arc after the first starts where the previous ended). */
export function ringPoints(
  arcOf: (i: number) => Array<[number, number]>,
  refs: number[],
): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const ref of refs) {
    const arc = arcOf(ref < 0 ? ~ref : ref);
    const pts = ref < 0 ? [...arc].reverse() : arc;
    out.push(...(out.length > 0 ? pts.slice(1) : pts));
  }
  return out;
}

/** Sutherland–Hodgman: a ring cut to a rectangle (may come back empty). */
export function clipRing(ring: Array<[number, number]>, b: BBox): Array<[number, number]> {
  const edges: Array<
    [(p: [number, number]) => boolean, (a: [number, number], c: [number, number]) => [number, number]]
  > = [
    [(p) => p[0] >= b[0], (a, c) => [b[0], a[1] + ((c[1] - a[1]) * (b[0] - a[0])) / (c[0] - a[0])]],
    [(p) => p[0] <= b[2], (a, c) => [b[2], a[1] + ((c[1] - a[1]) * (b[2] - a[0])) / (c[0] - a[0])]],
    [(p) => p[1] >= b[1], (a, c) => [a[0] + ((c[0] - a[0]) * (b[1] - a[1])) / (c[1] - a[1]), b[1]]],
    [(p) => p[1] <= b[3], (a, c) => [a[0] + ((c[0] - a[0]) * (b[3] - a[1])) / (c[1] - a[1]), b[3]]],
  ];
  let pts = ring;
  for (const [inside, cross] of edges) {
    if (pts.length === 0) break;
    const next: Array<[number, number]> = [];
    for (let i = 0; i < pts.length; i++) {
      const cur = pts[i] as [number, number];
      const prev = pts[(i + pts.length - 1) % pts.length] as [number, number];
      if (inside(cur)) {
        if (!inside(prev)) next.push(cross(prev, cur));
        next.push(cur);
      } else if (inside(prev)) next.push(cross(prev, cur));
    }
    pts = next;
  }
  return pts;
}

/** A line cut to a rectangle: the runs of points inside it (with one point beyond each end). */
export function clipLine(line: Array<[number, number]>, b: BBox): Array<Array<[number, number]>> {
  const inside = (p: [number, number]) => p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3];
  const runs: Array<Array<[number, number]>> = [];
  let run: Array<[number, number]> = [];
  line.forEach((p, i) => {
    const near =
      inside(p) ||
      (line[i - 1] && inside(line[i - 1] as [number, number])) ||
      (line[i + 1] && inside(line[i + 1] as [number, number]));
    if (near) run.push(p);
    else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  });
  if (run.length > 1) runs.push(run);
  return runs.filter((r) => r.length > 1);
}

/** Drops points closer than `tol` degrees to the last kept one; rounds to 4 decimals (~10 m). */
export function thin(points: Array<[number, number]>, tol: number): number[][] {
  const out: number[][] = [];
  let last: [number, number] | undefined;
  points.forEach((p, i) => {
    if (last && i < points.length - 1 && Math.abs(p[0] - last[0]) < tol && Math.abs(p[1] - last[1]) < tol)
      return;
    out.push([Math.round(p[0] * 1e4) / 1e4, Math.round(p[1] * 1e4) / 1e4]);
    last = p;
  });
  return out;
}

const decoded = new Map<Resolution, Promise<Decoded>>();
const require = createRequire(import.meta.url);

/** Reads and decodes one world-atlas file once per process. */
function load(resolution: Resolution): Promise<Decoded> {
  let p = decoded.get(resolution);
  if (!p) {
    p = (async () => {
      const topo = await readPacked(require.resolve(`world-atlas/countries-${resolution}.json`));
      const boxes = arcBoxes(topo);
      const cache = new Map<number, Array<[number, number]>>();
      const arc = (i: number) => {
        let a = cache.get(i);
        if (!a) {
          a = decodeArc(topo, i);
          cache.set(i, a);
        }
        return a;
      };
      const meets = (i: number, b: BBox) =>
        (boxes[i * 4 + 2] as number) >= b[0] &&
        (boxes[i * 4] as number) <= b[2] &&
        (boxes[i * 4 + 3] as number) >= b[1] &&
        (boxes[i * 4 + 1] as number) <= b[3];
      const landRings = topo.land.flatMap(ringsOf);
      // An arc used by two different countries is a border between them; coasts are used once.
      const users = new Map<number, Set<number>>();
      topo.countries.forEach((g, gi) => {
        for (const ring of ringsOf(g)) {
          for (const ref of ring) {
            const i = ref < 0 ? ~ref : ref;
            const set = users.get(i) ?? new Set<number>();
            set.add(gi);
            users.set(i, set);
          }
        }
      });
      const borderArcs = [...users].filter(([, s]) => s.size > 1).map(([i]) => i);
      return { arc, meets, landRings, borderArcs };
    })();
    decoded.set(resolution, p);
    p.catch(() => decoded.delete(resolution));
  }
  return p;
}

/** The basemap of an area: land and borders inside `bbox`, thinned for a screen ~1,500 px wide. */
export async function basemap(bbox: BBox): Promise<Basemap> {
  const resolution = resolutionFor(bbox);
  const d = await load(resolution);
  const tol = Math.max(bbox[2] - bbox[0], bbox[3] - bbox[1]) / 1500;
  const overlaps = (pts: Array<[number, number]>) => {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const [x, y] of pts) {
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    return maxX >= bbox[0] && minX <= bbox[2] && maxY >= bbox[1] && minY <= bbox[3];
  };
  const land: number[][][] = [];
  for (const refs of d.landRings) {
    // A ring meets the box only if one of its arcs' boxes does (continents are many arcs).
    if (!refs.some((ref) => d.meets(ref < 0 ? ~ref : ref, bbox))) continue;
    const ring = ringPoints(d.arc, refs);
    if (!overlaps(ring)) continue;
    const cut = thin(clipRing(ring, bbox), tol);
    if (cut.length >= 3) land.push(cut);
  }
  const borders: number[][][] = [];
  for (const i of d.borderArcs) {
    if (!d.meets(i, bbox)) continue;
    const arc = d.arc(i);
    for (const run of clipLine(arc, bbox)) {
      const t = thin(run, tol);
      if (t.length >= 2) borders.push(t);
    }
  }
  return { resolution, bbox, land, borders };
}

/** Parses `minLon,minLat,maxLon,maxLat`; undefined when malformed or out of range. */
export function parseBBox(text: string): BBox | undefined {
  const parts = text.split(',').map((s) => Number(s));
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) return undefined;
  const [a, b, c, d] = parts as BBox;
  if (a < -180 || c > 180 || b < -90 || d > 90 || a >= c || b >= d) return undefined;
  return [a, b, c, d];
}
