/**
 * Bit-level writing and reading for the chunk codec. Bits are packed most significant first
 * into bytes; a field is at most 32 bits through the number API (the codec splits wider fields),
 * so no arithmetic ever leaves the exact range of a double.
 */

/** Appends bit fields to a growing byte buffer. */
export class BitWriter {
  #buf: Uint8Array;
  /** Bits written so far. */
  #bits = 0;

  constructor(initialBytes = 64) {
    this.#buf = new Uint8Array(Math.max(8, initialBytes));
  }

  /** Writes the low `n` bits (0..32) of `value`, most significant first. */
  write(value: number, n: number): void {
    if (n === 0) return;
    this.#reserve(n);
    // Bit by bit would be simplest; bytes at a time keep compaction of a fleet cheap.
    let left = n;
    while (left > 0) {
      const byte = this.#bits >>> 3;
      const used = this.#bits & 7;
      const room = 8 - used;
      const take = Math.min(room, left);
      // The `take` bits of value just below bit `left`.
      const part = Math.floor(value / 2 ** (left - take)) & ((1 << take) - 1);
      this.#buf[byte] = (this.#buf[byte] as number) | (part << (room - take));
      this.#bits += take;
      left -= take;
    }
  }

  /** Writes one bit. */
  bit(on: boolean): void {
    this.write(on ? 1 : 0, 1);
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
    const pad = (8 - (this.#bits & 7)) & 7;
    if (pad) this.write(0, pad);
  }

  /** The bytes written (the last one zero-padded). */
  finish(): Uint8Array {
    return this.#buf.slice(0, (this.#bits + 7) >>> 3);
  }

  #reserve(n: number): void {
    const need = (this.#bits + n + 7) >>> 3;
    if (need <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(need, this.#buf.length * 2));
    next.set(this.#buf);
    this.#buf = next;
  }
}

/** Reads what a `BitWriter` wrote; reading past the end throws (a truncated or corrupt chunk). */
export class BitReader {
  #bits = 0;

  constructor(private readonly buf: Uint8Array) {}

  /** Reads `n` bits (0..32) as an unsigned number. */
  read(n: number): number {
    if (this.#bits + n > this.buf.length * 8) throw new RangeError('chunk truncated');
    let out = 0;
    let left = n;
    while (left > 0) {
      const byte = this.buf[this.#bits >>> 3] as number;
      const used = this.#bits & 7;
      const room = 8 - used;
      const take = Math.min(room, left);
      const part = (byte >>> (room - take)) & ((1 << take) - 1);
      out = out * 2 ** take + part;
      this.#bits += take;
      left -= take;
    }
    return out;
  }

  /** Reads one bit. */
  bit(): boolean {
    return this.read(1) === 1;
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
