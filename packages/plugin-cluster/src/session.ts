/**
 * The one dedicated PostgreSQL connection of a replica, and every statement the cluster runs on it.
 * Bucket and leader locks are SESSION-level advisory locks taken on this connection: they die
 * with it, so a replica that crashes or is cut off hands its buckets back without doing anything.
 */
import { MonitorError } from '@ispmonitor/core';
import pg from 'pg';
import { ClusterErrors } from './errors.js';

/** Second lock key of the leader lock; buckets use 0 … buckets-1. */
export const LEADER_KEY = 2_147_483_647;
/** Second lock key that serialises creating the heartbeat table. */
const SCHEMA_KEY = 2_147_483_646;

/** One row of the heartbeat table, as read back. */
export interface ReplicaRow {
  replica: string;
  host: string;
  pid: number;
  backendPid: number;
  startedAt: number;
  lastHeartbeat: number;
  buckets: number;
  leader: boolean;
}

/** What a replica writes at each heartbeat. */
export interface Heartbeat {
  replica: string;
  host: string;
  pid: number;
  startedAt: number;
  buckets: number;
  leader: boolean;
}

/** Connection settings of a session. */
export interface SessionOptions {
  url: string;
  replica: string;
  lockClass: number;
  table: string;
  /** Connect and per-statement timeout, ms. */
  timeoutMs: number;
  /** Called once when the connection errors or ends, whatever the cause. */
  onLost(reason: string): void;
}

/** Thrown when another live process already uses this replica name. */
export class ReplicaNameInUse extends MonitorError {
  override readonly name: string = 'ReplicaNameInUse';
  constructor(message: string) {
    const spec = ClusterErrors.REPLICA_NAME_IN_USE;
    super(spec.code, message, { plugin: 'cluster', status: spec.status });
  }
}

/** An open session. Every method rejects once the connection is lost. */
export class ClusterSession {
  #lost = false;
  readonly backendPid: number;

  private constructor(
    private readonly client: pg.Client,
    private readonly options: SessionOptions,
    backendPid: number,
  ) {
    this.backendPid = backendPid;
  }

