import type { Clock } from '@ispmonitor/core';
import { INSERT_END_SQL, type InsertEndRow, insertEndOf, type Lsn, parseLsn } from './lsn.js';
import type { ReadRouter, ReplicaState } from './router.js';

/** What the last check of the read replica found: for diagnostics, health and metrics. */
export interface ReplicaStatus {
  /** Where reads go: `serving` means the replica answers them. */
  state: ReplicaState;
  /** The replica's URL without its password. */
  target: string;
  /** How far behind the primary the replica's replay is, in seconds (0 when caught up); null before a check reached it. */
  lagSeconds: number | null;
  /**
   * WAL bytes written on the primary (up to its insert position when the check began) that the
   * replica has not replayed; null when either was not reached. 0: every transaction committed
   * before the check began is visible on the replica.
   */
  lagBytes: number | null;
  /** When the last check ran (ms since the epoch); null before the first. */
  checkedAt: number | null;
  /** Reads wait on the primary for the replica to replay a write of this process (read-your-writes). */
  waitingForReplay: boolean;
  /** Why the last check could not reach the replica. */
  error?: string;
}

/** Positions of the primary seen by past checks, to bound the lag when the replica is a little behind. */
const HISTORY = 64;

/**
 * Measures the replica's replay lag and decides whether it serves reads. The lag is 0 when the
 * replica has replayed everything the primary had written when asked (its insert position, past
 * every commit already returned: see `insertEnd`); otherwise it is the
 * smaller of the age of the last transaction the replica replayed (`pg_last_xact_replay_timestamp()`,
 * which alone overstates the lag after the primary was idle) and the time since the newest past
 * check whose primary position the replica has passed.
 */
export class ReplicaProbe {
  readonly #seen: Array<{ at: number; lsn: Lsn }> = [];
  #status: ReplicaStatus;
  #running: Promise<ReplicaStatus> | undefined;
  #queued: Promise<ReplicaStatus> | undefined;

  constructor(
    private readonly router: ReadRouter,
    private readonly options: { maxLagMs: number; target: string },
    private readonly clock: Clock,
  ) {
    this.#status = {
      state: 'unknown',
      target: options.target,
      lagSeconds: null,
      lagBytes: null,
      checkedAt: null,
      waitingForReplay: false,
    };
  }

  /** The last check's findings. */
  get status(): ReplicaStatus {
    return { ...this.#status, state: this.router.state, waitingForReplay: this.router.waitingForReplay };
  }

  /**
   * Checks the replica: the answer is a check that began after this call, so it covers every
   * write committed before it. One check at a time: a call during one waits for it and shares
   * the next with the other calls made meanwhile. Never throws.
   */
  check(): Promise<ReplicaStatus> {
    if (!this.#running) return this.#start();
    this.#queued ??= this.#running.then(() => {
      this.#queued = undefined;
      return this.#start();
    });
    return this.#queued;
  }

  #start(): Promise<ReplicaStatus> {
    const run = this.#check().finally(() => {
      if (this.#running === run) this.#running = undefined;
    });
    this.#running = run;
    return run;
  }

  async #check(): Promise<ReplicaStatus> {
    const at = this.clock.now();
    const begun = this.router.beginCheck();
    // The primary first: whatever had committed then is visible once the replica replays past it.
    const primaryAt = await this.router.primary
      .query<InsertEndRow>(INSERT_END_SQL)
      .then((r) => insertEndOf(r.rows[0]))
      .catch(() => undefined);
    let row: { recovery: boolean; replayed: string | null; behind: number | null } | undefined;
    try {
      const res = await this.router.replica.query<NonNullable<typeof row>>(
        `SELECT pg_is_in_recovery() AS recovery, pg_last_wal_replay_lsn()::text AS replayed,
                extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS behind`,
      );
      row = res.rows[0];
    } catch (err) {
      const error = (err as Error).message;
      this.#status = { ...this.#status, checkedAt: at, error };
      this.router.update('unreachable', { error });
      return this.status;
    }
    if (!row?.recovery) {
      this.#status = { ...this.#status, checkedAt: at, lagSeconds: null, lagBytes: null, error: undefined };
      this.router.update('not-standby');
      return this.status;
    }
    const replayed = parseLsn(row.replayed);
    const lagSeconds = this.#lag(replayed, primaryAt, row.behind, at);
    if (primaryAt !== undefined) {
      this.#seen.push({ at, lsn: primaryAt });
      if (this.#seen.length > HISTORY) this.#seen.shift();
    }
    this.#status = {
      ...this.#status,
      checkedAt: at,
      lagSeconds,
      lagBytes: primaryAt === undefined ? null : Number(primaryAt > replayed ? primaryAt - replayed : 0n),
      error: undefined,
    };
    const state = lagSeconds * 1000 > this.options.maxLagMs ? 'behind' : 'serving';
    this.router.update(state, { replayed, primaryAt, begun });
    return this.status;
  }

  #lag(replayed: Lsn, primaryAt: Lsn | undefined, behind: number | null, now: number): number {
    if (primaryAt !== undefined && replayed >= primaryAt) return 0;
    const age = Math.max(0, Number(behind ?? 0));
    // The newest past check whose primary position the replica has replayed: it is at most that old.
    for (let i = this.#seen.length - 1; i >= 0; i--) {
      const seen = this.#seen[i] as { at: number; lsn: Lsn };
      if (seen.lsn <= replayed) return Math.min(age, (now - seen.at) / 1000);
    }
    return age;
  }
}
