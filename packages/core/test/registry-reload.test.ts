import { createMonitor, definePlugin, type InventoryStore, tokens } from '@ispmonitor/core';
import { createFakeLogger, FakeClock, memoryInventory } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';

/** A plugin providing `inventory` as the device store, and a driver `x` that polls nothing. */
function storePlugin(name: string, inventory: InventoryStore) {
  return definePlugin({
    name,
    version: '1.0.0',
    setup(ctx) {
      ctx.provide(tokens.Inventory, inventory);
      ctx.provide(tokens.Driver, { kind: 'x', poll: async () => ({ samples: [] }) });
    },
  });
}

describe('devices.reload (processes sharing one inventory store)', () => {
  it('picks up devices another process added, changed and removed, with bus events, without writing', async () => {
    const shared = memoryInventory();
    let writes = 0;
    const counted = {
      ...shared,
      put: async (d: Parameters<typeof shared.put>[0]) => {
        writes++;
        await shared.put(d);
      },
    };
    const sharedStore = storePlugin('shared-store', counted);
    const make = () =>
      createMonitor({
        plugins: [sharedStore()],
        logger: createFakeLogger(),
        clock: new FakeClock(),
        devices: [{ id: 'cfg', host: '10.0.0.9', driver: 'x' }],
      });
    const a = await make();
    const b = await make();
    await a.start();
    await b.start();
    try {
      await a.devices.add({ id: 'r1', host: '10.0.0.1', driver: 'x', labels: { site: 'BEY', role: 'core' } });
      await a.devices.add({ id: 'r2', host: '10.0.0.2', driver: 'x' });
      const events: string[] = [];
      b.bus.on('device:added', (e) => void events.push(`added ${e.device.id}`));
      b.bus.on('device:changed', (e) => void events.push(`changed ${e.device.id}`));
      b.bus.on('device:removed', (e) => void events.push(`removed ${e.device.id}`));
      const before = writes;

      expect(await b.devices.reload()).toEqual({ added: 2, changed: 0, removed: 0 });
      expect(b.devices.get('r1')?.device.labels).toEqual({ site: 'BEY', role: 'core' });
      // Nothing changed since: a second reload is quiet, even though key order may differ.
      expect(await b.devices.reload()).toEqual({ added: 0, changed: 0, removed: 0 });

      await a.devices.update('r1', { host: '10.0.0.11' });
      await a.devices.remove('r2');
      expect(await b.devices.reload()).toEqual({ added: 0, changed: 1, removed: 1 });
      expect(b.devices.get('r1')?.device.host).toBe('10.0.0.11');
      expect(b.devices.get('r2')).toBeUndefined();
      // Config devices are never dropped by a reload.
      expect(b.devices.get('cfg')?.origin).toBe('config');
      expect(events).toEqual(['added r1', 'added r2', 'changed r1', 'removed r2']);
      expect(writes - before).toBe(1); // only a's update wrote
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});

describe('devices.reload racing local changes', () => {
  it('never drops or reverts a device added or changed here while the store was being read', async () => {
    const inner = memoryInventory();
    let release: (() => void) | undefined;
    // A store whose list() answers with what it held when asked, but only once released.
    const slow = {
      ...inner,
      list: async () => {
        const snapshot = await inner.list();
        await new Promise<void>((r) => {
          release = r;
        });
        return snapshot;
      },
    };
    const plugin = storePlugin('slow-store', slow);
    const m = await createMonitor({
      plugins: [plugin()],
      logger: createFakeLogger(),
      clock: new FakeClock(),
    });
    try {
      await m.devices.add({ id: 'old', host: '10.0.0.1', driver: 'x' });
      const reloading = m.devices.reload();
      await m.devices.add({ id: 'new', host: '10.0.0.2', driver: 'x' });
      await m.devices.update('old', { host: '10.0.0.3' });
      release?.();
      expect(await reloading).toEqual({ added: 0, changed: 0, removed: 0 });
      expect(m.devices.get('new')).toBeDefined();
      expect(m.devices.get('old')?.device.host).toBe('10.0.0.3');
    } finally {
      await m.stop();
    }
  });
});
