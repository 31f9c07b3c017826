// This build of the driver against a reference build (DRIVER=<path to its index.js>), CPU per
// varbind of ios full-walk polls, measured in turn in the same minutes: two warm processes of
// bench/snmp/ours-child.mjs (one per build) on one snmpsim, alternating batches of POLLS polls
// for REPEATS rounds (which build goes first alternates too). CPU is each child's getrusage, µs,
// as in paired.mjs. Prints each round and the median ratio this/reference with min and max.
// Not a test. Run: DRIVER=/path/to/ref/index.js node bench/snmp/ab.mjs   (REPEATS, POLLS, WARMUP)
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { spread, startOurs } from './paired.mjs';
import { startSnmpsim } from './peers.mjs';

const REF = process.env.DRIVER;
if (!REF) throw new Error('DRIVER=<path to the reference build index.js> is required');
const REPEATS = Number(process.env.REPEATS ?? 8);
const POLLS = Number(process.env.POLLS ?? 20);
const WARMUP = Number(process.env.WARMUP ?? 30);
const data = fileURLToPath(new URL('../../../shared/data', import.meta.url));

/** A warm child polling with one build; `batch(n)` → µs of CPU per varbind over n polls. */
async function child(port, driver) {
  const c = await startOurs(port, 'ios', WARMUP, driver ?? null);
  return { batch: async (polls) => (await c.batch(polls)).usPerVarbind, stop: c.stop };
}

const sim = await startSnmpsim(`${data}/snmprec`, 'ios');
const stops = [sim.stop];
try {
  const ours = await child(sim.port, undefined);
  stops.push(ours.stop);
  const ref = await child(sim.port, REF);
  stops.push(ref.stop);
  const rounds = [];
  const verbose = REPEATS <= 20;
  for (let i = 0; i < REPEATS; i++) {
    const first = i % 2 === 0;
    const a = first ? await ours.batch(POLLS) : undefined;
    const b = await ref.batch(POLLS);
    const a2 = a ?? (await ours.batch(POLLS));
    rounds.push({ ours: a2, ref: b, ratio: a2 / b, load: loadavg()[0] });
    if (verbose)
      console.log(
        `round ${i + 1}: this ${a2.toFixed(2)} µs/varbind, reference ${b.toFixed(2)}, ratio ${(a2 / b).toFixed(3)} (load ${loadavg()[0].toFixed(2)})`,
      );
  }
  const f = (s) => `${s.median.toFixed(3)} (min ${s.min.toFixed(3)}, max ${s.max.toFixed(3)})`;
  console.log(`this      ${f(spread(rounds.map((r) => r.ours)))} µs/varbind`);
  console.log(`reference ${f(spread(rounds.map((r) => r.ref)))} µs/varbind`);
  console.log(`ratio this/reference ${f(spread(rounds.map((r) => r.ratio)))}`);
  // Over all rounds (each round weighs as its polls' CPU): less sensitive to one crowded round.
  const sum = (k) => rounds.reduce((a, r) => a + r[k], 0);
  console.log(`ratio of the sums this/reference ${(sum('ours') / sum('ref')).toFixed(3)}`);
} finally {
  for (const stop of stops.reverse()) await stop();
}
