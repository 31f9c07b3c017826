import type { Clock, Logger } from '@ispmonitor/core';
import type { Counter } from 'prom-client';
import { openPg, redactUrl } from '../db/pg.js';
import type { Db } from '../db/types.js';
import type { PostgresOptions } from '../options.js';
import { ReplicaProbe, type ReplicaStatus } from './probe.js';
import { ReadRouter } from './router.js';

/** What `Storage` needs of a read replica (`readUrl`): where reads go, and its state. */
export interface StorageReplica {
  /** The database the readers use: each statement goes to the replica or the primary. */
  readonly reads: Db;
  /** What the last check found. */
  readonly status: ReplicaStatus;
  /** Reads from now on see every write made so far: on the primary until the replica replays them. */
  mustSeeWrites(): Promise<void>;
  /** Checks the replica once, then at its interval. */
  start(): Promise<void>;
  /** Stops the checks and closes the replica's pool. */
  close(): Promise<void>;
}

/**
 * A streaming replica the server's reads go to (`readUrl`): its pool, the router that picks the
 * database for each read, and the check that runs every `replica.checkInterval` (replay lag,
 * whether it serves). Writes never touch it.
 */
export class ReadReplica implements StorageReplica {
  readonly router: ReadRouter;
  readonly probe: ReplicaProbe;
  #timer: unknown;
  #stopped = false;

  private constructor(
    private readonly pool: Db,
    primary: Db,
    private readonly options: PostgresOptions['replica'] & { target: string },
    private readonly clock: Clock,
    logger: Logger,
    reads: Counter<'target'>,
  ) {
    this.router = new ReadRouter(primary, pool, logger, (target) => reads.inc({ target }));
    this.probe = new ReplicaProbe(this.router, { maxLagMs: options.maxLag, target: options.target }, clock);
  }

  /**
   * A pool on `options.readUrl` beside `primary`. Connects lazily: a replica down at start does
   * not stop the monitor (reads go to the primary until a check reaches it).
   */
  static async open(
    primary: Db,
    options: PostgresOptions & { readUrl: string },
    clock: Clock,
    logger: Logger,
    reads: Counter<'target'>,
  ): Promise<ReadReplica> {
    const pool = await openPg({
      url: options.readUrl,
      max: options.pool.max,
      connectTimeoutMs: options.pool.connectTimeout,
      statementTimeoutMs: options.pool.statementTimeout,
      // A replica restarting drops idle connections; the next read or check notices it.
      onIdleError: () => {},
    });
    const target = redactUrl(options.readUrl);
    return new ReadReplica(pool, primary, { ...options.replica, target }, clock, logger, reads);
  }

  get reads(): Db {
    return this.router.reads;
  }

  get status(): ReplicaStatus {
    return this.probe.status;
  }

  mustSeeWrites(): Promise<void> {
    return this.router.mustSeeWrites();
  }

  /** Checks the replica once (reads go to it from here when it serves), then every `checkInterval`. */
  async start(): Promise<void> {
    await this.probe.check();
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.clock.setTimeout(async () => {
      await this.probe.check();
      this.#schedule();
    }, this.options.checkInterval);
  }

  /** Stops the checks and closes the replica's pool. Safe to call twice. */
  async close(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    await this.pool.close();
  }
}
