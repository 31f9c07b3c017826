/**
 * One persistent, logged-in connection per router: opened on first use, checked when idle
 * (keepalive), reopened after a failure with exponential backoff, and capped in number across
 * all routers (idle connections are closed first when the cap is reached).
 */
import { MikrotikError, MikrotikErrorCodes, mikrotikError } from '../errors.js';
import { ApiConnection } from './connection.js';
import type { TlsSettings } from './tls.js';

/** Where and how to connect to one router. */
export interface RouterTarget {
  host: string;
  port: number;
  tls: TlsSettings | false;
  username: string;
  password: string;
  timeoutMs: number;
}

/** Pool-wide limits. */
export interface PoolOptions {
  maxConnections: number;
  keepaliveMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Time source in ms (tests use fake timers). Default Date.now. */
  now?: () => number;
}

/** A connection handed to a poll, with a number that changes on each reconnect. */
export interface Lease {
  conn: ApiConnection;
  /** Increases each time a new connection is opened for this router. */
  generation: number;
}

interface Entry {
  key: string;
  /** Settings the connection was opened with: a change closes it. */
  fingerprint: string;
  conn?: ApiConnection;
  connecting?: Promise<ApiConnection>;
  generation: number;
  failures: number;
  retryAt: number;
  lastError?: MikrotikError;
  lastUsed: number;
  /** The router's command timeout, used by the keepalive check too. */
  timeoutMs: number;
}

/** The connection manager of one driver. */
export class ConnectionPool {
  readonly #entries = new Map<string, Entry>();
  readonly #options: PoolOptions;
  readonly #now: () => number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: PoolOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Open connections right now. */
  get openCount(): number {
    let n = 0;
    for (const e of this.#entries.values()) if (e.conn?.alive) n++;
    return n;
  }

  /**
   * A logged-in connection to the router `key`. Rejects with a MikrotikError: the last failure's
   * code while backing off, CONNECTION_LIMIT at the cap, or what connecting raised.
   */
  async acquire(key: string, target: RouterTarget, signal?: AbortSignal): Promise<Lease> {
    if (this.#closed) throw mikrotikError(MikrotikErrorCodes.ABORTED, 'the MikroTik driver is closed');
    const fingerprint = targetFingerprint(target);
    let entry = this.#entries.get(key);
    if (entry && entry.fingerprint !== fingerprint) {
      this.forget(key);
      entry = undefined;
    }
    if (!entry) {
      entry = {
        key,
        fingerprint,
        generation: 0,
        failures: 0,
        retryAt: 0,
        lastUsed: this.#now(),
        timeoutMs: target.timeoutMs,
      };
      this.#entries.set(key, entry);
    }
    entry.lastUsed = this.#now();
    if (entry.conn?.alive) return { conn: entry.conn, generation: entry.generation };
    if (!entry.connecting) {
      const wait = entry.retryAt - this.#now();
      if (wait > 0 && entry.lastError) {
        throw mikrotikError(
          entry.lastError.code,
          `${entry.lastError.message} (next attempt in ${Math.ceil(wait / 1000)} s)`,
        );
      }
      this.#makeRoom();
      entry.connecting = this.#connect(entry, target, signal);
    }
    const conn = await entry.connecting;
    return { conn, generation: entry.generation };
  }

  async #connect(entry: Entry, target: RouterTarget, signal?: AbortSignal): Promise<ApiConnection> {
    let conn: ApiConnection | undefined;
    try {
      conn = await ApiConnection.open({
        host: target.host,
        port: target.port,
        tls: target.tls,
        timeoutMs: target.timeoutMs,
        signal,
      });
      await conn.login(target.username, target.password, target.timeoutMs, signal);
      entry.failures = 0;
      entry.retryAt = 0;
      entry.lastError = undefined;
      entry.generation++;
      entry.conn = conn;
      const opened = conn;
      conn.onClose(() => {
        if (entry.conn === opened) entry.conn = undefined;
      });
      this.#ensureKeepalive();
      return conn;
    } catch (err) {
      conn?.destroy();
      const e =
        err instanceof MikrotikError
          ? err
          : mikrotikError(MikrotikErrorCodes.INTERNAL, 'connect failed', err);
      // An aborted attempt says nothing about the router: no backoff for it.
      if (e.code !== MikrotikErrorCodes.ABORTED) {
        entry.failures++;
        const base = Math.min(
          this.#options.maxBackoffMs,
          this.#options.minBackoffMs * 2 ** Math.min(entry.failures - 1, 30),
        );
        // Jitter keeps a fleet that failed together from reconnecting together.
        entry.retryAt = this.#now() + base * (0.8 + Math.random() * 0.2);
        entry.lastError = e;
      }
      throw e;
    } finally {
      entry.connecting = undefined;
    }
  }

  /** At the cap, closes the least recently used idle connection, or refuses. */
  #makeRoom(): void {
    let open = 0;
    let victim: Entry | undefined;
    for (const e of this.#entries.values()) {
      if (e.connecting) open++;
      if (!e.conn?.alive) continue;
      open++;
      if (e.conn.pendingCount === 0 && (!victim || e.lastUsed < victim.lastUsed)) victim = e;
    }
    if (open < this.#options.maxConnections) return;
    if (!victim) {
      throw mikrotikError(
        MikrotikErrorCodes.CONNECTION_LIMIT,
        `all ${this.#options.maxConnections} connections are busy (plugin option maxConnections)`,
      );
    }
    victim.conn?.close();
  }

  /** One timer for all routers: checks connections idle for longer than `keepaliveMs`. */
  #ensureKeepalive(): void {
    if (this.#timer || this.#closed) return;
    const every = Math.max(1000, this.#options.keepaliveMs / 2);
    this.#timer = setInterval(() => this.#keepalive(), every);
    this.#timer.unref?.();
  }

  #keepalive(): void {
    const now = this.#now();
    for (const e of this.#entries.values()) {
      const conn = e.conn;
      if (!conn?.alive || conn.pendingCount > 0) continue;
      if (now - conn.lastActivity < this.#options.keepaliveMs) continue;
      // A tiny command proves the session still works; a failure closes it (next poll reconnects).
      conn
        .command(['/system/identity/print'], { timeoutMs: e.timeoutMs, maxRows: 2 })
        .catch(() => conn.destroy());
    }
  }

  /** Closes and forgets one router's connection (device removed or changed). */
  forget(key: string): void {
    const e = this.#entries.get(key);
    if (!e) return;
    this.#entries.delete(key);
    e.conn?.close();
  }

  /** Closes every connection; later `acquire` calls reject. Safe to call twice. */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const key of [...this.#entries.keys()]) this.forget(key);
  }
}

function targetFingerprint(t: RouterTarget): string {
  // The password is part of it so that a changed password reconnects; it stays in memory only.
  return JSON.stringify([t.host, t.port, t.tls, t.username, t.password, t.timeoutMs]);
}
