import { Bus, type DeviceState } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import { buildStructure, structureSignature } from '../src/topology/build.js';
import { worstFirst } from '../src/topology/collapsed.js';
import { LiveStates } from '../src/topology/live-states.js';
import type { NodeView } from '../src/topology/view.js';

const RANK: Record<string, number> = { down: 0, unreachable: 1, acknowledged: 2 };
const node = (name: string, state: string) => ({ id: name, name, state }) as unknown as NodeView;

describe('collapsed topology: what keeps it cheap at 10,000 routers', () => {
  it('picks the k first of the down list exactly as a full sort would', () => {
    const states = ['down', 'unreachable', 'acknowledged'];
    // A fixed pseudo-random fleet: names and states in no order, duplicates of a name too.
    let seed = 7;
    const next = () => {
      seed = (seed * 48271) % 2147483647;
      return seed;
    };
    const list = Array.from({ length: 2000 }, () => node(`r-${next() % 900}`, states[next() % 3] as string));
    const collator = new Intl.Collator('en').compare;
    const sorted = [...list].sort(
      (a, b) => (RANK[a.state] ?? 9) - (RANK[b.state] ?? 9) || collator(a.name, b.name),
    );
    for (const k of [1, 10, 300, 2500]) {
      expect(worstFirst(list, k).map((n) => `${n.state}/${n.name}`)).toEqual(
        sorted.slice(0, k).map((n) => `${n.state}/${n.name}`),
      );
    }
  });

  it('a poll that changes nothing on the map keeps the view and the version', () => {
    const states = ['a', 'b', 'c'].map(
      (id) =>
        ({
          device: { id, host: '127.0.0.1', driver: 'lab', labels: { site: 'S' } },
          status: 'online',
        }) as unknown as DeviceState,
    );
    const structure = buildStructure(states, [], structureSignature(states, []), 0);
    const bus = new Bus(() => {});
    const live = new LiveStates(bus);
    live.refresh(structure, states, [], () => undefined);
    const before = live.nodes.get('b');
    const version = live.version;
    bus.emit('samples', { device: states[1]?.device, samples: [] } as never);
    live.refresh(structure, states, [], () => undefined);
    expect(live.lastRecomputed).toBe(0);
    expect(live.version).toBe(version);
    expect(live.nodes.get('b')).toBe(before);
    // A real change moves it.
    (states[1] as { status: string }).status = 'offline';
    live.refresh(structure, states, [], () => undefined);
    expect(live.lastRecomputed).toBe(1);
    expect(live.version).toBe(version + 1);
    expect(live.nodes.get('b')?.state).toBe('down');
  });
});
