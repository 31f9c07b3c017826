import { Bus, type DeviceState, type DeviceStatus } from '@ispmonitor/core';
import { describe, expect, it, vi } from 'vitest';
import type { NeighbourRow } from '../src/inventory/facts.js';
import { NEIGHBOURS_TTL_MS, TopologyCache } from '../src/topology/cache.js';

const dev = (
  id: string,
  site: string,
  extra: Record<string, unknown> = {},
  status: DeviceStatus = 'online',
) =>
  ({
    device: { id, host: `127.0.8.${id.length}`, driver: 'lab', labels: { site }, ...extra },
    status,
  }) as unknown as DeviceState;

/** A cache over devices, neighbours and alerts the test changes, on a clock it moves. */
function fixture() {
  const bus = new Bus(() => {});
  let now = 1_000_000;
  const devices: DeviceState[] = [
    dev('bey-core', 'BEY', { location: { lat: 33.89, lon: 35.5 } }),
    dev('bey-acc-1', 'BEY', { parent: 'bey-core', location: { lat: 33.891, lon: 35.501 } }),
    dev('trp-acc-1', 'TRP', { parent: 'bey-core', labels: { site: 'TRP', lat: '34.43', lon: '35.84' } }),
  ];
  let neighbours: NeighbourRow[] = [];
  let neighbourReads = 0;
  let alerts: object[] = [];
  const cache = new TopologyCache({
    bus,
    devices: { list: () => devices },
    neighbours: async () => {
      neighbourReads++;
      return neighbours;
    },
    firingAlerts: async () => alerts,
    now: () => now,
  });
  return {
    bus,
    cache,
    devices,
    setNeighbours: (n: NeighbourRow[]) => {
      neighbours = n;
    },
    setAlerts: (a: object[]) => {
      alerts = a;
    },
    reads: () => neighbourReads,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('topology cache', () => {
  it('builds the layout once and reuses it until devices or links change', async () => {
    const f = fixture();
    const first = await f.cache.view();
    await f.cache.view();
    await f.cache.view();
    expect(f.cache.builds).toBe(1);
    expect(f.reads()).toBe(1);
    expect(first.nodes.map((n) => n.id)).toEqual(['bey-core', 'bey-acc-1', 'trp-acc-1']);
    // Grouped by site, each with a disc; devices of a site sit inside its disc.
    expect(first.sites.map((s) => s.id).sort()).toEqual(['BEY', 'TRP']);
    const bey = first.sites.find((s) => s.id === 'BEY');
    for (const n of first.nodes.filter((x) => x.site === 'BEY')) {
      expect(Math.hypot(n.x - (bey?.x ?? 0), n.y - (bey?.y ?? 0))).toBeLessThan(bey?.r ?? 0);
    }
    // Coordinates from `location` or from the `lat`/`lon` labels.
    expect(first.nodes.find((n) => n.id === 'trp-acc-1')?.location).toEqual({ lat: 34.43, lon: 35.84 });

    // A status change is not a structure change.
    (f.devices[1] as { status: DeviceStatus }).status = 'offline';
    const second = await f.cache.view();
    expect(f.cache.builds).toBe(1);
    expect(second.nodes.find((n) => n.id === 'bey-acc-1')?.state).toBe('down');
    expect(second.layoutBuiltAt).toBe(first.layoutBuiltAt);

    // A device added: rebuilt at once, with a place for it.
    f.devices.push(dev('trp-acc-2', 'TRP', { parent: 'bey-core' }));
    f.bus.emit('device:added', { device: f.devices[3]?.device as DeviceState['device'] });
    const third = await f.cache.view();
    expect(f.cache.builds).toBe(2);
    expect(third.nodes.find((n) => n.id === 'trp-acc-2')).toMatchObject({ site: 'TRP' });
    expect(third.sites.find((s) => s.id === 'TRP')?.count).toBe(2);

    // A parent changed: rebuilt.
    (f.devices[3] as { device: { parent: string } }).device.parent = 'trp-acc-1';
    await f.cache.view();
    expect(f.cache.builds).toBe(3);
  });

  it('reads neighbours at most every 30 s and rebuilds only when they changed', async () => {
    const f = fixture();
    await f.cache.view();
    const reads = f.reads();
    f.setNeighbours([
      { device: 'bey-acc-1', protocol: 'lldp', localInterface: 'ether2', remoteName: 'trp-acc-1' },
    ]);
    await f.cache.view();
    expect(f.reads()).toBe(reads);
    expect(f.cache.builds).toBe(1);
    f.advance(NEIGHBOURS_TTL_MS + 1);
    const view = await f.cache.view();
    expect(f.reads()).toBe(reads + 1);
    expect(f.cache.builds).toBe(2);
    expect(view.links).toContainEqual({
      source: 'bey-acc-1',
      target: 'trp-acc-1',
      kind: 'lldp',
      sourceInterface: 'ether2',
    });
    f.advance(NEIGHBOURS_TTL_MS + 1);
    await f.cache.view();
    expect(f.cache.builds).toBe(2);
  });

  it('follows link ends from the start, so the first view already has their utilisation', async () => {
    const f = fixture();
    f.setNeighbours([
      { device: 'bey-acc-1', protocol: 'lldp', localInterface: 'ether2', remoteName: 'trp-acc-1' },
    ]);
    f.cache.follow();
    await vi.waitFor(() => expect(f.cache.builds).toBe(1));
    // Two polls of the link's end, a minute apart, before anyone opens the topology.
    const poll = (ts: number, octets: number) =>
      f.bus.emit('samples', {
        device: { id: 'bey-acc-1' },
        samples: [
          { name: 'interface_speed_bps', labels: { device: 'bey-acc-1', ifName: 'ether2' }, value: 1e9, ts },
          {
            name: 'interface_in_octets_total',
            labels: { device: 'bey-acc-1', ifName: 'ether2' },
            value: octets,
            ts,
          },
        ],
      } as never);
    poll(1_000_000, 0);
    poll(1_060_000, 60 * 12_500_000); // 100 Mb/s in
    const view = await f.cache.view();
    expect(f.cache.builds).toBe(1);
    const link = view.links.find((l) => l.source === 'bey-acc-1');
    expect(link?.utilisation).toBeCloseTo(0.1, 5);
    f.cache.close();
  });

  it('shows acknowledged or silenced problems, admin-down devices, and each site its worst state', async () => {
    const f = fixture();
    (f.devices[1] as { status: DeviceStatus }).status = 'offline';
    (f.devices[2] as { device: { enabled: boolean } }).device.enabled = false;
    const alert = (device: string, extra: object) => ({
      state: 'firing',
      labels: { device, alertname: 'DeviceDown' },
      ...extra,
    });
    f.setAlerts([alert('bey-acc-1', { ack: { by: 'noc' } })]);
    let view = await f.cache.view();
    expect(view.nodes.map((n) => [n.id, n.state])).toEqual([
      ['bey-core', 'up'],
      ['bey-acc-1', 'acknowledged'],
      ['trp-acc-1', 'admin-down'],
    ]);
    expect(view.sites.find((s) => s.id === 'BEY')?.state).toBe('acknowledged');
    // A second alert nobody owns: the device is down again, and so is its site.
    f.setAlerts([alert('bey-acc-1', { muted: { kind: 'silence', id: 's1' } }), alert('bey-acc-1', {})]);
    view = await f.cache.view();
    expect(view.nodes[1]?.state).toBe('down');
    expect(view.sites.find((s) => s.id === 'BEY')).toMatchObject({
      state: 'down',
      counts: { up: 1, down: 1 },
    });
    // An alert on a device that answers: degraded.
    f.setAlerts([alert('bey-core', {})]);
    view = await f.cache.view();
    expect(view.nodes[0]).toMatchObject({ state: 'degraded', reasons: ['1 alert firing'] });
  });
});
