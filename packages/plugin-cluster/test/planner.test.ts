import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../test/support/seeded-random.js';
import { bucketOf, hash32 } from '../src/hash.js';
import { type PlanInput, plan } from '../src/planner.js';

/** A toy cluster: replicas (by pid) and the lock table, driven round by round like the database. */
class Sim {
  holders = new Map<number, number>();
  held = new Map<number, Map<number, number>>();
  surplus = new Map<number, number | undefined>();
  freeSince = new Map<number, number>();
  moves = 0;
  now = 0;
  readonly random = seededRandom(7);

  constructor(
    readonly buckets: number,
    readonly delay = 5000,
  ) {}

  join(pid: number): void {
    this.held.set(pid, new Map());
  }

  /** The replica dies: its session ends, its locks vanish. */
  kill(pid: number): void {
    this.held.delete(pid);
    for (const [b, p] of this.holders) if (p === pid) this.holders.delete(b);
  }

  round(): void {
    this.now += 1000;
    for (let b = 0; b < this.buckets; b++) {
      if (this.holders.has(b)) this.freeSince.delete(b);
      else if (!this.freeSince.has(b)) this.freeSince.set(b, this.now);
    }
    for (const [pid, held] of this.held) {
      const input: PlanInput = {
        now: this.now,
        buckets: this.buckets,
        selfPid: pid,
        held,
        holders: this.holders,
        livePids: [...this.held.keys()],
        freeSince: this.freeSince,
        surplusSince: this.surplus.get(pid),
        orphanGraceMs: 2000,
        rebalanceDelayMs: this.delay,
        random: this.random,
      };
      const p = plan(input);
      this.surplus.set(pid, p.surplusSince);
      for (const b of p.release) {
        held.delete(b);
        this.holders.delete(b);
        this.moves++;
      }
      for (const b of p.acquire) {
        if (this.holders.has(b)) continue; // another replica locked it first this round
        this.holders.set(b, pid);
        held.set(b, this.now);
        this.moves++;
      }
    }
  }

  counts(): number[] {
    return [...this.held.values()].map((h) => h.size).sort((a, b) => a - b);
  }
}

describe('bucket hash', () => {
  it('is stable across versions (pinned values)', () => {
    // Replicas of two versions must agree during a rolling upgrade: these values never change.
    expect([hash32(''), hash32('bey-core-1'), hash32('r-1')]).toEqual([3954623016, 253624243, 1177645673]);
    expect(bucketOf('bey-core-1', 256)).toBe(253624243 % 256);
    expect(hash32('bey-core-1')).not.toBe(hash32('bey-core-2'));
  });

  it('spreads 20,000 sequential ids evenly over 256 buckets', () => {
    const counts = new Array(256).fill(0);
    for (let i = 0; i < 20_000; i++) counts[bucketOf(`router-${i}`, 256)]++;
    const mean = 20_000 / 256;
    // Chi-square with 255 degrees of freedom: 330 is its 99.9th percentile for a uniform spread.
    const chi2 = counts.reduce((sum, c) => sum + (c - mean) ** 2 / mean, 0);
    expect(chi2).toBeLessThan(330);
    expect(Math.min(...counts)).toBeGreaterThan(mean * 0.5);
  });
});

describe('planner', () => {
  it('a lone replica takes every bucket', () => {
    const sim = new Sim(256);
    sim.join(1);
    sim.round();
    expect(sim.counts()).toEqual([256]);
  });

  it('a joining replica gets its share from the surplus only, after the rebalance delay', () => {
    const sim = new Sim(256, 5000);
    sim.join(1);
    sim.join(2);
    for (let i = 0; i < 3; i++) sim.round();
    expect(sim.counts()).toEqual([128, 128]);
    const before = new Map(sim.holders);
    sim.moves = 0;
    sim.join(3);
    sim.round();
    expect(sim.counts()).toEqual([0, 128, 128]); // sticky: nothing moves before the delay
    for (let i = 0; i < 8; i++) sim.round();
    expect(sim.counts()).toEqual([84, 86, 86]);
    // No storm: only what the new replica holds moved (released once, acquired once).
    expect(sim.moves).toBe(84 * 2);
    let kept = 0;
    for (const [b, pid] of sim.holders) if (before.get(b) === pid) kept++;
    expect(kept).toBe(256 - 84);
    // Stable afterwards.
    sim.moves = 0;
    for (let i = 0; i < 10; i++) sim.round();
    expect(sim.moves).toBe(0);
  });

  it('the buckets of a dead replica are taken over by the survivors at once, all of them', () => {
    const sim = new Sim(256);
    for (const pid of [1, 2, 3]) sim.join(pid);
    for (let i = 0; i < 12; i++) sim.round();
    expect(sim.counts().reduce((a, b) => a + b)).toBe(256);
    sim.kill(2);
    sim.round();
    sim.round();
    sim.round();
    expect(sim.holders.size).toBe(256);
    expect(sim.counts()).toEqual([128, 128]);
  });

  it('replicas at their share still take orphaned buckets after the grace (a dead peer still counted live)', () => {
    const held = new Map<number, number>([
      [0, 0],
      [1, 0],
    ]);
    const holders = new Map<number, number>([
      [0, 10],
      [1, 10],
    ]);
    const base: PlanInput = {
      now: 10_000,
      buckets: 4,
      selfPid: 10,
      held,
      holders,
      livePids: [10, 20], // 20 died but its heartbeat row is still fresh
      freeSince: new Map([
        [2, 9_500],
        [3, 9_500],
      ]),
      surplusSince: undefined,
      orphanGraceMs: 2000,
      rebalanceDelayMs: 5000,
      random: seededRandom(1),
    };
    expect(plan(base).acquire).toEqual([]);
    // Two replicas counted live: this one takes half of the two orphans, the survivor-to-be the rest.
    const later = plan({ ...base, now: 11_600 });
    expect(later.acquire).toHaveLength(1);
    expect([2, 3]).toContain(later.acquire[0]);
  });

  it('never releases while nobody needs the buckets, and releases the newest first', () => {
    const held = new Map<number, number>([
      [0, 100],
      [1, 300],
      [2, 200],
    ]);
    const holders = new Map<number, number>([
      [0, 10],
      [1, 10],
      [2, 10],
      [3, 20],
    ]);
    const input: PlanInput = {
      now: 1000,
      buckets: 4,
      selfPid: 10,
      held,
      holders,
      livePids: [10, 20],
      freeSince: new Map(),
      surplusSince: undefined,
      orphanGraceMs: 2000,
      rebalanceDelayMs: 5000,
    };
    const first = plan(input);
    expect(first.release).toEqual([]);
    expect(first.surplusSince).toBe(1000);
    const due = plan({ ...input, now: 6000, surplusSince: first.surplusSince });
    expect(due.release).toEqual([1]);
    // Peer 20 already holds its share: nothing to give.
    holders.set(1, 20);
    held.delete(1);
    const none = plan({ ...input, now: 20_000, surplusSince: 1000 });
    expect(none.release).toEqual([]);
    expect(none.surplusSince).toBeUndefined();
  });
});
