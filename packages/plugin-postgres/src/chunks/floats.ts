import type { BitReader, BitWriter } from './bits.js';

/**
 * The chunk codec's float code (Gorilla): doubles XOR-ed with the previous one, as two 32-bit
 * words so no bigint per value. An equal value is one `0` bit; otherwise the meaningful bits of
 * the XOR, inside the previous window of leading/trailing zeros when they fit (`10`), else with a
 * new window (`11`, 5 bits of leading zeros, 6 bits of length - 1).
 */

const f64 = new DataView(new ArrayBuffer(8));
const ctz32 = (x: number) => 31 - Math.clz32(x & -x);

/** Writes doubles one after another into `w`. */
export class FloatEncoder {
  #hi = 0;
  #lo = 0;
  #first = true;
  #lead = -1;
  #trail = 0;
  constructor(private readonly w: BitWriter) {}

  put(v: number): void {
    f64.setFloat64(0, v);
    const hi = f64.getUint32(0);
    const lo = f64.getUint32(4);
    const w = this.w;
    if (this.#first) {
      w.write(hi, 32);
      w.write(lo, 32);
      this.#first = false;
    } else {
      const xh = (hi ^ this.#hi) >>> 0;
      const xl = (lo ^ this.#lo) >>> 0;
      if (xh === 0 && xl === 0) w.write(0, 1);
      else {
        const lead = Math.min(31, xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl));
        const trail = xl !== 0 ? ctz32(xl) : 32 + ctz32(xh);
        if (this.#lead >= 0 && lead >= this.#lead && trail >= this.#trail) {
          w.write(0b10, 2);
          writeSpan(w, xh, xl, this.#lead, this.#trail);
        } else {
          w.write(0b11, 2);
          w.write(lead, 5);
          w.write(64 - lead - trail - 1, 6);
          writeSpan(w, xh, xl, lead, trail);
          this.#lead = lead;
          this.#trail = trail;
        }
      }
    }
    this.#hi = hi;
    this.#lo = lo;
  }
}

/** Reads what a `FloatEncoder` wrote. */
export class FloatDecoder {
  #hi = 0;
  #lo = 0;
  #first = true;
  #lead = 0;
  #trail = 0;
  constructor(private readonly r: BitReader) {}

  next(): number {
    const r = this.r;
    if (this.#first) {
      this.#hi = r.read(32);
      this.#lo = r.read(32);
      this.#first = false;
    } else if (r.bit()) {
      if (r.bit()) {
        this.#lead = r.read(5);
        const len = r.read(6) + 1;
        this.#trail = 64 - this.#lead - len;
        if (this.#trail < 0) throw new RangeError('corrupt chunk float');
      }
      // Bits [trail, 64 - lead) of the XOR, most significant first (as `writeSpan` wrote them).
      const top = 63 - this.#lead;
      const trail = this.#trail;
      if (top >= 32) {
        const from = Math.max(trail, 32) - 32;
        this.#hi = (this.#hi ^ (r.read(top - 32 - from + 1) * 2 ** from)) >>> 0;
      }
      if (trail < 32) this.#lo = (this.#lo ^ (r.read(Math.min(31, top) - trail + 1) * 2 ** trail)) >>> 0;
    }
    f64.setUint32(0, this.#hi);
    f64.setUint32(4, this.#lo);
    return f64.getFloat64(0);
  }
}

// Bits [trail, 64 - lead) of the 64-bit word (hi, lo), most significant first.
function writeSpan(w: BitWriter, hi: number, lo: number, lead: number, trail: number): void {
  const top = 63 - lead;
  if (top >= 32) {
    const from = Math.max(trail, 32) - 32;
    const count = top - 32 - from + 1;
    w.write((hi >>> from) % 2 ** count, count);
  }
  if (trail < 32) {
    const count = Math.min(31, top) - trail + 1;
    w.write((lo >>> trail) % 2 ** count, count);
  }
}
