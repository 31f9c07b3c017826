import type { Labels } from '@ispmonitor/core';
import type { Db } from '../db/types.js';

/** One series to resolve: name, canonical label JSON and kind. */
export interface SeriesKey {
  name: string;
  labels: string;
  kind: 'counter' | 'gauge';
  /** The labels object as the sample carried it: the id is cached under it (else under `labels`). */
  source?: Labels;
}

/** A node of the id cache: the path from the root is name, then each label's key and value. */
class Node {
  id: number | undefined = undefined;
  next: Map<string, Node> | undefined = undefined;

  child(part: string): Node {
    this.next ??= new Map();
    let node = this.next.get(part);
    if (!node) {
      node = new Node();
      this.next.set(part, node);
    }
    return node;
  }
}

/**
 * Maps (name, labels) to series ids, creating series on first sight. Ids are cached in memory in
 * a tree of small maps — name, then each label's key and value in the order the labels object
 * holds them — so a lookup hashes only short strings the sample already has, and builds no key
 * (a key string per sample, hashed in one large map, was most of the sink's CPU time). The same
 * labels in another order take another path to the same id. Bounded: the cache is cleared when
 * full, then refills from the database as samples come.
 */
export class SeriesCache {
  #root = new Node();
  #size = 0;

  constructor(
    private readonly db: Db,
    private readonly limit: number,
  ) {}

  get size(): number {
    return this.#size;
  }

  /** Forgets every id (after a restore, or in tests). */
  clear(): void {
    this.#root = new Node();
    this.#size = 0;
  }

  /** The cached id of a series, if any (no database access). */
  get(name: string, labels: Labels): number | undefined {
    let node = this.#root.next?.get(name);
    for (const k of Object.keys(labels)) {
      if (node === undefined) return undefined;
      node = node.next?.get(k)?.next?.get(String(labels[k]));
    }
    return node?.id;
  }

  #remember(name: string, labels: Labels, id: number): void {
    let node = this.#root.child(name);
    for (const k of Object.keys(labels)) node = node.child(k).child(String(labels[k]));
    if (node.id === undefined) this.#size++;
    node.id = id;
  }

  /**
   * Resolves every series to its id, creating the series that do not exist yet; the map's keys
   * are the caller's (several keys may name one series).
   */
  async resolve(wanted: Map<string, SeriesKey>): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const sourceOf = (s: SeriesKey): Labels => s.source ?? (JSON.parse(s.labels) as Labels);
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
    // Look up first: after a restart (or a cleared cache) every series exists, and a plain
    // lookup costs a fraction of an INSERT … ON CONFLICT. Only what is not there is created.
    const ids = await this.#lookup(missing.map((m) => m.s));
    const absent = missing.filter((_, i) => ids[i] === undefined);
    if (absent.length > 0) {
      await this.db.query(
        `INSERT INTO ispm_series (name, labels, kind)
         SELECT n, l::jsonb, k FROM unnest($1::text[], $2::text[], $3::text[]) AS t(n, l, k)
         ON CONFLICT (name, labels) DO NOTHING`,
        [absent.map((m) => m.s.name), absent.map((m) => m.s.labels), absent.map((m) => m.s.kind)],
      );
      const created = await this.#lookup(absent.map((m) => m.s));
      let j = 0;
      for (let i = 0; i < missing.length; i++) if (ids[i] === undefined) ids[i] = created[j++];
    }
    if (this.#size + wanted.size > this.limit) this.clear();
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

  /** The ids of these series, in their order (undefined where a series does not exist). */
  async #lookup(list: readonly SeriesKey[]): Promise<Array<number | undefined>> {
    const res = await this.db.query<{ ord: string | number; id: number }>(
      `SELECT t.ord, s.id FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(n, l, ord)
         JOIN ispm_series s ON s.name = t.n AND s.labels = t.l::jsonb`,
      [list.map((s) => s.name), list.map((s) => s.labels)],
    );
    const ids = new Array<number | undefined>(list.length).fill(undefined);
    for (const row of res.rows) ids[Number(row.ord) - 1] = Number(row.id);
    return ids;
  }
}
