/** The poller pool's polls in flight: places reused, each `seq` answered once, stale ones ignored. */
import { describe, expect, it } from 'vitest';
import type { PollOutcome } from '../src/scheduler/run-poll.js';
import { Pending } from '../src/workers/pool.js';

const outcome: PollOutcome = { ok: true, durationMs: 1, attempts: 1 };

describe('poller pool: polls in flight', () => {
  it('gives each poll a distinct seq, answers it once, and reuses the place under a new seq', () => {
    const pending = new Pending();
    const got: string[] = [];
    const a = pending.add(() => got.push('a'));
    const b = pending.add(() => got.push('b'));
    expect(a).not.toBe(b);
    expect(pending.size).toBe(2);
    pending.take(a)?.(outcome);
    expect(pending.take(a)).toBeUndefined(); // answered already
    const c = pending.add(() => got.push('c'));
    expect(c).not.toBe(a); // same place, next use: an old answer for `a` cannot reach `c`
    expect(pending.take(a)).toBeUndefined();
    pending.take(c)?.(outcome);
    pending.take(b)?.(outcome);
    expect(got).toEqual(['a', 'c', 'b']);
    expect(pending.size).toBe(0);
    expect(pending.take(12345)).toBeUndefined(); // never given
  });

  it('hands over every poll still in flight, once', () => {
    const pending = new Pending();
    const seqs = Array.from({ length: 5 }, () => pending.add(() => {}));
    pending.take(seqs[1] as number);
    expect(pending.takeAll()).toHaveLength(4);
    expect(pending.size).toBe(0);
    expect(pending.takeAll()).toHaveLength(0);
    expect(pending.take(seqs[0] as number)).toBeUndefined();
  });
});
