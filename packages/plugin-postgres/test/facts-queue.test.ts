import type { Device, InventoryFacts } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import { FactsQueue } from '../src/inventory/facts-queue.js';

const dev = (id: string): Device => ({ id, host: '127.0.0.1', driver: 'x' });
const tick = () => new Promise((r) => setTimeout(r, 5));

/** A writer whose writes finish only when released, recording what ran and how many at once. */
function slowWriter() {
  const written: Array<{ id: string; facts: InventoryFacts }> = [];
  const gates: Array<() => void> = [];
  let running = 0;
  let most = 0;
  const write = async (p: { device: Device; facts: InventoryFacts }) => {
    running++;
    most = Math.max(most, running);
    await new Promise<void>((r) => gates.push(r));
    written.push({ id: p.device.id, facts: p.facts });
    running--;
  };
  const releaseAll = async () => {
    while (gates.length) {
      for (const g of gates.splice(0)) g();
      await tick();
    }
  };
  return { written, write, releaseAll, most: () => most };
}

describe('FactsQueue: bounded, merged per device, in order', () => {
  it('never runs more writes at once than allowed, and writes every device', async () => {
    const w = slowWriter();
    const q = new FactsQueue(3, w.write);
    for (let i = 0; i < 50; i++) q.push(dev(`r${i}`), { system: { name: `r${i}` } }, i);
    await tick();
    expect(w.most()).toBe(3);
    await w.releaseAll();
    await q.drain();
    expect(w.written.map((x) => x.id).sort()).toEqual([...Array(50).keys()].map((i) => `r${i}`).sort());
  });

  it('merges facts that arrive while a device waits, newer kinds replacing older ones', async () => {
    const w = slowWriter();
    const q = new FactsQueue(1, w.write);
    q.push(dev('busy'), { system: { name: 'b' } }, 1); // runs at once
    q.push(dev('r1'), { interfaces: [{ index: 1, name: 'e1', operUp: true }] }, 1);
    q.push(dev('r1'), { interfaces: [{ index: 1, name: 'e1', operUp: false }] }, 2);
    q.push(dev('r1'), { system: { name: 'r1' } }, 3);
    expect(q.size).toBe(1);
    await w.releaseAll();
    await q.drain();
    expect(w.written).toEqual([
      { id: 'busy', facts: { system: { name: 'b' } } },
      {
        id: 'r1',
        facts: { interfaces: [{ index: 1, name: 'e1', operUp: false }], system: { name: 'r1' } },
      },
    ]);
  });

  it("keeps one device's writes in order: the next waits until the one running is done", async () => {
    const w = slowWriter();
    const q = new FactsQueue(4, w.write);
    q.push(dev('r1'), { system: { name: 'first' } }, 1);
    await tick();
    q.push(dev('r1'), { system: { name: 'second' } }, 2);
    await tick();
    expect(w.most()).toBe(1);
    await w.releaseAll();
    await q.drain();
    expect(w.written.map((x) => x.facts.system?.name)).toEqual(['first', 'second']);
  });

  it('forgets a removed device and survives a failing write', async () => {
    const seen: string[] = [];
    const q = new FactsQueue(1, async (p) => {
      seen.push(p.device.id);
      if (p.device.id === 'bad') throw new Error('boom');
    });
    q.push(dev('bad'), {}, 1);
    q.push(dev('gone'), {}, 1);
    q.push(dev('ok'), {}, 1);
    q.forget('gone');
    await q.drain();
    expect(seen).toEqual(['bad', 'ok']);
  });
});
