// The topology cache at fleet scale: between two requests it reads only the devices events named
// (a status change re-reads that device, a device added, changed or removed re-reads the list),
// and what it answers is never older than those events.
import { Bus, type DeviceState, type DeviceStatus } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import { TopologyCache } from '../src/topology/cache.js';
import { alertTally, HANDLED_SPAN } from '../src/topology/states.js';

const FLEET = 2000;
const dev = (i: number): DeviceState =>
  ({
    device: { id: `r${i}`, host: `127.0.9.${i % 250}`, driver: 'lab', labels: { site: `S${i % 7}` } },
    status: 'online',
  }) as unknown as DeviceState;

/** A registry-like view: its states are copies (as core's are), reads are counted. */
function fixture() {
  const bus = new Bus(() => {});
  const table = new Map<string, DeviceState>();
  for (let i = 0; i < FLEET; i++) table.set(`r${i}`, dev(i));
  const reads = { list: 0, get: 0 };
  const listeners = new Set<(c: { device: string }) => void>();
  let alerts: object[] = [];
  const cache = new TopologyCache({
    bus,
    devices: {
      list: () => {
        reads.list++;
        return [...table.values()].map((s) => ({ ...s }));
      },
      get: (id) => {
        reads.get++;
        const s = table.get(id);
        return s && { ...s };
      },
      onStatusChange: (fn) => {
        listeners.add(fn);
        return () => listeners.delete(fn);
      },
    },
    neighbours: async () => [],
    firingAlerts: async () => alerts,
  });
  /** A status change as core makes it: the entry changes, then the bus says so. */
  const setStatus = (id: string, status: DeviceStatus) => {
    const s = table.get(id) as DeviceState;
    const previous = s.status;
    table.set(id, { ...s, status });
    bus.emit('device:status', { device: s.device, previous, status, ts: 1, reason: undefined } as never);
  };
  /** A status change an API replica learns from storage: no bus event, the view's own listener. */
  const replicaStatus = (id: string, status: DeviceStatus) => {
    const s = table.get(id) as DeviceState;
    table.set(id, { ...s, status });
    for (const fn of listeners) fn({ device: id });
  };
  const setAlerts = (a: object[]) => {
    alerts = a;
  };
  return { bus, cache, table, reads, setStatus, replicaStatus, setAlerts };
}

const stateOf = (view: { nodes: Array<{ id: string; state: string }> }, id: string) =>
  view.nodes.find((n) => n.id === id)?.state;

describe('topology cache driven by events', () => {
  it('reads the list once, then only the devices whose status changed, and shows them at once', async () => {
    const f = fixture();
    const first = await f.cache.answer('sites', 1500);
    expect(first).toMatchObject({ collapsed: true, total: FLEET, counts: { up: FLEET } });
    expect(f.reads.list).toBe(1);

    // Nothing happened: no read of the fleet, nothing recomputed.
    await f.cache.answer('sites', 1500);
    expect(f.reads).toEqual({ list: 1, get: 0 });
    expect(f.cache.live.lastRecomputed).toBe(0);

    // Two routers go down: the next answer shows both, having read those two alone.
    f.setStatus('r5', 'offline');
    f.setStatus('r6', 'unreachable');
    const after = await f.cache.answer('sites', 1500);
    expect(f.reads).toEqual({ list: 1, get: 2 });
    expect(f.cache.live.lastRecomputed).toBe(2);
    expect(after).toMatchObject({ counts: { up: FLEET - 2, down: 1, unreachable: 1 }, problems: 2 });
    expect(stateOf(after as never, 'r5')).toBe('down');
    expect(stateOf(after as never, 'r6')).toBe('unreachable');

    // A replica's status (no bus event) shows as soon too.
    f.replicaStatus('r5', 'online');
    const back = await f.cache.answer('sites', 1500);
    expect(back).toMatchObject({ counts: { up: FLEET - 1, unreachable: 1 }, problems: 1 });
    expect(f.reads.list).toBe(1);
  });

  it('shows alerts firing, acknowledged and resolved on the next answer, without reading the fleet', async () => {
    const f = fixture();
    await f.cache.answer('full', FLEET);
    f.setStatus('r9', 'offline');
    const fire = (device: string, extra: object = {}) => ({ state: 'firing', labels: { device }, ...extra });
    f.setAlerts([fire('r9'), fire('r10')]);
    let view = await f.cache.answer('full', FLEET);
    expect(stateOf(view, 'r9')).toBe('down');
    expect(stateOf(view, 'r10')).toBe('degraded');
    f.setAlerts([fire('r9', { ack: { by: 'noc' } }), fire('r10')]);
    view = await f.cache.answer('full', FLEET);
    expect(stateOf(view, 'r9')).toBe('acknowledged');
    expect(f.cache.live.lastRecomputed).toBe(1);
    f.setAlerts([]);
    view = await f.cache.answer('full', FLEET);
    expect(stateOf(view, 'r9')).toBe('down');
    expect(stateOf(view, 'r10')).toBe('up');
    expect(f.reads.list).toBe(1);
  });

  it('reads the whole list again when a device is added, changed or removed', async () => {
    const f = fixture();
    await f.cache.answer('full', 1500);
    const added = dev(FLEET);
    f.table.set(added.device.id, added);
    f.bus.emit('device:added', { device: added.device });
    const view = await f.cache.answer('full', 1500);
    expect(f.reads.list).toBe(2);
    expect(view.nodes).toHaveLength(FLEET + 1);
    expect(stateOf(view as never, added.device.id)).toBe('up');

    // Disabled: a changed definition (a new object), admin-down at once.
    const r1 = f.table.get('r1') as DeviceState;
    f.table.set('r1', { ...r1, device: { ...r1.device, enabled: false } });
    f.bus.emit('device:changed', { device: (f.table.get('r1') as DeviceState).device } as never);
    expect(stateOf((await f.cache.answer('full', 1500)) as never, 'r1')).toBe('admin-down');

    const r2 = f.table.get('r2') as DeviceState;
    f.table.delete('r2');
    f.bus.emit('device:removed', { device: r2.device });
    const fewer = await f.cache.answer('full', 1500);
    expect(fewer.nodes).toHaveLength(FLEET);
    expect(stateOf(fewer as never, 'r2')).toBeUndefined();
  });

  it('answers full below the threshold and collapsed above it (view=auto)', async () => {
    const f = fixture();
    expect(await f.cache.answer('auto', FLEET)).not.toHaveProperty('collapsed');
    expect(await f.cache.answer('auto', FLEET - 1)).toMatchObject({ collapsed: true });
  });
});

describe('alerts per device', () => {
  it('counts firing alerts and the acknowledged or silenced among them, in one number per device', () => {
    const a = (device: string, state: string, extra: object = {}) => ({
      state,
      labels: { device },
      ...extra,
    });
    const index = new Map([
      ['r1', 0],
      ['r2', 1],
      ['r3', 2],
    ]);
    const tally = new Float64Array(3);
    alertTally(
      [
        a('r1', 'firing'),
        a('r1', 'firing', { ack: { by: 'noc' } }),
        a('r1', 'firing', { muted: { kind: 'silence' } }),
        a('r1', 'pending'),
        a('r2', 'firing', { muted: { kind: 'inhibited' } }),
        { status: 'firing', labels: { device: 'r3' }, acknowledged: true },
        { state: 'firing', labels: {} },
        // A device the map does not know: left out.
        a('elsewhere', 'firing'),
      ],
      index,
      tally,
    );
    expect([...tally]).toEqual([3 * HANDLED_SPAN + 2, HANDLED_SPAN, HANDLED_SPAN + 1]);
  });
});
