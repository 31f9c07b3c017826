import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { niceOf, openPglite, pgliteWorkerNice } from '../src/db/pglite.js';
import type { Db } from '../src/db/types.js';

// One PGlite instance starts here (seconds, much more on a loaded machine).
vi.setConfig({ testTimeout: 120_000, hookTimeout: 240_000 });

/** Niceness of every thread of this process, by thread id, read from /proc (field 19 of stat). */
function threadNices(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name (in parentheses, which may hold spaces): state is field 3.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), Number(fields[16]));
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return out;
}

describe('the PGlite worker thread at a lower CPU priority (nice)', () => {
  const env = process.env.ISPMONITOR_PGLITE_NICE;
  afterEach(() => {
    if (env === undefined) delete process.env.ISPMONITOR_PGLITE_NICE;
    else process.env.ISPMONITOR_PGLITE_NICE = env;
  });

  it('takes the option, the environment over it, and 0 for anything outside 0–19', () => {
    delete process.env.ISPMONITOR_PGLITE_NICE;
    expect(niceOf({})).toBe(0);
    expect(niceOf({ nice: 7 })).toBe(7);
    expect(niceOf({ nice: 20 })).toBe(0);
    expect(niceOf({ nice: -5 })).toBe(0);
    expect(niceOf({ nice: 2.5 })).toBe(0);
    process.env.ISPMONITOR_PGLITE_NICE = '12';
    expect(niceOf({ nice: 7 })).toBe(12);
    process.env.ISPMONITOR_PGLITE_NICE = 'high';
    expect(niceOf({ nice: 7 })).toBe(0);
    process.env.ISPMONITOR_PGLITE_NICE = '';
    expect(niceOf({ nice: 7 })).toBe(7);
  });

  // Per-thread niceness is Linux's (a thread is a task with its own); elsewhere the option is ignored.
  describe.skipIf(process.platform !== 'linux')('on Linux', () => {
    let db: Db;
    let before: Map<number, number>;
    beforeAll(async () => {
      delete process.env.ISPMONITOR_PGLITE_NICE;
      before = threadNices();
      db = await openPglite({ memory: true, nice: 7 });
    });
    afterAll(async () => {
      await db?.close();
    });

    it('lowers the worker thread alone: one new thread at nice 7, this thread and the others as they were', async () => {
      expect(pgliteWorkerNice(db)).toEqual({ nice: 7, error: undefined });
      const after = threadNices();
      const niced = [...after].filter(([tid, nice]) => nice === 7 && !before.has(tid));
      expect(niced).toHaveLength(1);
      // The main thread's id is the process id.
      expect(after.get(process.pid)).toBe(before.get(process.pid));
      for (const [tid, nice] of before) if (after.has(tid)) expect(after.get(tid)).toBe(nice);
    });

    it('runs statements as before', async () => {
      const { rows } = await db.query<{ n: number }>('SELECT $1::int + 1 AS n', [41]);
      expect(rows[0]?.n).toBe(42);
    });
  });
});
