import { Worker } from 'node:worker_threads';

/** A TopoJSON geometry reference: its type and arc references. */
export interface TopoGeometry {
  type: string;
  arcs?: unknown;
}

/** A world-atlas file with its arcs packed into typed arrays. */
export interface PackedTopology {
  transform?: { scale: [number, number]; translate: [number, number] };
  /** x, y pairs of every arc, one after the other (quantised when `transform` is set). */
  coords: Float64Array;
  /** Arc `i` is points `offsets[i]` to `offsets[i + 1]` (exclusive). */
  offsets: Uint32Array;
  countries: TopoGeometry[];
  land: TopoGeometry[];
}

// Plain JavaScript run in a worker thread: parsing the 3.6 MB 1:10m file builds ~600,000 small
// arrays (seconds of main-thread time on a loaded machine, where polls and requests would wait).
// The worker parses it and hands back two typed arrays (transferred, not copied) and the small
// geometry lists.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const topo = JSON.parse(require('node:fs').readFileSync(workerData.file, 'utf8'));
let n = 0;
for (const a of topo.arcs) n += a.length;
const coords = new Float64Array(n * 2);
const offsets = new Uint32Array(topo.arcs.length + 1);
let k = 0;
for (let i = 0; i < topo.arcs.length; i++) {
  offsets[i] = k;
  for (const p of topo.arcs[i]) { coords[2 * k] = p[0]; coords[2 * k + 1] = p[1]; k++; }
}
offsets[topo.arcs.length] = k;
const geoms = (o) => o.geometries.map((g) => ({ type: g.type, arcs: g.arcs }));
parentPort.postMessage(
  { transform: topo.transform, coords, offsets, countries: geoms(topo.objects.countries), land: geoms(topo.objects.land) },
  [coords.buffer, offsets.buffer],
);
`;

/** Reads and packs a world-atlas TopoJSON file off the main thread. */
export function readPacked(file: string): Promise<PackedTopology> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { file } });
    worker.once('message', (m: PackedTopology) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`basemap reader exited with code ${code}`));
    });
  });
}

/** Arc `i` in degrees, delta-decoded when quantised. */
export function decodeArc(t: PackedTopology, i: number): Array<[number, number]> {
  const from = t.offsets[i] ?? 0;
  const to = t.offsets[i + 1] ?? from;
  const out: Array<[number, number]> = [];
  let x = 0;
  let y = 0;
  for (let k = from; k < to; k++) {
    const px = t.coords[2 * k] as number;
    const py = t.coords[2 * k + 1] as number;
    if (!t.transform) {
      out.push([px, py]);
      continue;
    }
    x += px;
    y += py;
    out.push([
      x * t.transform.scale[0] + t.transform.translate[0],
      y * t.transform.scale[1] + t.transform.translate[1],
    ]);
  }
  return out;
}

/** Every arc's bounding box in degrees (minLon, minLat, maxLon, maxLat per arc), without building points. */
export function arcBoxes(t: PackedTopology): Float64Array {
  const arcs = t.offsets.length - 1;
  const out = new Float64Array(arcs * 4);
  const s = t.transform?.scale ?? [1, 1];
  const tr = t.transform?.translate ?? [0, 0];
  for (let i = 0; i < arcs; i++) {
    let x = 0;
    let y = 0;
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (let k = t.offsets[i] as number; k < (t.offsets[i + 1] as number); k++) {
      x = t.transform ? x + (t.coords[2 * k] as number) : (t.coords[2 * k] as number);
      y = t.transform ? y + (t.coords[2 * k + 1] as number) : (t.coords[2 * k + 1] as number);
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    out[i * 4] = x0 * s[0] + tr[0];
    out[i * 4 + 1] = y0 * s[1] + tr[1];
    out[i * 4 + 2] = x1 * s[0] + tr[0];
    out[i * 4 + 3] = y1 * s[1] + tr[1];
  }
  return out;
}
