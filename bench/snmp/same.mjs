// Are this build's poll results exactly the same as a reference build's? Every simulator profile
// and every recording in ../shared/data/snmprec, served by the simulator in this process with its
// clock stopped (so counters do not move between the two builds' polls), is polled POLLS times by
// each build in turn (a driver per build and per device, kept between polls: the first poll fills
// the caches, the next ones use them), over SNMPv2c and SNMPv1. Both drivers run on one fixed
// clock. Each pair of results (samples, facts, errors, part errors) is compared as JSON; the first
// differences are printed. Exits 1 on any difference. Not a test: it needs two builds.
// Run: DRIVER=/path/to/reference/dist/index.js node bench/snmp/same.mjs   (POLLS, default 3)
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startSnmpFleet } from '@ispmonitor/simulator';
import { silent } from '../support/silent.mjs';

const REF = process.env.DRIVER;
if (!REF) throw new Error('DRIVER=<path to the reference build index.js> is required');
const POLLS = Number(process.env.POLLS ?? 3);
const ours = await import('@ispmonitor/plugin-snmp');
const theirs = await import(REF);
const data = fileURLToPath(new URL('../../../shared/data/snmprec', import.meta.url));

const T = Date.UTC(2026, 11, 6, 6, 0, 0);
const clock = {
  now: () => T,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h),
};
const profiles = ['mikrotik', 'cisco', 'juniper', 'linux'];
const fleet = await startSnmpFleet({
  count: profiles.length,
  profile: profiles,
  snmprec: readdirSync(data)
    .filter((f) => f.endsWith('.snmprec'))
    .map((f) => `${data}/${f}`),
  clock,
});

/** The first place two JSON values differ, as a path and the two values. */
function firstDifference(a, b, path = '') {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null)
    return `${path}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDifference(a[k], b[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}

const json = (r) => JSON.parse(JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)));
let pairs = 0;
let differences = 0;
try {
  for (const d of fleet.devices) {
    for (const version of ['2c', '1']) {
      const device = {
        id: d.id,
        host: d.host,
        port: d.port,
        driver: 'snmp',
        snmp: { version, community: d.community, timeout: '5s' },
      };
      const a = ours.createSnmpDriver({ clock });
      const b = theirs.createSnmpDriver({ clock });
      const settings = a.settings.parse(device.snmp);
      for (let i = 0; i < POLLS; i++) {
        const ctx = () => ({ signal: AbortSignal.timeout(120_000), logger: silent });
        const ra = json(await a.poll(device, settings, ctx()));
        const rb = json(await b.poll(device, b.settings.parse(device.snmp), ctx()));
        pairs++;
        const diff = firstDifference(ra, rb);
        if (diff) {
          differences++;
          console.log(`${d.profile} v${version} poll ${i + 1}: ${diff}`);
        }
        if (i === 0)
          console.log(
            `${d.profile} v${version}: ${ra.samples.length} samples, ${ra.facts?.interfaces?.length ?? 0} interfaces` +
              `${ra.error ? `, error ${ra.error.code}` : ''}${ra.partErrors ? `, ${ra.partErrors.length} part errors` : ''}`,
          );
      }
    }
  }
} finally {
  await fleet.close();
}
console.log(`${differences} differences over ${pairs} poll pairs`);
process.exit(differences > 0 ? 1 : 0);
