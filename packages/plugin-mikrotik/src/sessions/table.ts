/**
 * One router's `/ppp/active`, poll after poll: parsed and diffed against the previous poll.
 *
 * A BNG answers thousands of rows a poll and nearly all are last poll's rows with only the uptime
 * moved on. So each valid row is remembered by its RouterOS `.id`: a row whose name, service,
 * address and caller-id are the very text of last poll's row with that `.id` is not checked and
 * parsed again, and its session is the same session as last poll's without building, hashing or
 * comparing keys: each remembered row carries the polls that reported it. The result is the one
 * of checking every row and diffing sets of session keys (`sessionKey`): the remembered fields
 * are a function of that text, and a poll where that shortcut could differ (a row without `.id`,
 * one `.id` twice) is diffed by keys.
 */
import type { PppoeSessionFact } from '@ispmonitor/core';
import type { Row } from '../api/connection.js';
import { RowTally } from '../parts/rows.js';
import { sessionOfKey } from './keys.js';
import { check, type Known, keyOf, type ParsedPpp, parseOnce, sessionOf, uptimeOf } from './rows.js';
import { NameSlots } from './slots.js';

/** Sessions that appeared and vanished since the previous poll. */
export interface SessionDiff {
  appeared: PppoeSessionFact[];
  vanished: PppoeSessionFact[];
}

/** `ParsedPpp` with the diff against the previous poll (undefined for the first). */
export interface ReadPpp extends ParsedPpp {
  change: SessionDiff | undefined;
}

/**
 * Routers with fewer sessions than this are parsed whole every poll: remembering a row costs
 * about 0.5 KB and saves about a microsecond a poll, worth it on a BNG, not on 10,000 small
 * routers (500,000 sessions: 250 MB).
 */
export const REMEMBER_FROM = 1000;

/** Parses and diffs one router's `/ppp/active`; remembers its valid rows between polls. */
export class SessionTable {
  /** @param rememberFrom Rows in a reply from which they are remembered (`REMEMBER_FROM`). */
  constructor(readonly rememberFrom = REMEMBER_FROM) {}

  /** Valid rows of the last poll by `.id`. */
  readonly #known = new Map<string, Known>();
  readonly #slots = new NameSlots();
  #poll = 0;
  /** The previous poll's valid rows in reply order (where to look first). */
  #order: Known[] = [];
  /** Whether there is a previous poll to diff against. */
  #baseline = false;
  /** The previous poll's sessions: their rows when that poll had one row per `.id`… */
  #lastRows: Known[] | undefined;
  /** …else their distinct keys, in the order first seen. */
  #lastKeys: string[] = [];

  /** One poll: `/ppp/active` rows and, for the session bytes, `/interface` rows. */
  read(rows: readonly Row[], interfaces?: readonly Row[]): ReadPpp {
    if (rows.length < this.rememberFrom) return this.#readOnce(rows, interfaces);
    const poll = ++this.#poll;
    const known = this.#known;
    const order = this.#order;
    const tally = new RowTally();
    const perService = new Map<string, number>([['pppoe', 0]]);
    const checked: Known[] = [];
    const uptimes: Array<number | undefined> = [];
    /** Rows reported, each once, in the order first seen. */
    const reported: Known[] = [];
    /** Rows checked this poll that are not remembered (no `.id`, or one `.id` twice). */
    const transient: Known[] = [];
    let regular = true;
    let cursor = 0;
    for (const r of rows) {
      const rawId = r['.id'];
      // RouterOS answers in the same order poll after poll: last poll's next row, or one of the
      // few after it (sessions that ended), before a lookup by `.id`.
      let k: Known | undefined;
      if (rawId) {
        for (let d = 0; d < 4 && cursor + d < order.length; d++) {
          const c = order[cursor + d] as Known;
          // (`seen` is -1 for a row no longer remembered.)
          if (c.id === rawId && c.seen >= 0) {
            k = c;
            cursor += d + 1;
            break;
          }
        }
        k ??= known.get(rawId);
      }
      if (
        k === undefined ||
        k.name !== r.name ||
        k.service !== r.service ||
        k.address !== r.address ||
        k.caller !== r['caller-id']
      ) {
        const fresh = check(r, tally);
        if (fresh === undefined) continue;
        if (fresh.id === undefined || k?.seen === poll) {
          // No `.id`, or one `.id` twice in a poll: this poll is diffed by keys.
          regular = false;
          k = fresh;
          transient.push(fresh);
        } else if (k !== undefined && keyOf(k) === keyOf(fresh)) {
          // Other text, same session (a MAC in another case): the new text is remembered.
          k.name = fresh.name;
          k.service = fresh.service;
          k.address = fresh.address;
          k.caller = fresh.caller;
        } else {
          if (k !== undefined) this.#drop(k);
          known.set(fresh.id, fresh);
          k = fresh;
        }
      }
      // The uptime moves on every poll: always read (a junk one makes the row garbage).
      const uptime = uptimeOf(r);
      if (uptime === null) {
        tally.skip('with a junk uptime');
        continue;
      }
      if (k.seen === poll) regular = false;
      else {
        k.before = k.seen;
        k.seen = poll;
        reported.push(k);
      }
      perService.set(k.svc, (perService.get(k.svc) ?? 0) + 1);
      checked.push(k);
      uptimes.push(uptime);
    }
    this.#forget(poll, reported.length - transient.length);
    this.#order = reported;
    let found: Array<Row | undefined> | undefined;
    if (interfaces) {
      for (const k of checked) this.#slots.acquire(k);
      found = this.#slots.find(poll, checked, interfaces);
    }
    // Built whole once the interface is known: no property added to a made object.
    const sessions: PppoeSessionFact[] = new Array(checked.length);
    for (let i = 0; i < checked.length; i++)
      sessions[i] = sessionOf(checked[i] as Known, uptimes[i], found?.[i]);
    const change = this.#diff(poll, regular, sessions, checked, reported);
    for (const k of transient) this.#drop(k);
    return { sessions, perService, tally, change };
  }

