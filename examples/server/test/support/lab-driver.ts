import { type Device, defineDriver, definePlugin, type Sample, tokens } from '@ispmonitor/core';
import { z } from 'zod';

const settings = z
  .object({ interfaces: z.number().int().min(0).max(64).default(2), fail: z.boolean().default(false) })
  .strict()
  .prefault({});

/**
 * A test fixture driver (kind `lab`): a device whose answers the test controls. `lab.fail` makes
 * it unreachable; otherwise it reports (besides the `device_up` core adds) CPU, uptime and `interfaces` interfaces with counters
 * that grow with time, PPPoE sessions, DHCP leases and an LLDP neighbour named in `lab.peer`.
 */
export const labDriver = definePlugin({
  name: 'lab-driver',
  version: '0.0.0',
  setup(ctx) {
    ctx.provide(
      tokens.Driver,
      defineDriver({
        kind: 'lab',
        settings,
        // Re-read on every poll rather than the settings core parsed at add time: tests flip
        // `lab.fail` on the live device object, which the registry never sees as a change.
        async poll(device: Device) {
          const s = settings.parse(device.lab);
          if (s.fail)
            return { samples: [], error: { code: 'LAB_DOWN', message: `${device.host} does not answer` } };
          const ts = Date.now();
          const base = { device: device.id, ...(device.labels ?? {}) };
          const samples: Sample[] = [
            { name: 'device_cpu_load_ratio', labels: base, value: 0.25, ts },
            { name: 'device_uptime_seconds', labels: base, value: Math.floor(ts / 1000) % 100000, ts },
          ];
          const interfaces = [];
          for (let i = 1; i <= s.interfaces; i++) {
            const l = { ...base, ifName: `ether${i}` };
            samples.push(
              { name: 'interface_in_octets_total', labels: l, value: BigInt(ts) * 10_000n + BigInt(i), ts },
              { name: 'interface_out_octets_total', labels: l, value: ts * 10 + i, ts },
              { name: 'interface_oper_up', labels: l, value: i === 2 ? 0 : 1, ts },
            );
            interfaces.push({
              index: i,
              name: `ether${i}`,
              operUp: i !== 2,
              adminUp: true,
              speedBps: 1e9,
              mac: `02:00:00:00:00:0${i}`,
            });
          }
          return {
            samples,
            facts: {
              system: { name: device.id, vendor: 'Lab' },
              interfaces,
              neighbours: device.peer
                ? [{ protocol: 'lldp' as const, localInterface: 'ether1', remoteName: String(device.peer) }]
                : [],
              pppoeSessions: [
                { user: `sub-${device.id}`, address: '100.64.0.10', callerId: 'AA:BB:CC:00:00:01' },
              ],
              dhcpLeases: [{ address: '192.0.2.50', mac: 'aa:bb:cc:00:00:02', hostName: 'printer' }],
              wirelessClients: [{ mac: 'aa:bb:cc:00:00:03', interface: 'wlan1', signalDbm: -61 }],
            },
          };
        },
      }),
    );
  },
});
