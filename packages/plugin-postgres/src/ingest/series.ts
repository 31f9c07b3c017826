import type { Labels } from '@ispmonitor/core';
import type { Db } from '../db/types.js';
import { SeriesIds } from './series-copy.js';
import { createSeries, lookupSeries } from './series-sql.js';

/** One series to resolve: name, canonical label JSON and kind. */
export interface SeriesKey {
  name: string;
  labels: string;
  kind: 'counter' | 'gauge';
  /** The labels object as the sample carried it: the id is cached under it (else under `labels`). */
  source?: Labels;
}

/**
 * The values of a series' last label and their ids. Most are small (an interface per value, a
 * few dozen per device), and a Map costs about 150 bytes empty and 39 bytes an entry, so a small
 * leaf is one exact-size array `[value, id, value, id, …]` (16 bytes an entry), searched in
 * order; past `LEAF_ARRAY_MAX` values, where that search gets slower than hashing, a Map.
 */
type Leaf = Array<string | number> | Map<string, number>;

const LEAF_ARRAY_MAX = 32;

/** The labels a series was asked with: the sample's own object, else parsed from its JSON. */
const sourceOf = (s: SeriesKey): Labels => s.source ?? (JSON.parse(s.labels) as Labels);

/** Statements creating series at once on PostgreSQL (see `SeriesCache`). */
const CREATE_LANES = 2;

function leafGet(leaf: Leaf, value: string): number | undefined {
  if (!Array.isArray(leaf)) return leaf.get(value);
  for (let i = 0; i < leaf.length; i += 2) if (leaf[i] === value) return leaf[i + 1] as number;
  return undefined;
}

/** Sets value → id; returns the leaf to keep (another one when it grew). */
function leafSet(leaf: Leaf | undefined, value: string, id: number): Leaf {
  if (leaf === undefined) return [value, id];
  if (!Array.isArray(leaf)) return leaf.set(value, id);
  for (let i = 0; i < leaf.length; i += 2) {
    if (leaf[i] === value) {
      leaf[i + 1] = id;
      return leaf;
    }
  }
  if (leaf.length < 2 * LEAF_ARRAY_MAX) {
    // A copy of the exact size: `push` would leave spare capacity in every leaf.
    const grown = new Array<string | number>(leaf.length + 2);
    for (let i = 0; i < leaf.length; i++) grown[i] = leaf[i] as string | number;
    grown[leaf.length] = value;
    grown[leaf.length + 1] = id;
    return grown;
  }
  const map = new Map<string, number>();
  for (let i = 0; i < leaf.length; i += 2) map.set(leaf[i] as string, leaf[i + 1] as number);
  return map.set(value, id);
}

/**
 * A node of the id cache: the path from the root is name, then each label's key and value. The
 * last label's values map straight to ids (`ids`), with no node per series: at 10,000 routers
 * the cache holds millions of series, and a node each cost about 40 bytes more per series.
 */
class Node {
  /** The id of a series without labels (on a name's node). */
  id: number | undefined = undefined;
  /**
   * The only child, while there is one: most nodes have one (a device's value node has only the
   * next label's key), and a Map for it would cost about 150 bytes. From the second on, `next`.
   */
  part: string | undefined = undefined;
  only: Node | undefined = undefined;
  next: Map<string, Node> | undefined = undefined;
  /** On a label key's node when that key is the series' last: value → id. */
  ids: Leaf | undefined = undefined;

  find(part: string): Node | undefined {
    return this.part === part ? this.only : this.next?.get(part);
  }

  child(part: string): Node {
    let node = this.find(part);
    if (node) return node;
    node = new Node();
    if (this.only === undefined && this.next === undefined) {
      this.part = part;
      this.only = node;
      return node;
    }
    if (this.next === undefined) {
      this.next = new Map([[this.part as string, this.only as Node]]);
      this.part = undefined;
      this.only = undefined;
    }
    this.next.set(part, node);
    return node;
  }
}

/**
 * Maps (name, labels) to series ids, creating series on first sight. Ids are cached in memory in
 * a tree — name, then each label's key and value in the order the labels object holds them — so
 * a lookup hashes or compares only short strings the sample already has, and builds no key (a key
 * string per sample, hashed in one large map, was most of the sink's CPU time). The same labels
 * in another order take another path to the same id. About 25 bytes a series at 10,000 routers
 * (24 interfaces × 11 metrics each), against 54 with a Map per node and leaf. Bounded: the cache
 * is cleared when full, then refills from the database as samples come.
 */
export class SeriesCache {
  #root = new Node();
  #size = 0;
  /** Ids reserved for the series this cache creates. */
  readonly #ids: SeriesIds;

  /**
   * Statements in flight when a batch creates many series: on PostgreSQL two, so the server
   * inserts on two cores while one statement would use one (the floor's single INSERT … SELECT
   * does); PGlite has one connection.
   */
  readonly #lanes: number;

  constructor(
    private readonly db: Db,
    private readonly limit: number,
  ) {
    this.#lanes = db.engine === 'postgres' ? CREATE_LANES : 1;
    this.#ids = new SeriesIds(db);
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Share of series sent to the database that already existed there, smoothed over batches
   * (starts at 1: a restart, where every series exists, must not begin with inserts).
   */
  #existingShare = 1;
  #found(existing: number, of: number): void {
    this.#existingShare = 0.5 * this.#existingShare + 0.5 * (existing / of);
  }

