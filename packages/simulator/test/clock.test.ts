import { FakeClock } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';
import { startSnmpFleet } from '../src/fleet.js';
import { Client } from './support/net-snmp.js';

describe('driven by core’s FakeClock', () => {
  it('uptime and counters follow the fake clock; delayed replies wait for it', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 20));
    const fleet = await startSnmpFleet({
      count: 2,
      clock,
      faults: (i) => (i === 1 ? { latencyMs: 5_000 } : undefined),
    });
    const [fast, slow] = fleet.devices;
    const c = new Client(fast!.host, fast!.port, 'public');
    try {
      const up = async () => Number((await c.get(['1.3.6.1.2.1.1.3.0']))[0]!.value);
      const first = await up();
      await clock.advance(90_000);
      expect((await up()) - first).toBe(9_000);

      // 5 s of simulated latency: no reply until the fake clock passes it, then the reply is sent.
      const s = new Client(slow!.host, slow!.port, 'public', { timeout: 3_000 });
      const pending = s.get(['1.3.6.1.2.1.1.5.0']);
      // The request reaches the fleet and waits for the fake clock: wait for that state, not a sleep.
      for (let i = 0; i < 250 && fleet.stats().pendingReplies === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(fleet.stats().pendingReplies).toBe(1);
      await clock.advance(5_000);
      expect(String((await pending)[0]!.value)).toBe(slow!.id);
      s.close();
    } finally {
      c.close();
      await fleet.close();
    }
  });

  it('a reply larger than maxMessageSize is tooBig for a real client', async () => {
    const fleet = await startSnmpFleet({ maxMessageSize: 484 });
    const d = fleet.devices[0]!;
    const c = new Client(d.host, d.port, 'public');
    try {
      const oids = Array.from({ length: 28 }, (_, i) => `1.3.6.1.2.1.31.1.1.1.1.${i + 1}`);
      await expect(c.get(oids)).rejects.toThrow(/tooBig|Too ?big/i);
      // net-snmp nests each repeater's varbinds in an array of their own.
      const bulk = (await c.getBulk(['1.3.6.1.2.1.2'], 0, 200)).flat();
      expect(bulk.length).toBeGreaterThan(5);
      expect(bulk.length).toBeLessThan(60);
    } finally {
      c.close();
      await fleet.close();
    }
  });

  it('an internal error while answering is counted, and the fleet keeps serving', async () => {
    let broken = true;
    const clock = {
      now: () => {
        if (broken) throw new Error('clock failure');
        return Date.now();
      },
      setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
    };
    broken = false;
    const fleet = await startSnmpFleet({ clock });
    const d = fleet.devices[0]!;
    const c = new Client(d.host, d.port, 'public', { timeout: 300 });
    try {
      broken = true;
      await expect(c.get(['1.3.6.1.2.1.1.5.0'])).rejects.toThrow(/timed out/i);
      expect(fleet.stats().internalErrors).toBe(1);
      broken = false;
      expect(String((await c.get(['1.3.6.1.2.1.1.5.0']))[0]!.value)).toBe(d.id);
    } finally {
      c.close();
      await fleet.close();
    }
  });
});
