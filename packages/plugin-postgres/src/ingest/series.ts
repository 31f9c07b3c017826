import type { Labels } from '@ispmonitor/core';
import type { Db } from '../db/types.js';
import { SeriesIds } from './series-copy.js';
import { afterIo, CREATE_CHUNK, createSeries, lookupSeries } from './series-sql.js';

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
   * Series per statement when a batch creates many: on PostgreSQL a few statements one after the
   * other (see `createSeries`); on PGlite, which gets a statement's rows in one message, one.
   */
  readonly #chunk: number;

  constructor(
    private readonly db: Db,
    private readonly limit: number,
  ) {
    this.#chunk = db.engine === 'postgres' ? CREATE_CHUNK : Number.POSITIVE_INFINITY;
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
    await this.#fetch(
      missing.map((m) => m.s),
      wanted.size,
      (i, id) => {
        const entry = missing[i] as { s: SeriesKey; keys: string[] };
        for (const k of entry.keys) {
          out.set(k, id);
          this.#remember(entry.s.name, sourceOf(wanted.get(k) as SeriesKey), id);
        }
      },
    );
    return out;
  }

  /**
   * The sink's path: ids of series the caller found missing from the cache, in their order,
   * each series once (by name and canonical labels), remembered under its `source`. No map of
   * the caller's keys is built or returned: at a first start every sample of a batch comes here,
   * and those maps of fresh string keys were most of the client's cost per new series.
   */
  async resolveList(list: readonly SeriesKey[]): Promise<Array<number | undefined>> {
    const creation = this.creation();
    for (const s of list) creation.add(s);
    return creation.done();
  }

  /**
   * Resolves series as a caller finds them missing, while it reads on: see `SeriesCreation`. The
   * ids it gives are remembered here as soon as they are stored.
   *
   * @internal The sink's writer's path (and the series benchmark's), not the package's API.
   */
  creation(): SeriesCreation {
    return new SeriesCreation(this.#chunk, (list, found, handedOver) =>
      this.#fetch(
        list,
        list.length,
        (i, id) => {
          const s = list[i] as SeriesKey;
          this.#remember(s.name, sourceOf(s), id);
          found(i, id);
        },
        handedOver,
      ),
    );
  }

  /**
   * Looks up or creates these distinct series; each one's id goes to `found` (by position) as
   * soon as it is known and stored, the caller caching it then. Clears the cache first when
   * `adding` would overflow it.
   */
  async #fetch(
    missing: readonly SeriesKey[],
    adding: number,
    found: (i: number, id: number) => void,
    handedOver?: () => void,
  ): Promise<Array<number | undefined>> {
    if (this.#size + adding > this.limit) this.clear();
    // Look up first while looking up pays: after a restart (or a cleared cache) every series
    // exists, and a plain lookup costs a fraction of an insert. At a first start every lookup
    // misses and only doubles the work, so while the last lookups mostly missed, series are
    // inserted straight away (those that existed are looked up after, as conflicts).
    const lookFirst = this.#lookupsPay();
    const ids = lookFirst
      ? await lookupSeries(this.db, missing)
      : new Array<number | undefined>(missing.length).fill(undefined);
    const absent: number[] = [];
    for (let i = 0; i < missing.length; i++) {
      const id = ids[i];
      if (id === undefined) absent.push(i);
      else found(i, id);
    }
    if (lookFirst) this.#found(missing.length - absent.length, missing.length);
    if (absent.length > 0) {
      // Created with ids reserved for them, share by share, each share's ids cached while the
      // next is stored; a series another replica created in the meantime (no id returned for
      // it) is looked up.
      const keyAt = (i: number) => missing[i] as SeriesKey;
      const all = absent.length === missing.length;
      const created = await createSeries(
        this.db,
        all ? missing : absent.map(keyAt),
        this.#ids,
        (at, got) => {
          for (let j = 0; j < at.length; j++) {
            const id = got[j];
            if (id !== undefined) found(all ? (at[j] as number) : (absent[at[j] as number] as number), id);
          }
        },
        this.#chunk,
        handedOver,
      );
      const raced: number[] = [];
      absent.forEach((i, j) => {
        ids[i] = created[j];
        if (created[j] === undefined) raced.push(i);
      });
      if (raced.length > 0) {
        const looked = await lookupSeries(this.db, raced.map(keyAt));
        raced.forEach((i, j) => {
          const id = looked[j];
          ids[i] = id;
          if (id !== undefined) found(i, id);
        });
      }
      if (!lookFirst) this.#found(raced.length, missing.length);
    }
    return ids;
  }
}

/** Resolves a part of a creation's series (see `SeriesCache.#fetch`). */
type Part = (
  list: readonly SeriesKey[],
  found: (i: number, id: number) => void,
  handedOver: () => void,
) => Promise<unknown>;

/**
 * The series a caller finds missing from the cache while it reads a batch (the sink's writer),
 * each added once, in order: the ids `done` gives follow that order. Once a share's worth has
 * gathered (`due`), the caller hands it over (`send`) and reads on while the server stores it —
 * its client work (labels to JSON, each series once) then overlaps the server's instead of
 * coming before it. One part at a time is in flight: what gathers meanwhile goes with the next
 * part, or with `done`.
 */
export class SeriesCreation {
  readonly #list: SeriesKey[] = [];
  readonly #ids: Array<number | undefined> = [];
  #sent = 0;
  #busy = false;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly chunk: number,
    private readonly part: Part,
  ) {}

  /** Adds a series (once: the caller keeps it from coming twice); returns its position. */
  add(s: SeriesKey): number {
    this.#ids.push(undefined);
    return this.#list.push(s) - 1;
  }

  get size(): number {
    return this.#list.length;
  }

  /** Whether a share's worth waits and nothing is in flight: time to `send`. */
  get due(): boolean {
    return !this.#busy && this.#list.length - this.#sent >= this.chunk;
  }

  /**
   * Starts resolving what was added since the last part; resolves once its first rows are all
   * handed to the database (or it is settled), so that the caller's work from then on overlaps
   * the server's. Rejects when the part fails (so does `done`).
   */
  send(): Promise<void> {
    const from = this.#sent;
    const list = this.#list.slice(from);
    this.#sent = this.#list.length;
    if (list.length === 0) return Promise.resolve();
    this.#busy = true;
    let handed!: () => void;
    const handedOver = new Promise<void>((resolve) => {
      handed = resolve;
    });
    const part = this.#chain
      .then(() =>
        this.part(
          list,
          (i, id) => {
            this.#ids[from + i] = id;
          },
          handed,
        ),
      )
      .finally(() => {
        this.#busy = false;
      });
    // Seen by `done` (or by nobody, when the caller failed meanwhile): not an unhandled rejection.
    part.catch(() => {});
    this.#chain = part;
    return Promise.race([handedOver, part]).then(afterIo);
  }

  /** Every id, in the order the series were added (undefined where one could not be found). */
  async done(): Promise<Array<number | undefined>> {
    // A failure is seen below, in the chain.
    if (this.#sent < this.#list.length) this.send().catch(() => {});
    await this.#chain;
    return this.#ids;
  }
}
