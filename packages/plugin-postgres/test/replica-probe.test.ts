/**
 * The replica check and the read router on scripted databases: how the lag is computed, when
 * reads leave the replica, and that each change of state is logged once. The same on a real
 * standby: replica-pg.test.ts.
 */
import { createFakeLogger } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';
import type { Db } from '../src/db/types.js';
import { parseLsn } from '../src/replica/lsn.js';
import { ReplicaProbe } from '../src/replica/probe.js';
import { classifyReplicaError, ReadRouter } from '../src/replica/router.js';
import { SetClock } from './support/harness.js';

/** A database answering every statement with `answer(sql)`: rows, or a thrown error. */
function scripted(answer: (sql: string) => Record<string, unknown>): Db & { sql: string[] } {
  const sql: string[] = [];
  return {
    sql,
    engine: 'postgres',
    async query<R>(text: string) {
      sql.push(text);
      return { rows: [answer(text)] as R[], rowCount: 1 };
    },
    transaction: () => Promise.reject(new Error('not here')),
    copy: () => Promise.reject(new Error('not here')),
    poolStats: () => ({ total: 0, idle: 0, waiting: 0 }),
    close: async () => {},
  };
}

/** The replica's answer to a check, with its replay position and last replayed transaction's age. */
const standbyAt = (replayed: string, behind: number | null) => ({
  recovery: true,
  replayed,
  behind,
  r: 'replica',
});

describe('the replica check', () => {
  const setup = () => {
    let primaryLsn = '0/1000';
    let replica: Record<string, unknown> | Error = standbyAt('0/1000', 5);
    const primary = scripted(() => ({ lsn: primaryLsn, r: 'primary' }));
    const standby = scripted(() => {
      if (replica instanceof Error) throw replica;
      return replica;
    });
    const logger = createFakeLogger();
    const router = new ReadRouter(primary, standby, logger);
    const clock = new SetClock(1_000_000);
    const probe = new ReplicaProbe(router, { maxLagMs: 30_000, target: 'standby' }, clock);
    return {
      router,
      probe,
      clock,
      logger,
      primary,
      standby,
      setPrimary: (lsn: string) => {
        primaryLsn = lsn;
      },
      setReplica: (r: Record<string, unknown> | Error) => {
        replica = r;
      },
    };
  };

  it('is 0 when the replica has replayed what the primary had flushed, whatever its last transaction’s age', async () => {
    const t = setup();
    expect(await t.probe.check()).toMatchObject({ state: 'serving', lagSeconds: 0, lagBytes: 0 });
    expect(t.router.target()).toBe('replica');
  });

  it('after an idle primary, a replica a moment behind is not reported an hour behind', async () => {
    const t = setup();
    await t.probe.check();
    // The primary wrote after an idle hour; the replica has not replayed it yet at this check.
    t.clock.t += 2_000;
    t.setPrimary('0/2000');
    t.setReplica(standbyAt('0/1000', 3600));
    const s = await t.probe.check();
    // At most as old as the last check whose primary position the replica had passed.
    expect(s.lagSeconds).toBe(2);
    expect(s.lagBytes).toBe(0x1000);
    expect(s.state).toBe('serving');
  });

  it('far behind: reads go to the primary, logged once, and once when it catches up', async () => {
    const t = setup();
    await t.probe.check();
    t.setPrimary('0/9000');
    t.setReplica(standbyAt('0/800', 120));
    for (let i = 0; i < 3; i++) {
      t.clock.t += 60_000;
      await t.probe.check();
    }
    expect(t.probe.status).toMatchObject({ state: 'behind', lagSeconds: 120 });
    expect(t.router.target()).toBe('primary');
    t.setReplica(standbyAt('0/9000', 0));
    await t.probe.check();
    expect(t.router.target()).toBe('replica');
    const lines = t.logger.records.map((r) => `${r.level} ${r.msg}`);
    expect(lines.filter((l) => l.includes('too far behind'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('serving reads'))).toHaveLength(2); // first check, then back
  });

  it('a server that is not in recovery does not serve reads', async () => {
    const t = setup();
    t.setReplica({ recovery: false, replayed: null, behind: null });
    expect(await t.probe.check()).toMatchObject({ state: 'not-standby', lagSeconds: null });
    expect(t.router.target()).toBe('primary');
    expect(t.logger.records.filter((r) => r.level === 'warn')).toHaveLength(1);
  });

  it('read-your-writes: reads stay on the primary until a check sees the write replayed', async () => {
    const t = setup();
    await t.probe.check();
    t.setPrimary('0/5000');
    await t.router.mustSeeWrites();
    expect(t.router.target()).toBe('primary');
    await t.probe.check(); // not replayed yet
    expect(t.router.target()).toBe('primary');
    t.setReplica(standbyAt('0/5000', 0));
    await t.probe.check();
    expect(t.router.target()).toBe('replica');
  });

  it('read-your-writes when the primary’s position cannot be read: the next check’s stands in', async () => {
    const t = setup();
    await t.probe.check();
    const query = t.primary.query.bind(t.primary);
    t.primary.query = () => Promise.reject(new Error('primary busy'));
    await t.router.mustSeeWrites();
    t.primary.query = query;
    expect(t.router.target()).toBe('primary');
    t.setPrimary('0/3000');
    await t.probe.check(); // the replica is still at 0/1000
    expect(t.router.target()).toBe('primary');
    t.setReplica(standbyAt('0/3000', 0));
    await t.probe.check();
    expect(t.router.target()).toBe('replica');
  });

  it('a read that loses a conflict with recovery is asked again of the primary, the replica kept', async () => {
    const t = setup();
    await t.probe.check();
    t.setReplica(
      Object.assign(new Error('canceling statement due to conflict with recovery'), {
        severity: 'ERROR',
        code: '40001',
      }),
    );
    const res = await t.router.reads.query<{ r: string }>('SELECT 1');
    expect(res.rows[0]?.r).toBe('primary');
    expect(t.router.state).toBe('serving');
    // A broken connection marks the replica unreachable until a check finds it again.
    t.setReplica(new Error('Connection terminated unexpectedly'));
    expect((await t.router.reads.query<{ r: string }>('SELECT 1')).rows[0]?.r).toBe('primary');
    expect(t.router.state).toBe('unreachable');
    // A statement error would fail on the primary too: it is not retried.
    t.setReplica(standbyAt('0/1000', 0));
    await t.probe.check();
    t.setReplica(Object.assign(new Error('syntax error'), { severity: 'ERROR', code: '42601' }));
    await expect(t.router.reads.query('SELEC 1')).rejects.toThrow(/syntax error/);
  });
});

describe('replica helpers', () => {
  it('parses WAL positions and classifies errors', () => {
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) | 0xb374d848n);
    expect(parseLsn(null)).toBe(0n);
    expect(parseLsn('nonsense')).toBe(0n);
    expect(classifyReplicaError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('down');
    expect(classifyReplicaError(Object.assign(new Error('x'), { severity: 'FATAL', code: '57P01' }))).toBe(
      'down',
    );
    expect(classifyReplicaError(Object.assign(new Error('x'), { severity: 'ERROR', code: '40001' }))).toBe(
      'retry',
    );
    expect(classifyReplicaError(Object.assign(new Error('x'), { severity: 'ERROR', code: '22P02' }))).toBe(
      'statement',
    );
  });
});
