/**
 * What the recorder remembers of each router: its active rows per kind, and the changes waiting
 * to be written. The diff of one poll runs here, in memory, without the database: a poll that
 * changes nothing touches no pending set at all.
 */
import { asRecord, type Kind, type KindSpec, type Parsed, type SkipReason } from './record-kinds.js';
import type { EndReason } from './schema.js';

/** Byte counters of a session, to compute totals across counter resets and peak rates. */
interface Bytes {
  last: [number | null, number | null];
  base: [number, number];
  peak: [number | null, number | null];
  at: number;
}

/** One active (or just ended) row as the recorder knows it. */
export interface Live {
  key: string;
  keys: Array<string | null>;
  attrs: Array<string | null>;
  start: number;
  lastSeen: number;
  vols: Array<number | null>;
  bytes?: Bytes;
  /** Set once the row has ended (or was ended as unreachable and may be reopened). */
  ended?: { at: number; reason: EndReason };
  /** The end time stored in the database, which a reopen must find. */
  reopenFrom?: number;
  /** Generation of the last poll that saw it. */
  gen: number;
  /** The raw key and fields it was last parsed from (the fast path compares them by identity). */
  rawKey?: string;
  raw?: unknown[];
}

/** Changes of one kind waiting for the next flush, per router. Sets of rows: written from their state then. */
export class Pending {
  readonly inserts = new Set<Live>();
  readonly ends = new Set<Live>();
  readonly reopens = new Set<Live>();
  readonly updates = new Set<Live>();

  get size(): number {
    return this.inserts.size + this.ends.size + this.reopens.size + this.updates.size;
  }
}

/** The state of one kind on one router. */
export interface KindState {
  rows: Map<string, Live>;
  /** The same rows by their raw key (see `KindSpec.rawKey`). */
  byRaw: Map<string, Live>;
  /** Rows ended as `router unreachable`: reopened when they come back. */
  suspended: Map<string, Live>;
  pending: Pending;
  gen: number;
  /** Last poll (ms) that collected this kind; also loaded from the database. */
  lastPoll?: number;
  nextCheckpoint?: number;
}

export const newKindState = (): KindState => ({
  rows: new Map(),
  byRaw: new Map(),
  suspended: new Map(),
  pending: new Pending(),
  gen: 0,
});

/** How the diff reports skipped rows and asks whether a change may still be queued. */
export interface DiffHooks {
  skipped(kind: Kind, reason: SkipReason): void;
  /** False when the pending queue is full: the change is dropped (and counted by the caller). */
  admit(kind: Kind, change: 'insert' | 'end' | 'update'): boolean;
}

/** Tolerance when matching a returning session to the one ended as unreachable (uptime rounding). */
const REOPEN_SLACK = 60_000;
/** Peak rates are computed over at least this long, so two polls close together do not make a spike. */
const MIN_RATE_SPAN = 1_000;

function step(b: Bytes, i: 0 | 1, cur: number | null, span: number): void {
  if (cur === null) return;
  const prev = b.last[i];
  if (prev !== null) {
    if (cur < prev)
      b.base[i] += prev; // the counter restarted: what it had counted is kept
    else if (span >= MIN_RATE_SPAN) {
      const rate = ((cur - prev) * 8000) / span;
      const peak = b.peak[i];
      if (peak === null || peak === undefined || rate > peak) b.peak[i] = rate;
    }
  }
  b.last[i] = cur;
}

function track(live: Live, bytes: NonNullable<Parsed['bytes']>, ts: number): void {
  let b = live.bytes;
  if (!b) {
    b = { last: [null, null], base: [0, 0], peak: [live.vols[2] ?? null, live.vols[3] ?? null], at: ts };
    live.bytes = b;
  }
  const span = ts - b.at;
  step(b, 0, bytes[0], span);
  step(b, 1, bytes[1], span);
  b.at = ts;
  const v = live.vols;
  if (b.last[0] !== null) v[0] = b.base[0] + b.last[0];
  if (b.last[1] !== null) v[1] = b.base[1] + b.last[1];
  v[2] = b.peak[0];
  v[3] = b.peak[1];
}

/** Seeds the byte tracker of a row loaded from the database with the counters first read after it. */
function seedBytes(live: Live, bytes: NonNullable<Parsed['bytes']>, ts: number): void {
  const stored = [live.vols[0] ?? null, live.vols[1] ?? null];
  const base: [number, number] = [0, 0];
  // A reading below the stored total means the counter restarted while nobody watched.
  for (const i of [0, 1] as const) {
    const cur = bytes[i];
    const had = stored[i];
    if (cur !== null && had !== null && had !== undefined && cur < had) base[i] = had;
  }
  live.bytes = { last: [null, null], base, peak: [live.vols[2] ?? null, live.vols[3] ?? null], at: ts };
}

/** Slack on a time column between polls (clock and uptime rounding) before it counts as a change. */
const TIME_SLACK = 60_000;

function moved(spec: KindSpec, before: Array<number | null>, now: Array<number | null>): boolean {
  for (let i = 0; i < spec.vols.length; i++) {
    if (spec.vols[i]?.type !== 'timestamptz') continue;
    const a = before[i] ?? null;
    const b = now[i] ?? null;
    if ((a === null) !== (b === null) || (a !== null && b !== null && Math.abs(a - b) > TIME_SLACK))
      return true;
  }
  return false;
}

const sameAttrs = (a: Array<string | null>, b: Array<string | null>) => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

