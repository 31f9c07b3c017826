/**
 * The subscriber recorder: turns each router's full lists of PPPoE sessions, DHCP leases,
 * wireless registrations and ARP bindings (bus `facts`) into history rows.
 *
 * - A router's active rows are loaded from the database before its first diff (and again after
 *   a gap in its polls: another replica may have polled it meanwhile), so a session stays ONE
 *   row across monitor restarts and replica hand-overs. Rows gone at that first diff end as
 *   `monitor restart`, at the router's last poll recorded by anyone.
 * - The diff runs in memory at each poll; only changes are queued (bounded, counted when
 *   dropped), and `flush()` writes the changes of all routers in a few statements. A poll that
 *   changes nothing costs one router row at the next flush. Volatile values (bytes, peaks,
 *   signal, expiry, last seen) are written at a per-router checkpoint and at the end.
 * - While the database is down changes stay queued with their own times, so an end that
 *   happened meanwhile is stored with the time it happened.
 */
import type { Device, InventoryFacts, Logger } from '@ispmonitor/core';
import { describeError, parseDuration, stableHash } from '@ispmonitor/core';
import type { Db } from '../db/types.js';
import { KINDS, type Kind, type KindSpec, listOf, MAX_ROWS } from './record-kinds.js';
import type { RecorderMetrics } from './record-metrics.js';
import {
  type KindBatch,
  loadPolls,
  loadRows,
  oldestOpen,
  type RouterPoll,
  writeBatch,
} from './record-sql.js';
import { type DiffHooks, diff, type KindState, newKindState, Pending, suspendAll } from './record-state.js';
import type { EndReason } from './schema.js';
import { WeekCache } from './schema-partitions.js';

/** Settings of the recorder (parsed `subscribers` options). */
export interface RecorderOptions {
  reconnectWindowMs: number;
  checkpointMs: number;
  /** Changes kept while they cannot be written; beyond it new ones are dropped and counted. */
  maxPending: number;
  /** Routers loaded per statement. Default 2,000. */
  loadBatch?: number;
}

interface Router {
  id: string;
  kinds: Map<Kind, KindState>;
  loaded: boolean;
  /** Facts that arrived before the router's rows were loaded (the latest of each kind). */
  waiting?: { facts: InventoryFacts; ts: number };
  lastFacts?: number;
  reloadAfter: number;
  reconnects: number;
}

/** What one flush did (for tests and logs). */
export interface FlushReport {
  written: number;
  loaded: number;
  error?: string;
}

const KIND_COLUMN = Object.fromEntries(KINDS.map((k) => [k.kind, k.routerColumn])) as Record<
  Kind,
  KindSpec['routerColumn']
>;
/** SQLSTATE classes of errors a retry cannot fix (bad data, constraint, bad SQL): the batch is dropped. */
const POISON = /^(22|23|42)/;

export class SubscriberRecorder {
  readonly #routers = new Map<string, Router>();
  readonly #dirty = new Set<Router>();
  readonly #needLoad = new Set<Router>();
  #polls = new Map<string, RouterPoll>();
  #wide = new Map<Kind, Set<string>>();
  #queued = 0;
  #flushing: Promise<FlushReport> | undefined;
  readonly #weeks = new WeekCache();
  readonly #hooks: DiffHooks;

  constructor(
    private readonly db: () => Db | undefined,
    private readonly options: RecorderOptions,
    private readonly metrics: RecorderMetrics,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {
    this.#hooks = {
      skipped: (kind, reason) => metrics.skipped.inc({ kind, reason }),
      admit: (kind, change) => {
        if (this.#queued >= options.maxPending) {
          metrics.dropped.inc({ kind, change });
          return false;
        }
        this.#queued++;
        return true;
      },
    };
  }

  /** Changes waiting to be written (approximate: a row changed twice counts twice). */
  get pending(): number {
    return this.#queued;
  }

  /** Whether routers wait for their rows to be loaded (their polls are not diffed until then). */
  get waitingForLoad(): boolean {
    return this.#needLoad.size > 0;
  }

  /** Reconnects this process has counted on a router since it started (the sample's value). */
  reconnects(device: string): number {
    return this.#routers.get(device)?.reconnects ?? 0;
  }

  /** One poll's facts of a router. Never throws; never touches the database. */
  facts(device: Device, facts: InventoryFacts, ts: number): void {
    if (!KINDS.some((k) => listOf(facts, k))) return;
    const r = this.#router(device);
    if (r.loaded && r.lastFacts !== undefined && ts - r.lastFacts > r.reloadAfter) {
      // Nobody here watched it for a while: another replica may have. Read it again.
      r.loaded = false;
    }
    r.lastFacts = ts;
    if (!r.loaded) {
      r.waiting = { facts: { ...r.waiting?.facts, ...facts }, ts };
      this.#needLoad.add(r);
      return;
    }
    this.#apply(r, facts, ts, 'vanished');
  }

