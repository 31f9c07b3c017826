/**
 * The heartbeat and rebalance loop of one replica. Each round (every `heartbeatInterval`): write
 * the heartbeat, delete stale rows, read the live replicas and every bucket lock, and apply the
 * planner's decision. Ownership is answered from memory and lapses at once when the session is
 * lost, and within `leaseTimeout` when rounds stop succeeding without an error (a hung socket).
 */
import { hostname } from 'node:os';
import { type Clock, describeError, type Logger } from '@ispmonitor/core';
import { bucketOf } from './hash.js';
import type { ClusterMetrics } from './metrics.js';
import type { ClusterOptions } from './options.js';
import { plan } from './planner.js';
import { ClusterSession, LEADER_KEY, type ReplicaRow } from './session.js';
import type { ClusterSnapshot } from './status.js';

/** What the coordinator needs from its host. */
export interface CoordinatorDeps {
  clock: Clock;
  logger: Logger;
  metrics: ClusterMetrics;
  /** Called with buckets taken over from a replica that is gone: their devices are polled at once. */
  onOrphansAcquired(buckets: ReadonlySet<number>): void;
  /** Opens a session; tests may wrap it. */
  open?: typeof ClusterSession.open;
}

/** Shares the buckets with the other replicas through one database session. */
export class Coordinator {
  readonly #held = new Map<number, number>();
  readonly #freeSince = new Map<number, number>();
  readonly #startedAt: number;
  #session: ClusterSession | undefined;
  #leader = false;
  #lastOkAt = Number.NEGATIVE_INFINITY;
  #surplusSince: number | undefined;
  #holders = new Map<number, number>();
  #snapshot: ClusterSnapshot;
  #lostReason = 'not connected yet';
  #started = false;
  #stopped = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #firstShare: (() => void) | undefined;