  /** One poll parsed whole and diffed by keys; nothing remembered. */
  #readOnce(rows: readonly Row[], interfaces?: readonly Row[]): ReadPpp {
    if (this.#known.size > 0) {
      for (const k of this.#known.values()) this.#drop(k);
      this.#known.clear();
    }
    this.#order = [];
    const { sessions, perService, tally, checked } = parseOnce(rows, interfaces);
    return { sessions, perService, tally, change: this.update(sessions, checked.map(keyOf)) };
  }

  /** Marks a row as no longer remembered (it may still be in `#order`). */
  #drop(k: Known): void {
    this.#slots.release(k);
    k.seen = -1;
  }

  /**
   * Forgets the remembered rows this poll did not report; `remembered` is at most the number of
   * remembered rows it did report.
   */
  #forget(poll: number, remembered: number): void {
    const known = this.#known;
    // Usually those are last poll's rows whose session ended: no walk over every row.
    for (const k of this.#order) {
      if (k.seen === poll || k.id === undefined || known.get(k.id) !== k) continue;
      known.delete(k.id);
      this.#drop(k);
    }
    if (known.size === remembered) return;
    known.forEach((k, id) => {
      if (k.seen === poll) return;
      known.delete(id);
      this.#drop(k);
    });
  }

  /** The diff of this poll against the previous one; records this poll as the previous. */
  #diff(
    poll: number,
    regular: boolean,
    sessions: readonly PppoeSessionFact[],
    checked: readonly Known[],
    reported: Known[],
  ): SessionDiff | undefined {
    const lastRows = this.#lastRows;
    const baseline = this.#baseline;
    this.#baseline = true;
    this.#lastRows = regular ? reported : undefined;
    if (lastRows !== undefined && regular && baseline) {
      // One row per `.id` in both polls: a session was reported last poll iff its row was.
      const appeared: PppoeSessionFact[] = [];
      for (let i = 0; i < checked.length; i++)
        if ((checked[i] as Known).before !== poll - 1) appeared.push(sessions[i] as PppoeSessionFact);
      const vanished: PppoeSessionFact[] = [];
      for (const k of lastRows) if (k.seen !== poll) vanished.push(sessionOfKey(keyOf(k)));
      return { appeared, vanished };
    }
    const keys = checked.map(keyOf);
    const last = baseline ? (lastRows?.map(keyOf) ?? this.#lastKeys) : undefined;
    const { change, distinct } = diffKeys(sessions, keys, last);
    this.#lastKeys = regular ? [] : distinct;
    return change;
  }

  /**
   * Records sessions parsed elsewhere (`keys[i]` the key of `sessions[i]`) and diffs them by key
   * against the previous poll.
   */
  update(sessions: readonly PppoeSessionFact[], keys: readonly string[]): SessionDiff | undefined {
    const last = this.#baseline ? (this.#lastRows?.map(keyOf) ?? this.#lastKeys) : undefined;
    const { change, distinct } = diffKeys(sessions, keys, last);
    this.#baseline = true;
    this.#lastRows = undefined;
    this.#lastKeys = distinct;
    return change;
  }

  /** Forgets the previous poll (the next one sets a new baseline). Remembered rows stay. */
  reset(): void {
    this.#baseline = false;
    this.#lastRows = undefined;
    this.#lastKeys = [];
  }
}

/** Sessions whose key is not in `last` appeared; keys of `last` not among `keys` vanished. */
function diffKeys(
  sessions: readonly PppoeSessionFact[],
  keys: readonly string[],
  last: readonly string[] | undefined,
): { change: SessionDiff | undefined; distinct: string[] } {
  const next = new Set<string>(keys);
  const distinct = [...next];
  if (last === undefined) return { change: undefined, distinct };
  const before = new Set<string>(last);
  const appeared: PppoeSessionFact[] = [];
  for (let i = 0; i < sessions.length; i++)
    if (!before.has(keys[i] as string)) appeared.push(sessions[i] as PppoeSessionFact);
  const vanished: PppoeSessionFact[] = [];
  for (const key of last) if (!next.has(key)) vanished.push(sessionOfKey(key));
  return { change: { appeared, vanished }, distinct };
}
