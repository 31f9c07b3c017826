/**
 * SQL pieces shared by the subscriber searches and histories. Conditions are built from our own
 * constants and `$n` placeholders only; every value the user typed is a bound parameter.
 */
import type { Queryable } from '../db/types.js';
import type { Match } from './query-types.js';
import type { IpTerm } from './search-address.js';

/** A time column as ms since the epoch. */
export const ms = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;

/** Rows a search reads per table and match class before ranking: bounds the cost of broad prefixes. */
export const CANDIDATES = 200;

/** Rank of a match class (lower first). */
export const MATCH_RANK: Record<Match, number> = { exact: 0, prefix: 1, substring: 2 };

/**
 * Collects `$n` parameters: `add(v)` returns the placeholder of a new parameter. Lets a query
 * assemble conditions of varying shape while every value stays bound.
 */
export class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/**
 * The upper bound of a byte-wise prefix range: every string starting with `prefix` sorts below
 * it under the pattern operators (`~<~`). U+10FFFF encodes as the highest UTF-8 bytes.
 */
export function prefixEnd(prefix: string): string {
  return `${prefix}\u{10FFFF}`;
}

/**
 * A condition on a `text_pattern_ops`-indexed expression: equal, or starting with `text` (as a
 * byte-wise range the index serves whatever the database's collation, with the `LIKE` as well
 * so the range's edge can never admit a wrong row), or containing it (not excluding shorter
 * classes: the caller keeps each hit's best class).
 */
export function textCondition(expr: string, match: Match, text: string, p: Params): string {
  if (match === 'exact') return `${expr} = ${p.add(text)}`;
  const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`);
  if (match === 'prefix') {
    return `(${expr} ~>=~ ${p.add(text)} AND ${expr} ~<~ ${p.add(prefixEnd(text))} AND ${expr} LIKE ${p.add(`${escaped}%`)})`;
  }
  return `${expr} LIKE ${p.add(`%${escaped}%`)}`;
}

/** A condition matching 12-hex MAC column `col` exactly or by prefix (hex digits sort below `g`). */
export function macCondition(col: string, hex: string, full: boolean, p: Params): string {
  if (full) return `${col} = ${p.add(hex)}`;
  return `(${col} ~>=~ ${p.add(hex)} AND ${col} ~<~ ${p.add(`${hex}g`)})`;
}

/** A condition matching inet column `col` against an IP term (ranges OR-ed: the btree serves each). */
export function ipCondition(col: string, ip: IpTerm, p: Params): string {
  if (ip.kind === 'exact') return `${col} = ${p.add(ip.address)}::inet`;
  return `(${ip.ranges.map(([lo, hi]) => `(${col} >= ${p.add(lo)}::inet AND ${col} <= ${p.add(hi)}::inet)`).join(' OR ')})`;
}

/** `Params` holding `values` as $1, $2, … */
export function params(...values: unknown[]): Params {
  const p = new Params();
  for (const v of values) p.add(v);
  return p;
}

/** Runs a query built with `Params`. */
export function run<R>(db: Queryable, sql: string, p: Params): Promise<R[]> {
  return db.query<R>(sql, p.values).then((r) => r.rows);
}

/** A nullable number column. */
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
/** A nullable text column. */
export const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
