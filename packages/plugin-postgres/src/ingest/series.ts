import type { Db } from '../db/types.js';

/** One series to resolve: name, canonical label JSON and kind. */
export interface SeriesKey {
  name: string;
  labels: string;
  kind: 'counter' | 'gauge';
}

/**
 * Maps (name, labels) to series ids, creating series on first sight. Ids are cached in memory
 * under the caller's key (`seriesKey`), bounded: the cache is cleared when full, then refills from
 * the database as samples come.
 */
export class SeriesCache {
  readonly #ids = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly limit: number,
  ) {}

  get size(): number {
    return this.#ids.size;
  }

  /** Forgets every id (after a restore, or in tests). */
  clear(): void {
    this.#ids.clear();
  }

  /** The cached id of a key, if any (no database access). */
  get(key: string): number | undefined {
    return this.#ids.get(key);
  }

  /** Resolves every key to its id, creating the series that do not exist yet. */
  async resolve(wanted: Map<string, SeriesKey>): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    // Several keys may name one series (labels in another order): each series is sent once.
    const series = new Map<string, { s: SeriesKey; keys: string[] }>();
    for (const [k, s] of wanted) {
      const id = this.#ids.get(k);
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
    const names = missing.map((m) => m.s.name);
    const labels = missing.map((m) => m.s.labels);
    const kinds = missing.map((m) => m.s.kind);
    await this.db.query(
      `INSERT INTO ispm_series (name, labels, kind)
       SELECT n, l::jsonb, k FROM unnest($1::text[], $2::text[], $3::text[]) AS t(n, l, k)
       ON CONFLICT (name, labels) DO NOTHING`,
      [names, labels, kinds],
    );
    const res = await this.db.query<{ ord: string | number; id: number }>(
      `SELECT t.ord, s.id FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(n, l, ord)
         JOIN ispm_series s ON s.name = t.n AND s.labels = t.l::jsonb`,
      [names, labels],
    );
    if (this.#ids.size + wanted.size > this.limit) this.#ids.clear();
    for (const row of res.rows) {
      const entry = missing[Number(row.ord) - 1];
      if (!entry) continue;
      for (const k of entry.keys) {
        out.set(k, Number(row.id));
        this.#ids.set(k, Number(row.id));
      }
    }
    return out;
  }
}