  /** The router went offline: its active rows end as `router unreachable` at its last poll. */
  offline(device: string, ts: number): void {
    const r = this.#routers.get(device);
    if (!r?.loaded) {
      if (r) r.waiting = undefined;
      for (const k of KINDS) {
        const set = this.#wide.get(k.kind) ?? new Set<string>();
        this.#wide.set(k.kind, set);
        set.add(device);
      }
      return;
    }
    for (const spec of KINDS) {
      const state = r.kinds.get(spec.kind);
      if (state) suspendAll(state, state.lastPoll ?? ts, this.#hooks, spec);
    }
    this.#dirty.add(r);
  }

  /** Forgets a removed router (its queued changes are still written). */
  forget(device: string): void {
    const r = this.#routers.get(device);
    if (r) this.#needLoad.delete(r);
    this.#routers.delete(device);
  }

  /** Forgets every router's loaded state: a database reached again may have lost writes. */
  reloadAll(): void {
    for (const r of this.#routers.values()) r.loaded = false;
  }

  /** Writes what is queued, then loads routers waiting for their rows. One at a time; never throws. */
  flush(): Promise<FlushReport> {
    const run = (this.#flushing ?? Promise.resolve()).then(() => this.#flushOnce());
    const tail = run.finally(() => {
      if (this.#flushing === tail) this.#flushing = undefined;
    });
    this.#flushing = tail;
    return run;
  }

  #router(device: Device): Router {
    let r = this.#routers.get(device.id);
    if (!r) {
      let interval = 60_000;
      try {
        interval = device.interval === undefined ? interval : parseDuration(device.interval);
      } catch {}
      r = {
        id: device.id,
        kinds: new Map(),
        loaded: false,
        reloadAfter: Math.max(3 * interval, 180_000),
        reconnects: 0,
      };
      this.#routers.set(device.id, r);
    }
    return r;
  }

  #apply(r: Router, facts: InventoryFacts, ts: number, reason: EndReason): void {
    let poll = this.#polls.get(r.id);
    for (const spec of KINDS) {
      const list = listOf(facts, spec);
      if (!list) continue;
      const state = r.kinds.get(spec.kind) ?? newKindState();
      r.kinds.set(spec.kind, state);
      let checkpoint = false;
      if (state.nextCheckpoint === undefined) {
        // The first checkpoint comes after a share of the interval fixed by the router's id.
        state.nextCheckpoint = ts + Math.floor((stableHash(r.id) / 2 ** 32) * this.options.checkpointMs);
      } else if (ts >= state.nextCheckpoint) {
        checkpoint = true;
        state.nextCheckpoint = ts + this.options.checkpointMs;
      }
      // After a restart, what is gone ended after the last poll anyone recorded (or the row's own last seen).
      const endAt = reason === 'vanished' ? ts : (state.lastPoll ?? 0);
      diff(spec, state, list, ts, this.#hooks, { checkpoint, endReason: reason, endAt, limit: MAX_ROWS });
      if (state.pending.size > 0) this.#dirty.add(r);
      if (!poll) {
        poll = { device: r.id, at: { pppoe_at: null, dhcp_at: null, wireless_at: null, arp_at: null } };
        this.#polls.set(r.id, poll);
      }
      poll.at[spec.routerColumn] = Math.max(poll.at[spec.routerColumn] ?? ts, ts);
    }
  }

  async #flushOnce(): Promise<FlushReport> {
    const db = this.db();
    if (!db) return { written: 0, loaded: 0, error: 'the database is not open' };
    try {
      let written = await this.#write(db);
      const loaded = await this.#load(db);
      if (loaded > 0) written += await this.#write(db);
      return { written, loaded };
    } catch (err) {
      return { written: 0, loaded: 0, error: describeError(err).message };
    }
  }

  /** Writes every queued change in one transaction; on failure puts them back (or drops a poisoned batch). */
  async #write(db: Db): Promise<number> {
    if (this.#dirty.size === 0 && this.#polls.size === 0 && this.#wide.size === 0) return 0;
    const taken: Array<[KindState, Pending]> = [];
    const batches = new Map<Kind, KindBatch>(
      KINDS.map((spec) => [
        spec.kind,
        { spec, inserts: [], ends: [], reopens: [], updates: [], wideEnds: [] },
      ]),
    );
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const r of this.#dirty) {
      for (const [kind, state] of r.kinds) {
        const p = state.pending;
        if (p.size === 0) continue;
        state.pending = new Pending();
        taken.push([state, p]);
        const b = batches.get(kind) as KindBatch;
        for (const l of p.inserts) b.inserts.push([r.id, l]);
        for (const l of p.ends) if (l.ended) b.ends.push([r.id, l]);
        for (const l of p.reopens) if (!l.ended && l.reopenFrom !== undefined) b.reopens.push([r.id, l]);
        for (const l of p.updates) if (!l.ended) b.updates.push([r.id, l]);
        for (const set of [p.inserts, p.ends]) {
          for (const l of set) {
            if (!l.ended) continue;
            lo = Math.min(lo, l.ended.at);
            hi = Math.max(hi, l.ended.at);
          }
        }
      }
    }
    this.#dirty.clear();
    const polls = this.#polls;
    this.#polls = new Map();
    const wide = this.#wide;
    this.#wide = new Map();
    for (const [kind, set] of wide) (batches.get(kind) as KindBatch).wideEnds.push(...set);
    const queued = this.#queued;
    this.#queued = 0;
    const counts = new Map<string, number>();
    try {
      if (wide.size > 0) {
        // Those rows end at their own last seen: the weeks from the oldest of them must exist.
        const oldest = await oldestOpen(db, [...new Set([...wide.values()].flatMap((set) => [...set]))]);
        if (oldest !== undefined) {
          lo = Math.min(lo, oldest);
          hi = Math.max(hi, this.now());
        }
      }
      if (lo <= hi) await this.#weeks.ensure(db, lo, hi);
      await db.transaction((tx) =>
        writeBatch(tx, [...batches.values()], [...polls.values()], this.options.reconnectWindowMs, (d) =>
          counts.set(d, (counts.get(d) ?? 0) + 1),
        ),
      );
    } catch (err) {
      this.metrics.flushes.inc({ result: 'error' });
      this.#weeks.forget();
      const code = String((err as { code?: unknown }).code ?? '');
      if (POISON.test(code)) {
        this.logger.error('subscriber history changes could not be written and were dropped', {
          changes: queued,
          error: describeError(err),
        });
        this.metrics.dropped.inc({ kind: 'all', change: 'rejected' }, queued);
        return 0;
      }
      this.#putBack(taken, polls, wide, queued);
      throw err;
    }
    this.metrics.flushes.inc({ result: 'ok' });
    for (const [device, n] of counts) {
      this.metrics.reconnects.inc({ router: device }, n);
      const r = this.#routers.get(device);
      if (r) r.reconnects += n;
    }
    return queued;
  }

  #putBack(
    taken: Array<[KindState, Pending]>,
    polls: Map<string, RouterPoll>,
    wide: Map<Kind, Set<string>>,
    n: number,
  ) {
    for (const [state, old] of taken) {
      const now = state.pending;
      for (const l of old.inserts) {
        now.ends.delete(l);
        now.inserts.add(l);
      }
      for (const l of old.ends) if (!now.inserts.has(l) && l.ended) now.ends.add(l);
      for (const l of old.reopens) if (!l.ended && l.reopenFrom !== undefined) now.reopens.add(l);
      for (const l of old.updates) if (!l.ended && !now.inserts.has(l)) now.updates.add(l);
    }
    for (const r of this.#routers.values())
      for (const s of r.kinds.values()) if (s.pending.size) this.#dirty.add(r);
    for (const [d, p] of polls) {
      const cur = this.#polls.get(d);
      if (!cur) this.#polls.set(d, p);
      else
        for (const c of Object.keys(p.at) as Array<keyof RouterPoll['at']>)
          cur.at[c] = Math.max(cur.at[c] ?? 0, p.at[c] ?? 0) || null;
    }
    for (const [k, set] of wide) {
      const cur = this.#wide.get(k);
      if (!cur) this.#wide.set(k, set);
      else for (const d of set) cur.add(d);
    }
    this.#queued += n;
  }

  /** Loads the rows of routers waiting for them, then diffs their waiting facts. */
  async #load(db: Db): Promise<number> {
    if (this.#needLoad.size === 0) return 0;
    const batch = [...this.#needLoad].slice(0, this.options.loadBatch ?? 2_000);
    const devices = batch.map((r) => r.id);
    const polls = new Map((await loadPolls(db, devices)).map((p) => [p.device, p]));
    const fresh = new Map<string, Map<Kind, KindState>>(devices.map((d) => [d, new Map()]));
    for (const spec of KINDS) {
      const last = new Map<string, number>();
      for (const [d, p] of polls) {
        const at = p.at[KIND_COLUMN[spec.kind]];
        if (at !== null) last.set(d, at);
      }
      const { open, suspended } = await loadRows(db, spec, devices, last);
      const stateOf = (d: string) => {
        const kinds = fresh.get(d) as Map<Kind, KindState>;
        let s = kinds.get(spec.kind);
        if (!s) {
          s = newKindState();
          s.lastPoll = last.get(d);
          kinds.set(spec.kind, s);
        }
        return s;
      };
      for (const row of open)
        stateOf(row.device).rows.set(row.live.key, { ...row.live, ended: undefined, gen: 0 });
      for (const row of suspended) stateOf(row.device).suspended.set(row.live.key, { ...row.live, gen: 0 });
      for (const d of devices) if (last.has(d)) stateOf(d);
    }
    for (const r of batch) {
      this.#needLoad.delete(r);
      r.kinds = fresh.get(r.id) as Map<Kind, KindState>;
      r.loaded = true;
      const w = r.waiting;
      r.waiting = undefined;
      if (w) this.#apply(r, w.facts, w.ts, 'monitor restart');
    }
    return batch.length;
  }
}