/**
 * Diffs one poll's full list of a kind against the router's rows: appeared → insert, vanished →
 * end (`reason` at `endAt`), changed attributes → update; volatile values are kept in memory and
 * written at the checkpoint (`checkpoint` true) or at the end. Rows ended as unreachable that
 * are back, and that started before they were ended, are reopened: one session stays one row.
 */
export function diff(
  spec: KindSpec,
  state: KindState,
  list: readonly unknown[],
  ts: number,
  hooks: DiffHooks,
  options: { checkpoint: boolean; endReason: EndReason; endAt: number; limit: number },
): void {
  const gen = ++state.gen;
  const { rows, pending } = state;
  const n = Math.min(list.length, options.limit);
  for (let i = n; i < list.length; i++) hooks.skipped(spec.kind, 'too many');
  for (let i = 0; i < n; i++) {
    // Fast path: the very strings of a row parsed before. Rows leave `byRaw` when they end, so
    // whatever is found there is current.
    const r = asRecord(list[i]);
    if (r === undefined) {
      hooks.skipped(spec.kind, 'invalid');
      continue;
    }
    const rk = spec.rawKey(r);
    if (rk !== undefined) {
      const seen = state.byRaw.get(rk);
      if (seen !== undefined && seen.gen !== gen) {
        if (spec.same(r, seen.raw as unknown[])) {
          seen.gen = gen;
          seen.lastSeen = ts;
          volatile(spec, pending, seen, r, ts);
          continue;
        }
      }
    }
    const p = spec.parse(r, ts);
    if (typeof p === 'string') {
      hooks.skipped(spec.kind, p);
      continue;
    }
    let live = rows.get(p.key);
    if (live && live.gen === gen) {
      hooks.skipped(spec.kind, 'duplicate');
      continue;
    }
    if (!live) {
      live = state.suspended.get(p.key);
      if (live && p.start <= (live.ended?.at ?? 0) + REOPEN_SLACK) {
        state.suspended.delete(p.key);
        reopen(state, live, hooks, spec);
      } else {
        live = { key: p.key, keys: p.keys, attrs: p.attrs, start: p.start, lastSeen: ts, vols: p.vols, gen };
        if (!hooks.admit(spec.kind, 'insert')) continue;
        pending.inserts.add(live);
      }
      rows.set(p.key, live);
    } else if (!sameAttrs(live.attrs, p.attrs)) {
      live.attrs = p.attrs;
      if (!pending.inserts.has(live) && hooks.admit(spec.kind, 'update')) pending.updates.add(live);
    }
    live.gen = gen;
    live.lastSeen = ts;
    if (rk !== undefined) {
      if (live.rawKey !== undefined && state.byRaw.get(live.rawKey) === live) state.byRaw.delete(live.rawKey);
      live.rawKey = rk;
      live.raw = spec.rawOf(r);
      state.byRaw.set(rk, live);
    }
    volatile(spec, pending, live, r, ts);
  }
  for (const live of rows.values()) {
    if (live.gen === gen) {
      if (options.checkpoint && !pending.inserts.has(live)) pending.updates.add(live);
      continue;
    }
    rows.delete(live.key);
    if (live.rawKey !== undefined && state.byRaw.get(live.rawKey) === live) state.byRaw.delete(live.rawKey);
    end(state, live, { at: options.endAt, reason: options.endReason }, hooks, spec);
  }
  // Rows ended as unreachable that did not come back with the router stay ended.
  state.suspended.clear();
  state.lastPoll = ts;
}

/** Volatile values of a row at this poll: byte counters, or the kind's volatile columns. */
function volatile(
  spec: KindSpec,
  pending: Pending,
  live: Live,
  r: Record<string, unknown>,
  ts: number,
): void {
  if (spec.bytesOf) {
    const bytes = spec.bytesOf(r);
    if (!bytes) return;
    if (!live.bytes && !pending.inserts.has(live)) seedBytes(live, bytes, ts);
    track(live, bytes, ts);
  } else if (spec.vols.length > 0) {
    const vols = spec.volsOf(r, ts);
    // A lease renewed moves its expiry by far more than a poll's jitter: written now, not at the checkpoint.
    if (moved(spec, live.vols, vols) && !pending.inserts.has(live)) pending.updates.add(live);
    live.vols = vols;
  }
}

/** Ends a row: carried by its pending insert, or queued as an end. */
export function end(
  state: KindState,
  live: Live,
  ended: NonNullable<Live['ended']>,
  hooks: DiffHooks,
  spec: KindSpec,
): void {
  live.ended = { at: Math.max(ended.at, live.lastSeen, live.start), reason: ended.reason };
  state.pending.updates.delete(live);
  if (state.pending.inserts.has(live)) return;
  if (state.pending.reopens.delete(live)) live.reopenFrom = undefined;
  if (hooks.admit(spec.kind, 'end')) state.pending.ends.add(live);
}

function reopen(state: KindState, live: Live, hooks: DiffHooks, spec: KindSpec): void {
  const { pending } = state;
  const endedAt = live.ended?.at;
  live.ended = undefined;
  // Not yet written: cancelling the pending end (or the insert's end) is all there is to do.
  if (pending.inserts.has(live) || pending.ends.delete(live)) return;
  live.reopenFrom = endedAt;
  if (hooks.admit(spec.kind, 'update')) pending.reopens.add(live);
}

/** Ends every active row of a kind (router unreachable), keeping them to reopen. */
export function suspendAll(state: KindState, at: number, hooks: DiffHooks, spec: KindSpec): void {
  for (const live of state.rows.values()) {
    end(state, live, { at: Math.max(at, live.lastSeen), reason: 'router unreachable' }, hooks, spec);
    state.suspended.set(live.key, live);
  }
  state.rows.clear();
  state.byRaw.clear();
}
