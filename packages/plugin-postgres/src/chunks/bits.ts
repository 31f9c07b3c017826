/**
 * Bit-level writing and reading for the chunk codec. Bits are packed most significant first
 * into bytes; a field is at most 32 bits through `write`/`read` (wider fields go through
 * `writeWide`/`readWide`, split at 32 bits), so every step is exact 32-bit integer arithmetic.
 * Both sides work a 32-bit word at a time: compaction encodes and decodes every sample of a fleet.
 */

const TWO_32 = 4_294_967_296;

/** Appends bit fields to a growing byte buffer. */
export class BitWriter {
  #buf: Uint8Array;
  /** Whole bytes written to `#buf`. */
  #bytes = 0;
  /** Pending bits (the low `#n` bits of `#acc`), not yet in `#buf`. */
  #acc = 0;
  #n = 0;

  constructor(initialBytes = 64) {
    this.#buf = new Uint8Array(Math.max(8, initialBytes));
  }

  /** Starts over (the buffer is kept: one writer encodes many chunks). */
  reset(): void {
    this.#bytes = 0;
    this.#acc = 0;
    this.#n = 0;
  }

  /** Writes the low `n` bits (0..32) of `value` (a non-negative integer), most significant first. */
  write(value: number, n: number): void {
    if (n === 0) return;
    const v = n === 32 ? value >>> 0 : (value >>> 0) & ((1 << n) - 1);
    const free = 32 - this.#n;
    if (n < free) {
      this.#acc = (this.#acc << n) | v;
      this.#n += n;
      return;
    }
    // The word fills up: its top `free` bits come from `v`, the rest of `v` stays pending.
    const rest = n - free;
    const word = (free === 32 ? 0 : this.#acc << free) | (v >>> rest);
    this.#put32(word);
    this.#acc = rest === 0 ? 0 : v & ((1 << rest) - 1);
    this.#n = rest;
  }

  /** Writes one bit. */
  bit(on: boolean): void {
    this.write(on ? 1 : 0, 1);
  }

  /** Writes a non-negative integer below 2^53 in `n` bits (0..128; the bits above 53 are zeros). */
  writeWide(value: number, n: number): void {
    let left = n;
    while (left > 64) {
      const z = Math.min(32, left - 64);
      this.write(0, z);
      left -= z;
    }
    if (left > 32) {
      this.write(Math.floor(value / TWO_32), left - 32);
      this.write(value % TWO_32, 32);
    } else this.write(value, left);
  }

  /** Writes the low `n` bits (0..128) of a non-negative bigint. */
  writeBig(value: bigint, n: number): void {
    let left = n;
    while (left > 32) {
      left -= 32;
      this.write(Number((value >> BigInt(left)) & 0xffff_ffffn), 32);
    }
    this.write(Number(value & ((1n << BigInt(left)) - 1n)), left);
  }

  /** Writes an unsigned integer (< 2^53) as LEB128 bytes, on a byte boundary. */
  varint(value: number): void {
    this.align();
    let v = value;
    while (v >= 0x80) {
      this.write((v % 0x80) | 0x80, 8);
      v = Math.floor(v / 0x80);
    }
    this.write(v, 8);
  }

  /** Pads with zero bits to the next byte boundary. */
  align(): void {
    const pad = (8 - (this.#n & 7)) & 7;
    if (pad) this.write(0, pad);
  }

  /** A copy of the bytes written (the last one zero-padded). */
  finish(): Uint8Array {
    const tail = (this.#n + 7) >>> 3;
    this.#reserve(4);
    if (this.#n > 0) {
      const word = this.#acc << (32 - this.#n);
      for (let i = 0; i < tail; i++) this.#buf[this.#bytes + i] = (word >>> (24 - 8 * i)) & 0xff;
    }
    return this.#buf.slice(0, this.#bytes + tail);
  }

  #put32(word: number): void {
    this.#reserve(4);
    const b = this.#buf;
    const i = this.#bytes;
    b[i] = word >>> 24;
    b[i + 1] = (word >>> 16) & 0xff;
    b[i + 2] = (word >>> 8) & 0xff;
    b[i + 3] = word & 0xff;
    this.#bytes = i + 4;
  }

  #reserve(n: number): void {
    if (this.#bytes + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#bytes + n, this.#buf.length * 2));
    next.set(this.#buf.subarray(0, this.#bytes));
    this.#buf = next;
  }
}

/** Reads what a `BitWriter` wrote; reading past the end throws (a truncated or corrupt chunk). */
export class BitReader {
  #bits = 0;
  readonly #end: number;

  constructor(private readonly buf: Uint8Array) {
    this.#end = buf.length * 8;
  }

  /** Reads `n` bits (0..32) as an unsigned number. */
  read(n: number): number {
    if (n === 0) return 0;
    const at = this.#bits;
    if (at + n > this.#end) throw new RangeError('chunk truncated');
    const b = this.buf;
    const i = at >>> 3;
    const sh = at & 7;
    // The 32 bits from `at` (bytes past the end read as zeros; only bits before it are kept).
    const last = b.length - 1;
    let word =
      ((b[i] as number) << 24) |
      ((i + 1 <= last ? (b[i + 1] as number) : 0) << 16) |
      ((i + 2 <= last ? (b[i + 2] as number) : 0) << 8) |
      (i + 3 <= last ? (b[i + 3] as number) : 0);
    if (sh) word = (word << sh) | ((i + 4 <= last ? (b[i + 4] as number) : 0) >>> (8 - sh));
    this.#bits = at + n;
    return word >>> (32 - n);
  }

  /** Reads one bit. */
  bit(): boolean {
    const at = this.#bits;
    if (at >= this.#end) throw new RangeError('chunk truncated');
    this.#bits = at + 1;
    return (((this.buf[at >>> 3] as number) >>> (7 - (at & 7))) & 1) === 1;
  }

  /**
   * Reads `n` bits (0..128) as a number when the value is below 2^53, else undefined (the bits
   * are consumed either way; the caller reads them again with `readBig` from `mark()`).
   */
  readWide(n: number): number | undefined {
    let left = n;
    let zero = true;
    while (left > 64) {
      const z = Math.min(32, left - 64);
      if (this.read(z) !== 0) zero = false;
      left -= z;
    }
    if (left <= 32) return zero ? this.read(left) : undefined;
    const hi = this.read(left - 32);
    const lo = this.read(32);
    return zero && hi < 2_097_152 ? hi * TWO_32 + lo : undefined;
  }

  /** Reads `n` bits (0..128) as a non-negative bigint. */
  readBig(n: number): bigint {
    let out = 0n;
    let left = n;
    while (left > 32) {
      out = (out << 32n) | BigInt(this.read(32));
      left -= 32;
    }
    return (out << BigInt(left)) | BigInt(this.read(left));
  }

  /** The read position (bits), to read a field again with `seek`. */
  mark(): number {
    return this.#bits;
  }

  /** Moves the read position back to a `mark()`. */
  seek(at: number): void {
    this.#bits = at;
  }

  /** Reads a LEB128 unsigned integer (< 2^53) from the next byte boundary. */
  varint(): number {
    this.align();
    let out = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.read(8);
      out += (b & 0x7f) * scale;
      if (b < 0x80) return out;
      scale *= 0x80;
    }
    throw new RangeError('chunk varint too long');
  }

  /** Skips to the next byte boundary. */
  align(): void {
    this.#bits = (this.#bits + 7) & ~7;
  }
}
