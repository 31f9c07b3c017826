/**
 * The RouterOS API wire format for the emulator, written from MikroTik's API documentation:
 * words prefixed by a length of 1 to 5 bytes, sentences ended by an empty word. Kept separate
 * from the plugin's client on purpose: two independent implementations checking each other.
 */

/** Encodes a word length (all five widths of the protocol). */
export function encodeWordLength(len: number): Buffer {
  if (len < 0x80) return Buffer.from([len]);
  if (len < 0x4000) {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(len | 0x8000);
    return b;
  }
  if (len < 0x200000) {
    const v = len | 0xc00000;
    return Buffer.from([v >>> 16, (v >>> 8) & 0xff, v & 0xff]);
  }
  if (len < 0x10000000) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE((len | 0xe0000000) >>> 0);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = 0xf0;
  b.writeUInt32BE(len, 1);
  return b;
}

/** Result of decoding a length: the value and how many bytes it took; null if incomplete. */
export function decodeWordLength(buf: Buffer, at: number): { len: number; size: number } | null {
  const first = buf[at];
  if (first === undefined) return null;
  let size: number;
  let mask: number;
  if ((first & 0x80) === 0) [size, mask] = [1, 0x7f];
  else if ((first & 0xc0) === 0x80) [size, mask] = [2, 0x3f];
  else if ((first & 0xe0) === 0xc0) [size, mask] = [3, 0x1f];
  else if ((first & 0xf0) === 0xe0) [size, mask] = [4, 0x0f];
  else if (first === 0xf0) [size, mask] = [5, 0];
  else throw new RangeError(`control byte 0x${first.toString(16)} is reserved`);
  if (at + size > buf.length) return null;
  let len = first & mask;
  for (let i = 1; i < size; i++) len = len * 256 + (buf[at + i] as number);
  return { len, size };
}

/** Appends one sentence's bytes to `out` (a list later joined with Buffer.concat). */
export function pushSentence(out: Buffer[], words: readonly string[]): void {
  for (const w of words) {
    const bytes = Buffer.from(w, 'utf8');
    out.push(encodeWordLength(bytes.length), bytes);
  }
  out.push(ZERO);
}

const ZERO = Buffer.from([0]);

/** Encodes one sentence. */
export function sentenceBytes(words: readonly string[]): Buffer {
  const out: Buffer[] = [];
  pushSentence(out, words);
  return Buffer.concat(out);
}

/** Incremental sentence parser for the server side; limits a word to `maxWord` bytes. */
export class SentenceParser {
  #pending: Buffer = Buffer.alloc(0);
  #words: string[] = [];

  constructor(
    private readonly onSentence: (words: string[]) => void,
    private readonly maxWord = 64 * 1024,
  ) {}

  feed(chunk: Buffer): void {
    const buf = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk;
    let at = 0;
    while (at < buf.length) {
      const head = decodeWordLength(buf, at);
      if (!head) break;
      if (head.len > this.maxWord) throw new RangeError('word too long');
      if (at + head.size + head.len > buf.length) break;
      at += head.size;
      if (head.len === 0) {
        const words = this.#words;
        this.#words = [];
        if (words.length) this.onSentence(words);
      } else {
        this.#words.push(buf.toString('utf8', at, at + head.len));
        at += head.len;
      }
    }
    this.#pending = at >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(at));
  }
}

/** A command sentence split into its parts. */
export interface Command {
  path: string;
  /** `=name=value` words. */
  args: Map<string, string>;
  /** `?…` query words, in order. */
  query: string[];
  tag?: string;
}

/** Splits a received sentence into command, arguments, query words and tag. */
export function parseCommand(words: readonly string[]): Command {
  const cmd: Command = { path: words[0] ?? '', args: new Map(), query: [] };
  for (const w of words.slice(1)) {
    if (w.startsWith('=')) {
      const eq = w.indexOf('=', 1);
      if (eq < 0) cmd.args.set(w.slice(1), '');
      else cmd.args.set(w.slice(1, eq), w.slice(eq + 1));
    } else if (w.startsWith('?')) cmd.query.push(w);
    else if (w.startsWith('.tag=')) cmd.tag = w.slice(5);
  }
  return cmd;
}
