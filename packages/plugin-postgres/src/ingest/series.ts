import type { Db } from '../db/types.js';

/** One series to resolve: name, canonical label JSON and kind. */
export interface SeriesKey {
  name: string;
  labels: string;
  kind: 'counter' | 'gauge';
}

/**
 * Maps (name, labels) to series ids, creating series on first sight. Ids are cached in memory
 * (bounded: the cache is cleared when full, then refills from the database as samples come).
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

  /** Resolves every key to its id; `keys` are `name \0 labels` strings. */
  async resolve(wanted: Map<string, SeriesKey>): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const missing: Array<[string, SeriesKey]> = [];
    for (const [k, s] of wanted) {
      const id = this.#ids.get(k);
      if (id === undefined) missing.push([k, s]);
      else out.set(k, id);
    }
    if (missing.length === 0) return out;
    const names = missing.map(([, s]) => s.name);
    const labels = missing.map(([, s]) => s.labels);
    const kinds = missing.map(([, s]) => s.kind);
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
    if (this.#ids.size + missing.length > this.limit) this.#ids.clear();
    for (const row of res.rows) {
      const entry = missing[Number(row.ord) - 1];
      if (!entry) continue;
      out.set(entry[0], Number(row.id));
      this.#ids.set(entry[0], Number(row.id));
    }
    return out;
  }
}