  /**
   * Whether to look series up before inserting them: while most of them existed (one batch
   * whose look-ups all missed, a first start's first, turns them off). Inserting first, the
   * conflicts say how many existed, so a change back (a restart, another replica that created
   * them) turns look-ups on again within a few batches.
   */
  #lookupsPay(): boolean {
    return this.#existingShare > 0.5;
  }

  /**
   * Forgets every id (after a restore, when full, or in tests). As after a restart, what comes
   * next mostly exists: look-ups first again.
   */
  clear(): void {
    this.#root = new Node();
    this.#size = 0;
    this.#existingShare = 1;
    this.#ids.forget();
  }

  /** The cached id of a series, if any (no database access). */
  get(name: string, labels: Labels): number | undefined {
    let node = this.#root.find(name);
    const keys = Object.keys(labels);
    const last = keys.length - 1;
    if (last < 0) return node?.id;
    for (let i = 0; i < last; i++) {
      if (node === undefined) return undefined;
      const k = keys[i] as string;
      node = node.find(k)?.find(String(labels[k]));
    }
    const k = keys[last] as string;
    const ids = node?.find(k)?.ids;
    return ids === undefined ? undefined : leafGet(ids, String(labels[k]));
  }

  #remember(name: string, labels: Labels, id: number): void {
    let node = this.#root.child(name);
    const keys = Object.keys(labels);
    const last = keys.length - 1;
    let known: boolean;
    if (last < 0) {
      known = node.id !== undefined;
      node.id = id;
    } else {
      for (let i = 0; i < last; i++) {
        const k = keys[i] as string;
        node = node.child(k).child(String(labels[k]));
      }
      const k = keys[last] as string;
      const leaf = node.child(k);
      const value = String(labels[k]);
      known = leaf.ids !== undefined && leafGet(leaf.ids, value) !== undefined;
      leaf.ids = leafSet(leaf.ids, value, id);
    }
    if (!known) this.#size++;
  }

  /**
   * Resolves every series to its id, creating the series that do not exist yet; the map's keys
   * are the caller's (several keys may name one series).
   */
  async resolve(wanted: Map<string, SeriesKey>): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    // Each series is sent once, even when several keys name it (labels in another order).
    const series = new Map<string, { s: SeriesKey; keys: string[] }>();
    for (const [k, s] of wanted) {
      const id = this.get(s.name, sourceOf(s));
      if (id !== undefined) {
        out.set(k, id);
        continue;
      }
      const canonical = `${s.name}\0${s.labels}`;
      const entry = series.get(canonical);
      if (entry) entry.keys.push(k);
      else series.set(canonical, { s, keys: [k] });
    }
    if (series.size === 0) return out;
    const missing = [...series.values()];
    const ids = await this.#fetch(
      missing.map((m) => m.s),
      wanted.size,
    );
    for (let i = 0; i < missing.length; i++) {
      const entry = missing[i];
      const id = ids[i];
      if (!entry || id === undefined) continue;
      for (const k of entry.keys) {
        out.set(k, id);
        this.#remember(entry.s.name, sourceOf(wanted.get(k) as SeriesKey), id);
      }
    }
    return out;
  }

  /**
   * The sink's path: ids of series the caller found missing from the cache, in their order,
   * each series once (by name and canonical labels), remembered under its `source`. No map of
   * the caller's keys is built or returned: at a first start every sample of a batch comes here,
   * and those maps of fresh string keys were most of the client's cost per new series.
   */
  async resolveList(list: readonly SeriesKey[]): Promise<Array<number | undefined>> {
    const ids = await this.#fetch(list, list.length);
    for (let i = 0; i < list.length; i++) {
      const id = ids[i];
      const s = list[i] as SeriesKey;
      if (id !== undefined) this.#remember(s.name, sourceOf(s), id);
    }
    return ids;
  }

  /** Looks up or creates these distinct series; clears the cache first when `adding` would overflow it. */
  async #fetch(missing: readonly SeriesKey[], adding: number): Promise<Array<number | undefined>> {
    // Look up first while looking up pays: after a restart (or a cleared cache) every series
    // exists, and a plain lookup costs a fraction of an insert. At a first start every lookup
    // misses and only doubles the work, so while the last lookups mostly missed, series are
    // inserted straight away (those that existed are looked up after, as conflicts).
    const lookFirst = this.#lookupsPay();
    const ids = lookFirst
      ? await lookupSeries(this.db, missing)
      : new Array<number | undefined>(missing.length).fill(undefined);
    const absent: number[] = [];
    for (let i = 0; i < missing.length; i++) if (ids[i] === undefined) absent.push(i);
    if (lookFirst) this.#found(missing.length - absent.length, missing.length);
    if (absent.length > 0) {
      // Created with ids reserved for them (a share of them per lane); a series another
      // replica created in the meantime (no id returned for it) is looked up.
      const keyAt = (i: number) => missing[i] as SeriesKey;
      const created = await createSeries(this.db, absent.map(keyAt), this.#lanes, this.#ids);
      const raced: number[] = [];
      absent.forEach((i, j) => {
        ids[i] = created[j];
        if (created[j] === undefined) raced.push(i);
      });
      if (raced.length > 0) {
        const found = await lookupSeries(this.db, raced.map(keyAt));
        raced.forEach((i, j) => {
          ids[i] = found[j];
        });
      }
      if (!lookFirst) this.#found(raced.length, missing.length);
    }
    if (this.#size + adding > this.limit) this.clear();
    return ids;
  }
}