  /** Opens the connection, sets server-side keepalives, and creates the heartbeat table if needed. */
  static async open(options: SessionOptions): Promise<ClusterSession> {
    const client = new pg.Client({
      connectionString: options.url,
      application_name: `ispmonitor-cluster:${options.replica}`.slice(0, 63),
      connectionTimeoutMillis: options.timeoutMs,
      query_timeout: options.timeoutMs,
      statement_timeout: options.timeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: 5000,
    });
    // Until the session exists, errors surface through connect(); a listener must be there anyway,
    // or an error event on the socket would kill the process.
    let session: ClusterSession | undefined;
    const lost = (reason: string) => {
      if (session) session.#markLost(reason);
    };
    client.on('error', (err) => lost(err.message));
    client.on('end', () => lost('connection closed'));
    try {
      await client.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      session = new ClusterSession(client, options, Number(rows[0]?.pid));
      await session.#prepare();
      return session;
    } catch (err) {
      if (session) session.#markLost('open failed');
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  /** Whether the connection is still usable. */
  get alive(): boolean {
    return !this.#lost;
  }

  async #prepare(): Promise<void> {
    // A crashed replica's backend lingers until the server notices the dead socket; shorter
    // server-side keepalives bound how long its locks outlive it. Best effort: a pooler may refuse.
    for (const sql of [
      'SET tcp_keepalives_idle = 5',
      'SET tcp_keepalives_interval = 2',
      'SET tcp_keepalives_count = 3',
    ]) {
      await this.client.query(sql).catch(() => undefined);
    }
    const t = this.#table();
    await this.client.query('BEGIN');
    try {
      await this.client.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [
        this.options.lockClass,
        SCHEMA_KEY,
      ]);
      await this.client.query(
        `CREATE TABLE IF NOT EXISTS ${t} (
           replica text PRIMARY KEY,
           host text NOT NULL,
           pid integer NOT NULL,
           backend_pid integer NOT NULL,
           started_at timestamptz NOT NULL,
           last_heartbeat timestamptz NOT NULL,
           buckets integer NOT NULL DEFAULT 0,
           leader boolean NOT NULL DEFAULT false)`,
      );
      await this.client.query('COMMIT');
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /**
   * Writes this replica's heartbeat row. Refuses (ReplicaNameInUse) when the row belongs to
   * another session that is still connected: two processes with one name would share buckets.
   */
  async heartbeat(hb: Heartbeat): Promise<void> {
    const t = this.#table();
    const { rowCount } = await this.client.query(
      `INSERT INTO ${t} AS r (replica, host, pid, backend_pid, started_at, last_heartbeat, buckets, leader)
       VALUES ($1, $2, $3, pg_backend_pid(), to_timestamp($4::float8 / 1000), now(), $5, $6)
       ON CONFLICT (replica) DO UPDATE SET host = EXCLUDED.host, pid = EXCLUDED.pid,
         backend_pid = EXCLUDED.backend_pid, started_at = EXCLUDED.started_at, last_heartbeat = now(),
         buckets = EXCLUDED.buckets, leader = EXCLUDED.leader
       WHERE r.backend_pid = EXCLUDED.backend_pid
          OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = r.backend_pid)`,
      [hb.replica, hb.host, hb.pid, hb.startedAt, hb.buckets, hb.leader],
    );
    if (rowCount === 0) {
      throw new ReplicaNameInUse(`replica name "${hb.replica}" is used by another live process`);
    }
  }

  /** Deletes heartbeat rows older than `staleMs`; returns how many. */
  async cleanStale(staleMs: number): Promise<number> {
    const { rowCount } = await this.client.query(
      `DELETE FROM ${this.#table()} WHERE last_heartbeat < now() - make_interval(secs => $1::float8 / 1000)`,
      [staleMs],
    );
    return rowCount ?? 0;
  }

  /** Replicas with a fresh heartbeat whose session is still connected. */
  async liveReplicas(staleMs: number): Promise<ReplicaRow[]> {
    const { rows } = await this.client.query<Record<string, unknown>>(
      `SELECT replica, host, pid, backend_pid,
              extract(epoch FROM started_at) * 1000 AS started_at,
              extract(epoch FROM last_heartbeat) * 1000 AS last_heartbeat, buckets, leader
         FROM ${this.#table()}
        WHERE last_heartbeat >= now() - make_interval(secs => $1::float8 / 1000)
          AND backend_pid IN (SELECT pid FROM pg_stat_activity)
        ORDER BY replica`,
      [staleMs],
    );
    return rows.map((r) => ({
      replica: String(r.replica),
      host: String(r.host),
      pid: Number(r.pid),
      backendPid: Number(r.backend_pid),
      startedAt: Math.round(Number(r.started_at)),
      lastHeartbeat: Math.round(Number(r.last_heartbeat)),
      buckets: Number(r.buckets),
      leader: Boolean(r.leader),
    }));
  }

  /** Every granted lock of this cluster's class in this database: second key → backend pid. */
  async lockHolders(): Promise<Map<number, number>> {
    const { rows } = await this.client.query<{ key: string; pid: number }>(
      `SELECT objid::int8 AS key, pid FROM pg_locks
        WHERE locktype = 'advisory' AND objsubid = 2 AND granted
          AND classid = $1::int8::oid
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [this.options.lockClass],
    );
    return new Map(rows.map((r) => [Number(r.key), Number(r.pid)]));
  }

  /** Tries to lock each key without waiting; returns the keys it got. */
  async tryLock(keys: readonly number[]): Promise<number[]> {
    if (keys.length === 0) return [];
    const { rows } = await this.client.query<{ key: number }>(
      'SELECT k AS key FROM unnest($2::int[]) AS k WHERE pg_try_advisory_lock($1::int, k)',
      [this.options.lockClass, keys],
    );
    return rows.map((r) => Number(r.key));
  }

  /** Unlocks keys this session holds. */
  async unlock(keys: readonly number[]): Promise<void> {
    if (keys.length === 0) return;
    await this.client.query('SELECT pg_advisory_unlock($1::int, k) FROM unnest($2::int[]) AS k', [
      this.options.lockClass,
      keys,
    ]);
  }

  /** Gives everything back (locks and heartbeat row) and closes. Never throws. */
  async close(): Promise<void> {
    if (!this.#lost) {
      try {
        await this.client.query('SELECT pg_advisory_unlock_all()');
        await this.client.query(
          `DELETE FROM ${this.#table()} WHERE replica = $1 AND backend_pid = pg_backend_pid()`,
          [this.options.replica],
        );
      } catch {
        // Closing the connection below releases the locks anyway.
      }
    }
    this.#markLost('closed');
    await this.client.end().catch(() => undefined);
  }

  /** Drops a connection that stopped answering; its locks go when the server notices. */
  abandon(reason: string): void {
    this.#markLost(reason);
    this.client.end().catch(() => undefined);
  }

  #markLost(reason: string): void {
    if (this.#lost) return;
    this.#lost = true;
    this.options.onLost(reason);
  }

  #table(): string {
    // The name was checked against /^[a-z_][a-z0-9_]*$/ by the options schema.
    return `"${this.options.table}"`;
  }
}
