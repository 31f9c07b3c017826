import { Bus, type DeviceState, type Sample } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import { buildStructure, structureSignature } from '../src/topology/build.js';
import { counterBps, LinkRates, utilisationOf } from '../src/topology/rates.js';
import { topologyView } from '../src/topology/view.js';

const device = (id: string, extra: Partial<DeviceState['device']> = {}): DeviceState =>
  ({
    device: { id, host: `127.0.9.${id.length}`, driver: 'lab', ...extra },
    status: 'online',
  }) as DeviceState;

const counter = (dev: string, ifName: string, dir: 'in' | 'out', value: number, ts: number): Sample => ({
  name: `interface_${dir}_octets_total`,
  labels: { device: dev, ifName },
  value,
  ts,
});

describe('link rates from counters (hand-computed)', () => {
  it('is the octets between two readings over the time between them, in bits', () => {
    // 12,500,000 octets in 10 s = 1,250,000 octets/s = 10,000,000 bit/s.
    expect(counterBps({ value: 1_000_000, ts: 0 }, { value: 13_500_000, ts: 10_000 })).toBe(10_000_000);
    // Polls 30 s apart: the rate is over those 30 s, not over a 10 s query step (which read 3× high).
    expect(counterBps({ value: 0, ts: 0 }, { value: 3_750_000_000, ts: 30_000 })).toBe(1_000_000_000);
  });

  it('takes a 32-bit wrap as a wrap and a reset as no rate', () => {
    // 2^32 − 4,294,967,000 = 296 octets to the wrap, then 704: 1,000 octets in 1 s = 8,000 bit/s.
    expect(counterBps({ value: 4_294_967_000, ts: 0 }, { value: 704, ts: 1000 })).toBe(8000);
    // A counter beyond 32 bits that goes down was reset (reboot): no rate from that pair.
    expect(counterBps({ value: 5e12, ts: 0 }, { value: 100, ts: 1000 })).toBeUndefined();
    // A "wrap" implying more than the line rate is a reset too.
    expect(counterBps({ value: 4_000_000_000, ts: 0 }, { value: 10, ts: 1000 }, 100e6)).toBeUndefined();
    expect(counterBps({ value: 10, ts: 5 }, { value: 20, ts: 5 })).toBeUndefined();
  });

  it('clamps utilisation to 0..1', () => {
    expect(utilisationOf(250e6, 1e9)).toBe(0.25);
    expect(utilisationOf(1.3e9, 1e9)).toBe(1);
    expect(utilisationOf(5e6, undefined)).toBeUndefined();
    expect(utilisationOf(5e6, 0)).toBeUndefined();
  });
});

describe('a link per direction', () => {
  // core-1 ← parent of → acc-1, whose uplink ether1 faces core-1; core-1's side is unnamed.
  const states = [device('core-1'), device('acc-1', { parent: 'core-1', labels: { uplinks: 'ether1' } })];
  const structure = buildStructure(states, [], structureSignature(states, []), 0);
  const link = () => {
    const bus = new Bus(() => {});
    const rates = new LinkRates(bus);
    rates.want(structure.watched);
    return { bus, rates };
  };

  it('forward (parent → child) is what the child receives, reverse what it sends', () => {
    const { bus, rates } = link();
    bus.emit('facts', {
      device: states[1]?.device as DeviceState['device'],
      facts: { interfaces: [{ index: 1, name: 'ether1', speedBps: 100e6, operUp: true, adminUp: true }] },
      ts: 0,
    });
    // Readings 30 s apart. In: 150,000,000 octets = 40 Mbit/s; out: 37,500,000 octets = 10 Mbit/s.
    rates.ingest([counter('acc-1', 'ether1', 'in', 1_000, 0), counter('acc-1', 'ether1', 'out', 5_000, 0)]);
    bus.emit('samples', {
      device: states[1]?.device as DeviceState['device'],
      samples: [
        counter('acc-1', 'ether1', 'in', 150_001_000, 30_000),
        counter('acc-1', 'ether1', 'out', 37_505_000, 30_000),
      ],
    });
    const view = topologyView(structure, states, [], (d, i) => rates.get(d, i), 30_000);
    const l = view.links[0];
    expect(l).toMatchObject({
      source: 'core-1',
      target: 'acc-1',
      capacityBps: 100e6,
      forward: { bps: 40e6, utilisation: 0.4 },
      reverse: { bps: 10e6, utilisation: 0.1 },
      utilisation: 0.4,
    });
    rates.close();
  });

  it('never shows more than 100 %, and an uplink without link makes the link down and the child degraded', () => {
    const { rates } = link();
    // 10 Mbit/s of speed, 12 Mbit/s measured (timestamps jitter): clamped to 1.
    rates.ingest([
      { name: 'interface_speed_bps', labels: { device: 'acc-1', ifName: 'ether1' }, value: 10e6, ts: 0 },
      counter('acc-1', 'ether1', 'in', 0, 0),
      counter('acc-1', 'ether1', 'in', 1_500_000, 1000),
    ]);
    let view = topologyView(structure, states, [], (d, i) => rates.get(d, i), 1000);
    expect(view.links[0]?.forward).toEqual({ bps: 12e6, utilisation: 1 });
    rates.ingest([
      { name: 'interface_oper_up', labels: { device: 'acc-1', ifName: 'ether1' }, value: 0, ts: 2000 },
    ]);
    view = topologyView(structure, states, [], (d, i) => rates.get(d, i), 2000);
    expect(view.links[0]?.state).toBe('down');
    expect(view.nodes.find((n) => n.id === 'acc-1')).toMatchObject({
      state: 'degraded',
      reasons: ['uplink ether1 down'],
    });
    // Disabled on purpose: admin-down, never "down".
    rates.ingest([
      { name: 'interface_admin_up', labels: { device: 'acc-1', ifName: 'ether1' }, value: 0, ts: 3000 },
    ]);
    view = topologyView(structure, states, [], (d, i) => rates.get(d, i), 3000);
    expect(view.links[0]?.state).toBe('admin-down');
    expect(view.nodes.find((n) => n.id === 'acc-1')?.state).toBe('up');
  });

  it('ignores interfaces that are not link ends or uplinks', () => {
    const { rates } = link();
    rates.ingest([counter('acc-1', 'ether9', 'in', 0, 0), counter('acc-1', 'ether9', 'in', 10, 1000)]);
    expect(rates.get('acc-1', 'ether9')).toBeUndefined();
  });
});
