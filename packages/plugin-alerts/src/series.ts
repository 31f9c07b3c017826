/**
 * One series' recent samples in a fixed-size ring buffer, and the window functions rules apply
 * to it. Memory per series is bounded whatever the poll rate; the window a rule asks for is cut
 * by time at evaluation.
 */
import { counterDelta } from '@ispmonitor/core';

/** The functions a rule may apply to a series over its window. */
export type WindowFn =
  | 'value'
  | 'rate'
  | 'increase'
  | 'avg'
  | 'min'
  | 'max'
  | 'changes'
  | 'resets'
  | 'drop_ratio'
  | 'absent';

/** A bounded ring of (ts, value) points of one series. */
export class SeriesBuffer {
  readonly #ts: Float64Array;
  readonly #v: Float64Array;
  #start = 0;
  #size = 0;
  /** Whether the newest value arrived as a bigint (a 64-bit counter: it never wraps at 2^32). */
  wide = false;

  constructor(capacity: number) {
    this.#ts = new Float64Array(capacity);
    this.#v = new Float64Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Appends a point; the oldest is dropped when full. Out-of-order points are ignored. */
  push(ts: number, value: number | bigint): boolean {
    if (this.#size > 0 && ts <= this.lastTs) return false;
    if (typeof value === 'bigint') this.wide = true;
    const cap = this.#ts.length;
    const at = (this.#start + this.#size) % cap;
    this.#ts[at] = ts;
    this.#v[at] = Number(value);
    if (this.#size < cap) this.#size++;
    else this.#start = (this.#start + 1) % cap;
    return true;
  }

  get lastTs(): number {
    return this.#size ? (this.#ts[(this.#start + this.#size - 1) % this.#ts.length] as number) : Number.NaN;
  }

  get lastValue(): number {
    return this.#size ? (this.#v[(this.#start + this.#size - 1) % this.#ts.length] as number) : Number.NaN;
  }

  /** Index (0 = oldest) of the first point with ts >= from. */
  #firstFrom(from: number): number {
    const cap = this.#ts.length;
    let i = this.#size - 1;
    while (i > 0 && (this.#ts[(this.#start + i - 1) % cap] as number) >= from) i--;
    return i;
  }

  #at(i: number): number {
    return this.#v[(this.#start + i) % this.#ts.length] as number;
  }

  #tsAt(i: number): number {
    return this.#ts[(this.#start + i) % this.#ts.length] as number;
  }

  /**
   * Applies `fn` over the points in `(now - window, now]`. Counter functions (rate, increase,
   * resets) treat wraps and resets so that the result is never negative. Returns NaN when there
   * are too few points to say (a rate needs two).
   */
  evaluate(fn: WindowFn, window: number, now: number): number {
    if (this.#size === 0) return fn === 'absent' ? 1 : Number.NaN;
    if (fn === 'value') return this.lastValue;
    if (fn === 'absent') return now - this.lastTs > window ? 1 : 0;
    const first = this.#firstFrom(now - window);
    const last = this.#size - 1;
    switch (fn) {
      case 'rate':
      case 'increase': {
        if (last - first < 1) return Number.NaN;
        let sum = 0;
        const bits = this.wide ? 64 : undefined;
        for (let i = first + 1; i <= last; i++) sum += counterDelta(this.#at(i - 1), this.#at(i), bits);
        if (fn === 'increase') return sum;
        const secs = (this.#tsAt(last) - this.#tsAt(first)) / 1000;
        return secs > 0 ? sum / secs : Number.NaN;
      }
      case 'avg': {
        let sum = 0;
        for (let i = first; i <= last; i++) sum += this.#at(i);
        return sum / (last - first + 1);
      }
      case 'min': {
        let m = Number.POSITIVE_INFINITY;
        for (let i = first; i <= last; i++) m = Math.min(m, this.#at(i));
        return m;
      }
      case 'max': {
        let m = Number.NEGATIVE_INFINITY;
        for (let i = first; i <= last; i++) m = Math.max(m, this.#at(i));
        return m;
      }
      case 'changes':
      case 'resets': {
        let n = 0;
        for (let i = first + 1; i <= last; i++) {
          const a = this.#at(i - 1);
          const b = this.#at(i);
          if (fn === 'changes' ? a !== b : b < a) n++;
        }
        return n;
      }
      case 'drop_ratio': {
        // How far the newest value fell below the window's peak, as a share of the peak.
        let peak = Number.NEGATIVE_INFINITY;
        for (let i = first; i <= last; i++) peak = Math.max(peak, this.#at(i));
        return peak > 0 ? Math.max(0, (peak - this.lastValue) / peak) : 0;
      }
    }
  }
}
