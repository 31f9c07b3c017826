import { describe, expect, it } from 'vitest';
import { createDemoFleet, DEMO_TIMELINE, planDemoNetwork } from '../src/demo.js';
import { demoBngModelOptions } from '../src/demo-bngs.js';
import { RouterModel } from '../src/routeros/model.js';
import { menuRows } from '../src/routeros/tables.js';
import { Client } from './support/net-snmp.js';

describe('planDemoNetwork', () => {
  it.each([1, 5, 12, 60])('plans %i devices as one tree rooted at the border router', (n) => {
    const { nodes } = planDemoNetwork(n);
    expect(nodes).toHaveLength(n);
    expect(new Set(nodes.map((d) => d.id)).size).toBe(n);
    const byId = new Map(nodes.map((d) => [d.id, d]));
    expect(nodes.filter((d) => !d.parent).map((d) => d.id)).toEqual(['bey-border-1']);
    for (const d of nodes) {
      // Walking up from any device reaches the root without a cycle.
      let cur = d;
      for (let hops = 0; cur.parent; hops++) {
        expect(hops).toBeLessThan(n);
        cur = byId.get(cur.parent)!;
        expect(cur).toBeDefined();
      }
      expect(Math.abs(d.location.lat - 34)).toBeLessThan(1);
    }
  });

  it('stages problems within the first minute on distinct devices', () => {
    const { problems } = planDemoNetwork(12);
    expect(problems.map((p) => p.kind).sort()).toEqual(['cpu-spike', 'device-dead', 'link-down']);
    expect(new Set(problems.map((p) => p.device)).size).toBe(3);
    expect(problems.every((p) => p.atMs < 60_000)).toBe(true);
    expect(planDemoNetwork(12, false).problems).toEqual([]);
  });
});

describe('createDemoFleet', () => {
  it('serves every device it returns, and the staged problems happen on time', async () => {
    const clock = {
      t: Date.UTC(2025, 5, 1, 18),
      now: () => clock.t,
      setTimeout: (f: () => void, ms: number) => setTimeout(f, ms),
    };
    const demo = await createDemoFleet({ snmpDevices: 12, clock });
    try {
      expect(demo.devices).toHaveLength(12);
      for (const d of demo.devices) {
        expect(d).toMatchObject({ driver: 'snmp', snmp: { version: '2c', community: 'public' } });
        const c = new Client(d.host, d.port!, 'public');
        expect(String((await c.get(['1.3.6.1.2.1.1.5.0']))[0]!.value)).toBe(d.id);
        // Below the border router every device names its uplink ports, which it has (ifName, or
        // ifDescr on an agent without ifXTable), for the alert pack and the topology's parent link.
        const uplinks = d.labels?.uplinks?.split(',') ?? [];
        expect(uplinks.length > 0, d.id).toBe(d.parent !== undefined);
        const column = async (oid: string) =>
          (await c.walk(oid)).filter((vb) => vb.oid.startsWith(`${oid}.`)).map((vb) => String(vb.value));
        const names = [...(await column('1.3.6.1.2.1.31.1.1.1.1')), ...(await column('1.3.6.1.2.1.2.2.1.2'))];
        for (const u of uplinks) expect(names, d.id).toContain(u);
        c.close();
      }
      const spike = demo.problems.find((p) => p.kind === 'cpu-spike')!;
      const dead = demo.problems.find((p) => p.kind === 'device-dead')!;
      const dev = (id: string) => demo.devices.find((d) => d.id === id)!;
      const cpu = new Client(dev(spike.device).host, dev(spike.device).port!, 'public');
      const gone = new Client(dev(dead.device).host, dev(dead.device).port!, 'public', { timeout: 300 });
      try {
        clock.t += DEMO_TIMELINE.cpuSpikeMs + 1000;
        expect(Number((await cpu.get(['1.3.6.1.2.1.25.3.3.1.2.1']))[0]!.value)).toBeGreaterThanOrEqual(95);
        await gone.get(['1.3.6.1.2.1.1.3.0']);
        clock.t += DEMO_TIMELINE.deadMs;
        await expect(gone.get(['1.3.6.1.2.1.1.3.0'])).rejects.toThrow(/timed out/i);
      } finally {
        cpu.close();
        gone.close();
      }
    } finally {
      await demo.close();
    }
  });
});

describe('demo BNGs', () => {
  it('have their BGP sessions up but for one (one alert, not one per BNG); a plain model keeps half down', () => {
    const options = demoBngModelOptions(4);
    const established = (m: RouterModel) =>
      (menuRows(m, '/routing/bgp/session') ?? []).map((r) => r.established === 'true');
    expect(established(new RouterModel(options(0)))).toEqual([true, false]);
    for (const i of [1, 2, 3]) expect(established(new RouterModel(options(i)))).toEqual([true, true]);
    expect(established(new RouterModel({ profile: 'v7.16', bgpPeers: 4 }))).toEqual([
      true,
      false,
      true,
      false,
    ]);
  });
});
