import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '@ispmonitor/core';
import type { CopySpec, Db, PoolStats, Queryable, QueryResult } from '../db/types.js';
import { INSERT_END_SQL, type InsertEndRow, insertEndOf, type Lsn } from './lsn.js';

/** Where reads go now, and why. */
export type ReplicaState =
  /** The replica answers, replays, and is within `maxLag`: reads go to it. */
  | 'serving'
  /** Not reached, or a read on it failed for want of a connection: reads go to the primary. */
  | 'unreachable'
  /** Reached, but more than `maxLag` behind: reads go to the primary until it catches up. */
  | 'behind'
  /** Reached, but not in recovery (`pg_is_in_recovery()` false): not a replica of ours. */
  | 'not-standby'
  /** Not checked yet (the first check runs when the database opens). */
  | 'unknown';

/** Counts of reads by the database that answered them (for `ispmonitor_db_reads_total`). */
export type ReadTarget = 'replica' | 'primary';

/** SQLSTATEs of a replica gone or going: connection failures (class 08), shutdown or start-up (57P01–57P03), too many connections (53300). */
const REPLICA_DOWN = /^(08|57P0[123]|53300)/;
/** A conflict with recovery: the standby cancelled a read whose rows WAL replay was removing. */
const RECOVERY_CONFLICT = '40001';

/**
 * What a failed read on the replica means: `down` (the replica is gone: mark it and ask the
 * primary), `retry` (this read lost a conflict with WAL replay: ask the primary) or `statement`
 * (the statement itself failed, and would on the primary too).
 */
export function classifyReplicaError(err: unknown): 'down' | 'retry' | 'statement' {
  const e = err as { code?: unknown; severity?: unknown } | null;
  // Errors the server did not send (no severity) come from the socket: ECONNREFUSED, a closed
  // connection, a connection timeout.
  if (typeof e?.severity !== 'string' || typeof e.code !== 'string') return 'down';
  const code = e.code;
  if (code === RECOVERY_CONFLICT) return 'retry';
  return REPLICA_DOWN.test(code) ? 'down' : 'statement';
}

/** Async contexts whose reads go to the primary (`onPrimary`): one for the process, any monitor. */
const primaryScope = new AsyncLocalStorage<true>();

/** Runs `fn` with every store read it makes (across awaits) on the primary. */
export function onPrimary<T>(fn: () => Promise<T>): Promise<T> {
  return primaryScope.run(true, fn);
}

/**
 * Sends each read to the replica or the primary. Reads go to the replica only while it is
 * serving AND has replayed every write this process asked to see (`mustSee`): a device added
 * through the API is read back from the primary until the replica has replayed past that write.
 * Inside `onPrimary(fn)` every read goes to the primary. A read the replica fails for want of a
 * connection is answered by the primary, and the replica is marked unreachable until the next
 * check finds it again (both logged once per change).
 */
export class ReadRouter {
  #state: ReplicaState = 'unknown';
  /** The WAL position (on the primary) of the newest write this process must read back. */
  #mustSee: Lsn = 0n;
  /** How far the replica had replayed at the last check. */
  #replayed: Lsn = 0n;
  /** A write to see whose position could not be read: a later check's primary position stands in. */
  #pendingUnknown = false;
  /** Writes whose position could not be read, so far: a check started before the last one cannot settle it. */
  #unknownWrites = 0;
  /** The Db the readers use: each statement goes where `target()` says. */
  readonly reads: Db;

  constructor(
    readonly primary: Db,
    readonly replica: Db,
    private readonly logger: Logger,
    private readonly counted: (target: ReadTarget) => void = () => {},
  ) {
    const router = this;
    this.reads = {
      engine: primary.engine,
      query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
        return router.#query<R>(sql, params);
      },
      // Transactions and COPY write or lock: they belong to the primary.
      transaction<T>(fn: (tx: Queryable & { copy(spec: CopySpec): Promise<number> }) => Promise<T>) {
        return primary.transaction(fn);
      },
      copy: (spec: CopySpec) => primary.copy(spec),
      poolStats: (): PoolStats => replica.poolStats(),
      // The owner closes both pools.
      close: async () => {},
    };
  }

  /** Where reads go now. */
  get state(): ReplicaState {
    return this.#state;
  }

  /** Where the next read outside `onPrimary` will go. */
  target(): ReadTarget {
    if (this.#state !== 'serving') return 'primary';
    if (primaryScope.getStore()) return 'primary';
    return this.waitingForReplay ? 'primary' : 'replica';
  }

  /**
   * Reads from now on must see everything written so far: they go to the primary until a check
   * finds the replica replayed up to the primary's insert position read here — past the commit
   * record of every transaction that has returned, also with `synchronous_commit = off` (see
   * `insertEnd`). Call after a write that a user reads back at once (a device added, changed or
   * removed; imported history), once its COMMIT has returned. Never throws: without the
   * position, reads stay on the primary until a check that starts afterwards reads one.
   */
  async mustSeeWrites(): Promise<void> {
    try {
      const res = await this.primary.query<InsertEndRow>(INSERT_END_SQL);
      const lsn = insertEndOf(res.rows[0]);
      if (lsn > this.#mustSee) this.#mustSee = lsn;
    } catch {
      this.#pendingUnknown = true;
      this.#unknownWrites++;
    }
  }

  /** Whether reads wait for the replica to replay a write of this process. */
  get waitingForReplay(): boolean {
    return this.#pendingUnknown || this.#replayed < this.#mustSee;
  }

  /**
   * Called by a check before it reads the primary's position: pass the result back to `update`.
   * A write whose position could not be read is settled only by a check that began after it.
   */
  beginCheck(): number {
    return this.#unknownWrites;
  }

  /**
   * Records a check's outcome: the new state, and how far the replica has replayed (with the
   * primary's position at the check's start, which settles a write whose position was not read
   * if the check began after it: `begun` from `beginCheck`). Logs each change of state once.
   */
  update(
    state: ReplicaState,
    found: { replayed?: Lsn; primaryAt?: Lsn; begun?: number; error?: string } = {},
  ): void {
    const { replayed, primaryAt, begun, error } = found;
    if (replayed !== undefined) this.#replayed = replayed;
    if (this.#pendingUnknown && primaryAt !== undefined && begun === this.#unknownWrites) {
      if (primaryAt > this.#mustSee) this.#mustSee = primaryAt;
      this.#pendingUnknown = false;
    }
    this.#setState(state, error);
  }

  #setState(next: ReplicaState, error?: string): void {
    const previous = this.#state;
    if (next === previous) return;
    this.#state = next;
    if (next === 'serving') {
      this.logger.info('read replica serving reads', { previous });
    } else if (previous === 'serving' || previous === 'unknown') {
      const why =
        next === 'behind'
          ? 'read replica too far behind: reads go to the primary'
          : next === 'not-standby'
            ? 'read replica is not a standby (pg_is_in_recovery() is false): reads go to the primary'
            : 'read replica unreachable: reads go to the primary';
      this.logger.warn(why, error ? { error } : {});
    }
  }

  async #query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    if (this.target() === 'primary') {
      this.counted('primary');
      return this.primary.query<R>(sql, params);
    }
    try {
      const res = await this.replica.query<R>(sql, params);
      this.counted('replica');
      return res;
    } catch (err) {
      const kind = classifyReplicaError(err);
      if (kind === 'statement') throw err;
      if (kind === 'down') this.#setState('unreachable', (err as Error).message);
      this.counted('primary');
      return this.primary.query<R>(sql, params);
    }
  }
}
