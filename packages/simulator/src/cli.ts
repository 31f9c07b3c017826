#!/usr/bin/env node
/**
 * `ispmonitor-sim`: runs a simulated SNMP fleet until interrupted.
 *
 *   ispmonitor-sim --count 1000 --profile mikrotik,cisco --dead 0.01 --latency 20
 *   ispmonitor-sim --snmprec ../shared/data/snmprec          # serve every recording in a folder
 *   ispmonitor-sim --demo 12                                  # the demo ISP, as Device JSON
 *
 *   ispmonitor-sim --count 3 --control-port 19001          # then: curl -X POST 127.0.0.1:19001/devices/sim-0/down
 *
 * Prints `READY {json}` (the device list) on stdout once bound. Started with an IPC channel
 * (child_process.fork), it also sends `{ type: 'ready', devices }` and answers `{ type: 'stats' }`
 * with the fleet's counters and this process's CPU time; benchmarks use that.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startControlServer } from './control.js';
import { createDemoFleet } from './demo.js';
import { type SnmpFleet, startSnmpFleet } from './fleet.js';
import type { Faults } from './model/faults.js';
import { type ProfileName, profiles } from './profiles/index.js';

const HELP = `ispmonitor-sim: simulated SNMP v1/v2c devices on loopback

  --count N            devices from profiles (default 1)
  --profile LIST       ${Object.keys(profiles).join(', ')} (comma list cycles; default mikrotik)
  --interfaces N       physical ports per device (default 24)
  --host ADDR          loopback address (default 127.0.0.1)
  --base-port P        first port, 0 = ephemeral (default 0)
  --addressing MODE    ports | addresses (127.0.1.1+i, one port)
  --community C        community (default public; recordings: the file name)
  --snmprec PATH       a .snmprec file or a folder of them (repeatable)
  --dead RATIO         share of devices that never answer (0–1)
  --latency MS         added reply latency     --jitter MS   random extra
  --loss P             request loss probability
  --reboot-rate N      random reboots per device per hour
  --seed N             seed of every random choice (default 1)
  --demo N             the demo ISP network of N devices (prints Device definitions)
  --control-port P     HTTP control endpoint on loopback (0 = any free port):
                       GET /devices, POST /devices/ID/down | up | reset
  --quiet              no READY line (IPC only)
`;

/** A TCP port from the command line; a typo is an error, not a random port. */
function controlPort(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new RangeError(`--control-port: not a port: "${s}"`);
  return n;
}

function snmprecFiles(paths: string[]): string[] {
  return paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith('.snmprec'))
          .sort()
          .map((f) => join(p, f))
      : [p],
  );
}

/** Dead devices spread evenly: exactly floor(count × ratio) of them. */
function isDead(i: number, ratio: number): boolean {
  return Math.floor((i + 1) * ratio) > Math.floor(i * ratio);
}

/** parseArgs options that each take one string value. */
function stringOptions<const K extends string>(...names: K[]): { [N in K]: { type: 'string' } } {
  return Object.fromEntries(names.map((n) => [n, { type: 'string' }])) as { [N in K]: { type: 'string' } };
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      ...stringOptions(
        'count',
        'profile',
        'interfaces',
        'host',
        'base-port',
        'addressing',
        'community',
        'dead',
        'latency',
        'jitter',
        'loss',
        'reboot-rate',
        'seed',
        'demo',
        'control-port',
      ),
      snmprec: { type: 'string', multiple: true },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help) {
    process.stdout.write(HELP);
    return;
  }
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  let fleet: SnmpFleet;
  let payload: unknown;
  if (v.demo) {
    const demo = await createDemoFleet({
      snmpDevices: Number(v.demo),
      ...(v.host ? { host: v.host } : {}),
      ...(v['base-port'] ? { basePort: Number(v['base-port']) } : {}),
    });
    fleet = demo.fleet;
    payload = { devices: demo.devices, problems: demo.problems };
  } else {
    const dead = num(v.dead) ?? 0;
    const base: Faults = {
      ...(v.latency ? { latencyMs: Number(v.latency) } : {}),
      ...(v.jitter ? { jitterMs: Number(v.jitter) } : {}),
      ...(v.loss ? { lossRate: Number(v.loss) } : {}),
      ...(v['reboot-rate'] ? { reboots: { ratePerHour: Number(v['reboot-rate']) } } : {}),
    };
    const snmprec = snmprecFiles(v.snmprec ?? []);
    fleet = await startSnmpFleet({
      count: num(v.count) ?? (snmprec.length > 0 ? 0 : 1),
      profile: (v.profile ?? 'mikrotik').split(',') as ProfileName[],
      snmprec,
      faults: (i) => (dead > 0 && isDead(i, dead) ? { ...base, dead: true } : base),
      ...(v.interfaces ? { interfaces: Number(v.interfaces) } : {}),
      ...(v.host ? { host: v.host } : {}),
      ...(v['base-port'] ? { basePort: Number(v['base-port']) } : {}),
      ...(v.addressing ? { addressing: v.addressing as 'ports' | 'addresses' } : {}),
      ...(v.community ? { community: v.community } : {}),
      ...(v.seed ? { seed: Number(v.seed) } : {}),
    });
    payload = {
      devices: fleet.devices.map(({ id, host, port, community, profile, sim }) => ({
        id,
        host,
        port,
        community,
        profile,
        dead: sim.faults.dead === true,
      })),
    };
  }
  const control =
    v['control-port'] === undefined
      ? undefined
      : await startControlServer(fleet.devices, {
          port: controlPort(v['control-port']),
          ...(v.host ? { host: v.host } : {}),
        });
  if (control) payload = { ...(payload as object), control: control.url };
  if (!v.quiet) process.stdout.write(`READY ${JSON.stringify(payload)}\n`);
  process.send?.({ type: 'ready', ...(payload as object) });
  process.on('message', (m: { type?: string }) => {
    if (m?.type === 'stats')
      process.send?.({
        type: 'stats',
        stats: fleet.stats(),
        cpu: process.cpuUsage(),
        rss: process.memoryUsage().rss,
      });
    if (m?.type === 'close') void Promise.all([fleet.close(), control?.close()]).then(() => process.exit(0));
  });
  // An IPC parent that goes away takes the fleet with it.
  process.on(
    'disconnect',
    () => void Promise.all([fleet.close(), control?.close()]).then(() => process.exit(0)),
  );
  const stop = () => {
    process.stderr.write(`${JSON.stringify(fleet.stats())}\n`);
    void Promise.all([fleet.close(), control?.close()]).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`ispmonitor-sim: ${(err as Error).message}\n`);
  process.exit(1);
});