  constructor(
    private readonly options: ClusterOptions,
    private readonly deps: CoordinatorDeps,
  ) {
    this.#startedAt = deps.clock.now();
    this.#snapshot = {
      at: 0,
      replica: options.replica,
      connected: false,
      leader: false,
      buckets: options.buckets,
      share: 0,
      replicas: [],
      owners: new Array(options.buckets).fill(null),
    };
  }

  /** Whether the session is up and a round succeeded within the lease. */
  get healthy(): boolean {
    return (
      this.#session?.alive === true && this.deps.clock.now() - this.#lastOkAt <= this.options.leaseTimeout
    );
  }

  /** Why there is no session, when there is none. */
  get lostReason(): string {
    return this.#lostReason;
  }

  /** Milliseconds since the last successful round (Infinity before the first). */
  heartbeatAgeMs(): number {
    return this.deps.clock.now() - this.#lastOkAt;
  }

  /** Whether this replica polls the device now. */
  owns(deviceId: string): boolean {
    return this.#held.size > 0 && this.healthy && this.#held.has(bucketOf(deviceId, this.options.buckets));
  }

  /** Whether this replica is the leader now. */
  isLeader(): boolean {
    return this.#leader && this.healthy;
  }

  /** Held buckets, ascending. */
  owned(): number[] {
    return this.healthy ? [...this.#held.keys()].sort((a, b) => a - b) : [];
  }

  /** The cluster as of the last successful round. */
  snapshot(): ClusterSnapshot {
    return { ...this.#snapshot, connected: this.healthy, leader: this.isLeader() };
  }

  /**
   * Starts the loop and resolves once this replica has had its first chance to take buckets, or
   * after `startTimeout` (polling then starts without buckets, and they come when the database does).
   */
  async start(): Promise<void> {
    if (this.#loop) return;
    const first = new Promise<void>((resolve) => {
      this.#firstShare = resolve;
    });
    this.#loop = this.#run();
    let timer: unknown;
    const timeout = new Promise<void>((resolve) => {
      timer = this.deps.clock.setTimeout(resolve, this.options.startTimeout);
    });
    await Promise.race([first, timeout]);
    this.deps.clock.clearTimeout(timer);
    if (!this.healthy) {
      this.deps.logger.warn('cluster: starting without buckets; they will come when the database answers', {
        reason: this.#lostReason,
      });
    }
    // From now on, buckets taken over from a dead replica are polled at once.
    this.#started = true;
  }

  /** Ends the loop and gives every bucket and the leadership back. Never throws. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
    const session = this.#session;
    this.#session = undefined;
    if (this.#held.size > 0) this.deps.metrics.handovers.inc({ reason: 'released' }, this.#held.size);
    this.#held.clear();
    this.#leader = false;
    this.#publish();
    await session?.close();
  }

  async #run(): Promise<void> {
    let backoff = this.options.minBackoff;
    while (!this.#stopped) {
      if (!this.#session?.alive) {
        try {
          this.#session = await (this.deps.open ?? ClusterSession.open)({
            url: this.options.url,
            replica: this.options.replica,
            lockClass: this.options.lockClass,
            table: this.options.table,
            timeoutMs: Math.max(this.options.leaseTimeout, 2000),
            onLost: (reason) => this.#lost(reason),
          });
          this.deps.logger.info('cluster: database session open', { backendPid: this.#session.backendPid });
          backoff = this.options.minBackoff;
          // The first round on a new session only announces this replica: replicas (re)connecting
          // together then see each other before anyone takes buckets.
          await this.#round(false);
        } catch (err) {
          this.#session?.abandon('open failed');
          this.#lostReason = describeError(err).message;
          this.deps.logger.warn('cluster: cannot open the database session', {
            error: describeError(err),
            retryInMs: backoff,
          });
          await this.#sleep(backoff * (0.5 + Math.random() / 2));
          backoff = Math.min(backoff * 2, this.options.maxBackoff);
          continue;
        }
      } else {
        try {
          await this.#round(true);
          this.#firstShare?.();
        } catch (err) {
          this.deps.logger.warn('cluster: round failed; giving up the session', {
            error: describeError(err),
          });
          this.#session?.abandon(describeError(err).message);
        }
      }
      if (!this.#stopped) await this.#sleep(this.options.heartbeatInterval);
    }
  }

  async #round(rebalance: boolean): Promise<void> {
    const session = this.#session as ClusterSession;
    const { clock } = this.deps;
    await session.heartbeat({
      replica: this.options.replica,
      host: hostname(),
      pid: process.pid,
      startedAt: this.#startedAt,
      buckets: this.#held.size,
      leader: this.#leader,
    });
    await session.cleanStale(this.options.staleAfter);
    const live = await session.liveReplicas(this.options.staleAfter);
    const holders = await session.lockHolders();
    const now = clock.now();
    const self = session.backendPid;
    for (const b of [...this.#held.keys()]) {
      // Cannot happen while the session lives; if it does, the database is the truth.
      if (holders.get(b) !== self) {
        this.#held.delete(b);
        this.deps.metrics.handovers.inc({ reason: 'lost' });
      }
    }
    this.#leader = holders.get(LEADER_KEY) === self;
    for (let b = 0; b < this.options.buckets; b++) {
      if (holders.has(b)) this.#freeSince.delete(b);
      else if (!this.#freeSince.has(b)) this.#freeSince.set(b, now);
    }
    let share = Math.ceil(this.options.buckets / Math.max(1, live.length));
    if (rebalance) {
      const decision = plan({
        now,
        buckets: this.options.buckets,
        selfPid: self,
        held: this.#held,
        holders,
        livePids: live.map((r) => r.backendPid),
        freeSince: this.#freeSince,
        surplusSince: this.#surplusSince,
        orphanGraceMs: this.options.heartbeatInterval * 2,
        rebalanceDelayMs: this.options.rebalanceDelay,
      });
      share = decision.share;
      this.#surplusSince = decision.surplusSince;
      if (decision.release.length > 0) {
        await session.unlock(decision.release);
        for (const b of decision.release) {
          this.#held.delete(b);
          holders.delete(b);
        }
        this.deps.metrics.handovers.inc({ reason: 'released' }, decision.release.length);
        this.deps.logger.info('cluster: released surplus buckets', { count: decision.release.length, share });
      }
      const got = await session.tryLock(decision.acquire);
      this.#adopt(got, holders, self, now);
      if (!this.#leader) this.#leader = (await session.tryLock([LEADER_KEY])).length > 0;
      if (this.#leader) holders.set(LEADER_KEY, self);
    }
    this.#lastOkAt = clock.now();
    this.#holders = holders;
    this.#snapshot = this.#buildSnapshot(live, holders, share);
    this.#publish();
  }

  /** Records buckets just locked; those whose previous holder is gone are polled at once. */
  #adopt(got: number[], holders: Map<number, number>, self: number, now: number): void {
    if (got.length === 0) return;
    const stillThere = new Set(holders.values());
    const orphans = new Set<number>();
    for (const b of got) {
      this.#held.set(b, now);
      this.#freeSince.delete(b);
      // A bucket released on purpose was polled on schedule by a replica that is still there; the
      // new owner keeps the same grid (phases come from device ids), so nothing is polled twice.
      const previous = this.#holders.get(b);
      if (previous === undefined || !stillThere.has(previous)) orphans.add(b);
      holders.set(b, self);
    }
    this.deps.metrics.handovers.inc({ reason: 'acquired' }, got.length);
    this.deps.logger.info('cluster: acquired buckets', { count: got.length, orphaned: orphans.size });
    if (this.#started && orphans.size > 0) this.deps.onOrphansAcquired(orphans);
  }

  #buildSnapshot(live: ReplicaRow[], holders: Map<number, number>, share: number): ClusterSnapshot {
    const byPid = new Map(live.map((r) => [r.backendPid, r.replica]));
    const counts = new Map<number, number>();
    const owners = new Array<string | null>(this.options.buckets).fill(null);
    for (const [key, pid] of holders) {
      if (key >= this.options.buckets) continue;
      owners[key] = byPid.get(pid) ?? `backend-${pid}`;
      counts.set(pid, (counts.get(pid) ?? 0) + 1);
    }
    const self = this.#session?.backendPid;
    return {
      at: this.deps.clock.now(),
      replica: this.options.replica,
      connected: true,
      leader: this.#leader,
      buckets: this.options.buckets,
      share,
      replicas: live.map((r) => ({
        replica: r.replica,
        host: r.host,
        pid: r.pid,
        startedAt: r.startedAt,
        lastHeartbeat: r.lastHeartbeat,
        buckets: counts.get(r.backendPid) ?? 0,
        leader: holders.get(LEADER_KEY) === r.backendPid,
        self: r.backendPid === self,
      })),
      owners,
    };
  }

  #lost(reason: string): void {
    if (this.#stopped && reason === 'closed') return;
    this.#lostReason = reason;
    if (this.#held.size > 0) this.deps.metrics.handovers.inc({ reason: 'lost' }, this.#held.size);
    const had = this.#held.size;
    this.#held.clear();
    this.#leader = false;
    this.#surplusSince = undefined;
    this.#publish();
    this.deps.logger.warn('cluster: database session lost; polling nothing until it is back', {
      reason,
      bucketsDropped: had,
    });
    this.#wake?.();
  }

  #publish(): void {
    this.deps.metrics.bucketsOwned.set(this.#held.size);
    this.deps.metrics.leader.set(this.#leader ? 1 : 0);
    this.deps.metrics.replicas.set(this.#snapshot.replicas.length);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.deps.clock.setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        this.deps.clock.clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }
}
