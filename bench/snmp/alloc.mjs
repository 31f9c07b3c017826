// JavaScript heap allocated per ios full-walk poll (a new driver per poll, settings parsed once),
// in bytes and bytes per varbind: a figure the machine's load does not move, beside the CPU ones.
// The young generation is made large enough (128 MB semi-spaces) that no GC runs during a poll,
// so the heap's growth over a poll is what the poll allocated. Median over POLLS polls after
// WARMUP. DRIVER=<path to another build's index.js> measures that build (before/after).
// Run: node bench/snmp/alloc.mjs   (it restarts itself with --expose-gc and the semi-space flags)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';

if (typeof globalThis.gc !== 'function') {
  const flags = ['--expose-gc', '--min-semi-space-size=128', '--max-semi-space-size=128'];
  const r = spawnSync(process.execPath, [...flags, fileURLToPath(import.meta.url)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const { silent } = await import('../support/silent.mjs');
const { startSnmpsim } = await import('./peers.mjs');
const { createSnmpDriver } = await import(process.env.DRIVER ?? '@ispmonitor/plugin-snmp');
const POLLS = Number(process.env.POLLS ?? 15);
const WARMUP = Number(process.env.WARMUP ?? 10);
const data = fileURLToPath(new URL('../../../shared/data', import.meta.url));
const sim = await startSnmpsim(`${data}/snmprec`, 'ios');
try {
  const device = {
    id: 'ios',
    host: '127.0.0.1',
    port: sim.port,
    driver: 'snmp',
    snmp: { timeout: '10s', version: '2c', community: 'ios' },
  };
  const settings = createSnmpDriver().settings.parse(device.snmp);
  const polls = [];
  for (let i = 0; i < WARMUP + POLLS; i++) {
    const driver = createSnmpDriver();
    globalThis.gc();
    const before = getHeapStatistics().used_heap_size;
    const r = await driver.poll(device, settings, { signal: AbortSignal.timeout(60_000), logger: silent });
    const bytes = getHeapStatistics().used_heap_size - before;
    if (r.error) throw new Error(`${r.error.code} ${r.error.message}`);
    if (i >= WARMUP) polls.push({ bytes, varbinds: driver.stats.varbinds, samples: r.samples.length });
  }
  const sorted = polls.map((p) => p.bytes).sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1];
  const { varbinds, samples } = polls[0];
  console.log(
    `${process.env.DRIVER ? 'reference' : 'this build'}: ${Math.round(median / 1024)} KB allocated a poll ` +
      `(min ${Math.round(sorted[0] / 1024)}, max ${Math.round(sorted[sorted.length - 1] / 1024)}), ` +
      `${Math.round(median / varbinds)} B per varbind; ${varbinds} varbinds, ${samples} samples a poll`,
  );
} finally {
  await sim.stop();
}
