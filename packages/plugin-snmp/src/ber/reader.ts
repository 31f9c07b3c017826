/**
 * Reads the variable-bindings list of a Response that `decodeCommunityMessage` has already
 * checked (`raw`), in place: one reader per answer, positions instead of objects, so a bulk walk
 * looks at each varbind's OID octets and makes objects only for the rows it keeps.
 */
import type { CommunityMessage } from './response.js';

/** Reads a definite length at `at` in `buf` into `out`: [contents start, contents end). */
function lengthAt(buf: Uint8Array, at: number, out: Int32Array): void {
  let len = buf[at] as number;
  let pos = at + 1;
  if (len >= 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[pos++] as number);
  }
  out[0] = pos;
  out[1] = pos + len;
}

/**
 * A cursor over the varbinds of one checked answer. `reset` points it at another answer, so the
 * walk keeps one reader instead of a reader and its typed array per answer.
 */
export class VarbindReader {
  buf: Buffer;
  #pos: number;
  #end: number;
  /** Contents octets of the current varbind's OID: `buf[oidStart, oidEnd)`. */
  oidStart = 0;
  oidEnd = 0;
  /** The current value's tag and contents `buf[valueStart, valueEnd)`. */
  type = 0;
  valueStart = 0;
  valueEnd = 0;
  readonly #span = new Int32Array(2);

  constructor(msg: CommunityMessage) {
    this.buf = msg.buf;
    this.#pos = msg.listStart;
    this.#end = msg.listEnd;
  }

  /** Starts over on another answer. */
  reset(msg: CommunityMessage): this {
    this.buf = msg.buf;
    this.#pos = msg.listStart;
    this.#end = msg.listEnd;
    return this;
  }

  /** Moves to the next varbind; false at the end of the list. */
  next(): boolean {
    if (this.#pos >= this.#end) return false;
    const buf = this.buf;
    const span = this.#span;
    // SEQUENCE of the varbind, then the OID TLV, then the value TLV (all checked already).
    lengthAt(buf, this.#pos + 1, span);
    const vbEnd = span[1] as number;
    // The varbind's contents start with the OID's tag: its length follows.
    lengthAt(buf, (span[0] as number) + 1, span);
    this.oidStart = span[0] as number;
    this.oidEnd = span[1] as number;
    this.type = buf[this.oidEnd] as number;
    lengthAt(buf, this.oidEnd + 1, span);
    this.valueStart = span[0] as number;
    this.valueEnd = span[1] as number;
    this.#pos = vbEnd;
    return true;
  }
}
