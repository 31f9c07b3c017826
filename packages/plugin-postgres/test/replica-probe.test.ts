/**
 * The replica check and the read router on scripted databases: how the lag is computed, when
 * reads leave the replica, and that each change of state is logged once. The same on a real
 * standby: replica-pg.test.ts.
 */
import { createFakeLogger } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';
import type { Db } from '../src/db/types.js';
import { insertEnd, insertEndOf, parseLsn } from '../src/replica/lsn.js';
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

  /**
   * A write at `lsn` the replica has not replayed: the next check keeps reads on the primary; once
   * the replica has replayed it, the check after that sends them to the replica.
   */
  const primaryUntilReplayed = async (t: ReturnType<typeof setup>, lsn: string) => {
    await t.probe.check();
    expect(t.router.target()).toBe('primary');
    t.setReplica(standbyAt(lsn, 0));
    await t.probe.check();
    expect(t.router.target()).toBe('replica');
  };

  it('is 0 when the replica has replayed what the primary had written, whatever its last transaction’s age', async () => {
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
    await primaryUntilReplayed(t, '0/5000');
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
    await primaryUntilReplayed(t, '0/3000'); // the replica is still at 0/1000
  });

  it('a call during a running check gets a check that began after it', async () => {
    const t = setup();
    await t.probe.check();
    // The next check reads the primary's position now, and gets the answer when released.
    let release = () => {};
    const query = t.primary.query.bind(t.primary);
    t.primary.query = ((sql: string) => {
      const answer = query(sql);
      return new Promise<void>((r) => {
        release = r;
      }).then(() => answer);
    }) as typeof t.primary.query;
    const first = t.probe.check();
    // A write commits while that check waits: its answer may predate the write; the call made
    // now must not share it.
    t.primary.query = query;
    t.setPrimary('0/5000');
    const second = t.probe.check();
    const third = t.probe.check();
    expect(third).toBe(second);
    release();
    expect(await first).toMatchObject({ lagBytes: 0 });
    expect(await second).toMatchObject({ lagBytes: 0x4000 });
  });

  it('a write whose position could not be read is not settled by a check that began before it', async () => {
    const t = setup();
    await t.probe.check();
    // A check reads the primary at 0/1000, then waits on the replica.
    let release = () => {};
    const replicaQuery = t.standby.query.bind(t.standby);
    t.standby.query = ((sql: string) =>
      new Promise<void>((r) => {
        release = r;
      }).then(() => replicaQuery(sql))) as typeof t.standby.query;
    const running = t.probe.check();
    await new Promise((r) => setImmediate(r));
    t.standby.query = replicaQuery;
    // Meanwhile a write at 0/4000 commits, and its position cannot be read.
    t.setPrimary('0/4000');
    const primaryQuery = t.primary.query.bind(t.primary);
    t.primary.query = () => Promise.reject(new Error('primary busy'));
    await t.router.mustSeeWrites();
    t.primary.query = primaryQuery;
    release();
    await running;
    // That check's primary position (0/1000) predates the write: reads stay on the primary.
    expect(t.router.target()).toBe('primary');
    await primaryUntilReplayed(t, '0/4000'); // a check that began after: 0/4000 stands in
  });

  it('an insert position just past a page header is the page boundary the replica stops at', async () => {
    const t = setup();
    // The last record ended at the boundary 0/2000 (8 kB pages): the insert position is after
    // the next page's 24-byte header, the replica's replay position is the boundary itself.
    t.setPrimary('0/2018');
    t.setReplica(standbyAt('0/2000', 0));
    expect(await t.probe.check()).toMatchObject({ state: 'serving', lagBytes: 0, lagSeconds: 0 });
    await t.router.mustSeeWrites();
    expect(t.router.waitingForReplay).toBe(false);
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
    const seg = 16 * 1024 * 1024;
    expect(insertEnd(0x2018n, 8192, seg)).toBe(0x2000n); // after a page header
    expect(insertEnd(0x1000028n, 8192, seg)).toBe(0x1000000n); // after a segment's long header
    expect(insertEnd(0x2019n, 8192, seg)).toBe(0x2019n);
    expect(insertEnd(0x4018n, 16384, seg)).toBe(0x4000n);
    expect(insertEnd(0x2018n, 16384, seg)).toBe(0x2018n); // mid-page with 16 kB pages
    expect(insertEndOf({ lsn: '0/2018', block: '8192', segment: String(seg) })).toBe(0x2000n);
    expect(insertEndOf({ lsn: '0/2018', block: null, segment: null })).toBe(0x2000n); // defaults
    expect(insertEndOf(undefined)).toBe(0n);
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
