// The API behind the console at 10,000 routers: the topology's device states kept current
// incrementally, its collapsed answer (sites, merged links, the down list's routers), a site's
// members on expand, and the report's routers sorted and paged by the server.

import { Bus, type DeviceState, type DeviceStatus } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import { defaultCharted } from '../src/interfaces/charted.js';
import type { RouterReport } from '../src/reports/data.js';
import { sortRouters } from '../src/reports/page.js';
import { buildStructure, structureSignature } from '../src/topology/build.js';
import { collapsedView, siteMembersView } from '../src/topology/collapsed.js';
import { LiveStates, worstOfTally } from '../src/topology/live-states.js';
import { interfaceRow } from './support/interfaces.js';

const device = (id: string, site: string | undefined, parent?: string): DeviceState =>
  ({
    device: {
      id,
      host: `127.0.9.${id.length}`,
      driver: 'lab',
      ...(parent ? { parent } : {}),
      labels: site ? { site } : {},
    },
    status: 'online',
  }) as DeviceState;

/** Two sites (north: n1 ← n2, n3; south: s1 ← s2), a link north → south, one router without a site. */
function fleet() {
  const states = [
    device('n1', 'north'),
    device('n2', 'north', 'n1'),
    device('n3', 'north', 'n1'),
    device('s1', 'south', 'n1'),
    device('s2', 'south', 's1'),
    device('lone', undefined, 's1'),
  ];
  const structure = buildStructure(states, [], structureSignature(states, []), 0);
  return { states, structure };
}

const setStatus = (bus: Bus, states: DeviceState[], id: string, status: DeviceStatus) => {
  const s = states.find((x) => x.device.id === id) as DeviceState;
  const previous = s.status;
  (s as { status: DeviceStatus }).status = status;
  bus.emit('device:status', { device: s.device, previous, status, ts: 1 });
};

const noRates = () => undefined;

describe('topology device states, kept current incrementally', () => {
  it('recomputes only the devices an event named, and moves the site and fleet tallies', () => {
    const { states, structure } = fleet();
    const bus = new Bus(() => {});
    const live = new LiveStates(bus);
    live.refresh(structure, states, [], noRates);
    expect(live.lastRecomputed).toBe(6);
    expect(live.site('north')).toEqual({ count: 3, counts: { up: 3 } });

    setStatus(bus, states, 'n2', 'offline');
    live.refresh(structure, states, [], noRates);
    expect(live.lastRecomputed).toBe(1);
    expect(live.nodes.get('n2')?.state).toBe('down');
    expect(live.site('north')).toEqual({ count: 3, counts: { up: 2, down: 1 } });
    expect(worstOfTally(live.site('north') as never)).toBe('down');
    expect(live.fleet.counts).toEqual({ up: 5, down: 1 });
    expect([...live.problems]).toEqual(['n2']);

    // Nothing happened: nothing recomputed.
    live.refresh(structure, states, [], noRates);
    expect(live.lastRecomputed).toBe(0);

    // An alert acknowledged on the down router: acknowledged, still in the down list.
    const alert = { state: 'firing', labels: { device: 'n2' }, ack: { by: 'anna' } };
    live.refresh(structure, states, [alert], noRates);
    expect(live.lastRecomputed).toBe(1);
    expect(live.nodes.get('n2')?.state).toBe('acknowledged');
    expect(live.problems.has('n2')).toBe(true);
    // The alert resolves, the router comes back.
    setStatus(bus, states, 'n2', 'online');
    live.refresh(structure, states, [], noRates);
    expect(live.site('north')).toEqual({ count: 3, counts: { up: 3 } });
    expect(live.problems.size).toBe(0);
    live.close();
  });
});

