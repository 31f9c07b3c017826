/**
 * The rows a walk found in one column, as parts read them: a read-only `Map` from index string to
 * varbind, kept as parallel arrays instead of a `Map` and an object per row. A poll walks some
 * forty columns; a `Map` each (its hash table regrown as rows arrive) and a varbind object per row
 * were most of the garbage a poll left (issue 19: ~100 of ~240 KB a mikrotik poll). A varbind is
 * made only when `get` (or iteration) asks for one; `numeric` reads a row's number without it.
 */
import type { Varbind } from 'net-snmp';
import { numericOf } from './values.js';

/** A row read by `get`: its OID (`column.index`) is made only when read. */
class RowVarbind implements Varbind {
  constructor(
    readonly column: string,
    readonly index: string,
    public type: number,
    public value: unknown,
  ) {}
  get oid(): string {
    return `${this.column}.${this.index}`;
  }
}

/**
 * Rows of one column by index, in walk order (indexes are unique: a walk's OIDs increase). Made
 * with room for the rows the last walk of its columns found, so the arrays are not regrown (each
 * regrowth leaves the old backing store as garbage); `finish` trims them once the walk is over.
 */
export class WalkedRows implements ReadonlyMap<string, Varbind> {
  readonly #column: string;
  #size = 0;
  readonly #keys: string[];
  /** Values that are numbers, unboxed (a double array); NaN where the value is not a number. */
  readonly #nums: number[];
  /** Values that are not numbers (Buffers, strings, null), by row; undefined until one comes. */
  #objs: unknown[] | undefined;
  /** The first row's type; `#types` holds every row's only once a row has another one. */
  #type = 0;
  #types: number[] | undefined;
  /** Where the next lookup looks first: the row after the last one found (parts read in order). */
  #next = 0;
  /** Row by index, built only when a lookup is not the next row. */
  #byKey: Map<string, number> | undefined;

  /** `capacity`: rows expected (0: unknown). */
  constructor(column: string, capacity = 0) {
    this.#column = column;
    this.#keys = capacity > 0 ? new Array<string>(capacity) : [];
    this.#nums = capacity > 0 ? new Array<number>(capacity) : [];
  }

  /** Adds a row (after every row added before: the walk's order). */
  add(index: string, type: number, value: unknown): void {
    const k = this.#size++;
    this.#keys[k] = index;
    if (k === 0) this.#type = type;
    else if (this.#types) this.#types[k] = type;
    else if (type !== this.#type) {
      this.#types = new Array<number>(k).fill(this.#type);
      this.#types[k] = type;
    }
    if (typeof value === 'number') this.#nums[k] = value;
    else {
      this.#nums[k] = Number.NaN;
      // Holes read as undefined: those rows' values are in #nums.
      this.#objs ??= [];
      this.#objs[k] = value;
    }
    this.#byKey?.set(index, k);
  }

  /** Trims the arrays to the rows found (in place: no copy). Called when the walk ends. */
  finish(): void {
    this.#keys.length = this.#size;
    this.#nums.length = this.#size;
  }

  get size(): number {
    return this.#size;
  }

  /** The row of `index`, or -1. */
  #find(index: string): number {
    const keys = this.#keys;
    const at = this.#next;
    if (at < this.#size && keys[at] === index) {
      this.#next = at + 1;
      return at;
    }
    let byKey = this.#byKey;
    if (!byKey) {
      byKey = new Map();
      for (let k = 0; k < this.#size; k++) byKey.set(keys[k] as string, k);
      this.#byKey = byKey;
    }
    const k = byKey.get(index);
    if (k === undefined) return -1;
    this.#next = k + 1;
    return k;
  }

  #valueAt(k: number): unknown {
    const obj = this.#objs?.[k];
    return obj !== undefined ? obj : this.#nums[k];
  }

  #typeAt(k: number): number {
    return this.#types ? (this.#types[k] as number) : this.#type;
  }

  #varbindAt(k: number): Varbind {
    return new RowVarbind(this.#column, this.#keys[k] as string, this.#typeAt(k), this.#valueAt(k));
  }

  get(index: string): Varbind | undefined {
    const k = this.#find(index);
    return k < 0 ? undefined : this.#varbindAt(k);
  }

  has(index: string): boolean {
    return this.#find(index) >= 0;
  }

  /** `numericValue(get(index))` without making the varbind; undefined when there is no row. */
  numeric(index: string): number | bigint | undefined {
    const k = this.#find(index);
    return k < 0 ? undefined : numericOf(this.#typeAt(k), this.#valueAt(k));
  }

  *keys(): IterableIterator<string> {
    for (let k = 0; k < this.#size; k++) yield this.#keys[k] as string;
  }

  *values(): IterableIterator<Varbind> {
    for (let k = 0; k < this.#size; k++) yield this.#varbindAt(k);
  }

  *entries(): IterableIterator<[string, Varbind]> {
    for (let k = 0; k < this.#size; k++) yield [this.#keys[k] as string, this.#varbindAt(k)];
  }

  [Symbol.iterator](): IterableIterator<[string, Varbind]> {
    return this.entries();
  }

  forEach(
    fn: (value: Varbind, key: string, map: ReadonlyMap<string, Varbind>) => void,
    thisArg?: unknown,
  ): void {
    for (let k = 0; k < this.#size; k++) fn.call(thisArg, this.#varbindAt(k), this.#keys[k] as string, this);
  }
}