describe('the collapsed topology', () => {
  it('answers sites with their worst state, links merged per pair of sites, and the down list', () => {
    const { states, structure } = fleet();
    const bus = new Bus(() => {});
    const live = new LiveStates(bus);
    setStatus(bus, states, 's2', 'unreachable');
    live.refresh(structure, states, [], noRates);
    const v = collapsedView(structure, states, live, noRates, 5);
    expect(v).toMatchObject({ collapsed: true, total: 6, problems: 1, counts: { up: 5, unreachable: 1 } });
    // The router without a site, then the down list's router.
    expect(v.nodes.map((n) => n.id)).toEqual(['lone', 's2']);
    const south = v.sites.find((s) => s.id === 'south');
    expect(south).toMatchObject({ count: 2, state: 'unreachable', counts: { up: 1, unreachable: 1 } });
    // n1 → s1 becomes north → south; s1 → lone becomes south → lone (ends in name order);
    // links inside a site are gone.
    expect(v.links.map((l) => [l.source, l.target, l.links]).sort()).toEqual([
      ['lone', 'site:south', 1],
      ['site:north', 'site:south', 1],
    ]);
    live.close();
  });

  it("answers a site's routers and the links among them on expand", () => {
    const { states, structure } = fleet();
    const live = new LiveStates();
    live.refresh(structure, states, [], noRates);
    const north = siteMembersView(structure, states, live, noRates, 'north', 5);
    expect(north?.nodes.map((n) => n.id)).toEqual(['n1', 'n2', 'n3']);
    expect(north?.links.map((l) => `${l.source}>${l.target}`).sort()).toEqual(['n1>n2', 'n1>n3']);
    expect(siteMembersView(structure, states, live, noRates, 'nowhere', 5)).toBeUndefined();
  });
});

describe("the report's routers, sorted by the server", () => {
  const row = (name: string, availability: number | null, outages = 0) =>
    ({
      id: name,
      name,
      site: null,
      status: 'online',
      availability,
      outages: new Array(outages),
    }) as unknown as RouterReport;

  it('puts the worst first, routers never covered last either way, ties and names by number', () => {
    const rows = [row('acc-10', 1), row('acc-2', 1), row('b', null), row('c', 0.5), row('d', 0.9)];
    expect(sortRouters(rows, 'availability', false).map((r) => r.id)).toEqual([
      'c',
      'd',
      'acc-2',
      'acc-10',
      'b',
    ]);
    expect(sortRouters(rows, 'availability', true).map((r) => r.id)).toEqual([
      'acc-2',
      'acc-10',
      'd',
      'c',
      'b',
    ]);
    expect(sortRouters(rows, 'name', false).map((r) => r.id)).toEqual(['acc-2', 'acc-10', 'b', 'c', 'd']);
    expect(sortRouters([row('x', 1, 3), row('y', 1, 1)], 'outages', true).map((r) => r.id)).toEqual([
      'x',
      'y',
    ]);
  });
});

describe("the router page's default charts, chosen by the server", () => {
  it('charts the uplinks first, down or not, then the busiest running ports, four in all', async () => {
    const port = interfaceRow;
    const interfaces = [
      port('ge1'),
      port('ge2', { alias: 'to customer', speedBps: 1e9 }),
      port('ge3'),
      port('ge4', { operUp: false }),
      port('ge5', { adminUp: false, operUp: false }),
      port('ge6'),
      port('ge7'),
      port('up1', { operUp: false }),
    ];
    // Octet counters 60 s apart: ge2 60 Mbit/s out, ge3 8 Mbit/s in, ge4 (down) busiest of all.
    const octets: Record<string, [number, number]> = { ge2: [0, 450e6], ge3: [60e6, 0], ge4: [9e9, 0] };
    const samples = {
      range: async (q: { name: string }) =>
        Object.entries(octets).map(([ifName, [inc, outc]]) => ({
          labels: { device: 'r1', ifName },
          points: [
            [0, 0],
            [60_000, q.name.includes('_in_') ? inc : outc],
          ],
        })),
    };
    const device = { id: 'r1', host: '127.0.0.9', driver: 'lab', labels: { uplinks: 'up1' } };
    const chosen = await defaultCharted({
      device: device as never,
      interfaces,
      samples: samples as never,
      now: 60_000,
    });
    expect(chosen.map((c) => c.name)).toEqual(['up1', 'ge2', 'ge3', 'ge1']);
    expect(chosen[0]).toMatchObject({ uplink: true, state: 'down' });
    expect(chosen[1]).toMatchObject({ alias: 'to customer', speedBps: 1e9, uplink: false, state: 'up' });
  });
});
