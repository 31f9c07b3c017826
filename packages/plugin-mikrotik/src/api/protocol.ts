/**
 * The RouterOS API wire format, written from MikroTik's API documentation: a sentence is a list
 * of words ended by an empty word; each word is prefixed by its length in 1 to 5 bytes.
 */

/** Longest word we accept by default: anything bigger is a broken or hostile peer. */
export const DEFAULT_MAX_WORD_BYTES = 1 << 20;
/**
 * Most words in one sentence by default. A reply row has one word per attribute: a full row of
 * the widest menus (`/interface` without `.proplist`, routes, BGP sessions) has under 100.
 */
export const DEFAULT_MAX_WORDS = 4096;
/** Most bytes of one sentence by default (its words and their length prefixes). */
export const DEFAULT_MAX_SENTENCE_BYTES = 4 << 20;

/** Bounds of what one sentence may hold; past any of them the reader throws. */
export interface SentenceLimits {
  /** Longest word, bytes. Default 1 MiB. */
  maxWordBytes: number;
  /** Most words in one sentence. Default 4096. */
  maxWords: number;
  /** Most bytes in one sentence. Default 4 MiB. */
  maxSentenceBytes: number;
}

/**
 * A peer broke one of the reader's bounds. The message gives the bound and what was seen, as
 * numbers only: never text the peer sent.
 */
export class SentenceLimitError extends RangeError {
  override readonly name = 'SentenceLimitError';
}

/** Encodes a word length in the shortest of the five widths the protocol defines. */
export function encodeLength(len: number): Buffer {
  if (len < 0 || !Number.isInteger(len) || len > 0xffffffff) throw new RangeError(`bad word length ${len}`);
  if (len < 0x80) return Buffer.from([len]);
  if (len < 0x4000) return Buffer.from([(len >> 8) | 0x80, len & 0xff]);
  if (len < 0x200000) return Buffer.from([(len >> 16) | 0xc0, (len >> 8) & 0xff, len & 0xff]);
  if (len < 0x10000000) {
    return Buffer.from([(len >>> 24) | 0xe0, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff]);
  }
  return Buffer.from([0xf0, (len >>> 24) & 0xff, (len >> 16) & 0xff, (len >> 8) & 0xff, len & 0xff]);
}

/**
 * Decodes a word length at `offset`. Returns `[length, bytesUsed]`, `undefined` when more bytes
 * are needed, or throws on a control byte (≥ 0xF8), which the protocol reserves.
 */
export function decodeLength(buf: Buffer, offset: number): [number, number] | undefined {
  if (offset >= buf.length) return undefined;
  const b = buf[offset] as number;
  const need = b < 0x80 ? 1 : b < 0xc0 ? 2 : b < 0xe0 ? 3 : b < 0xf0 ? 4 : b < 0xf8 ? 5 : 0;
  if (need === 0) throw new RangeError(`reserved control byte 0x${b.toString(16)}`);
  if (offset + need > buf.length) return undefined;
  switch (need) {
    case 1:
      return [b, 1];
    case 2:
      return [((b & 0x3f) << 8) | (buf[offset + 1] as number), 2];
    case 3:
      return [((b & 0x1f) << 16) | ((buf[offset + 1] as number) << 8) | (buf[offset + 2] as number), 3];
    case 4:
      return [((b & 0x0f) << 24) + buf.readUIntBE(offset + 1, 3), 4];
    default:
      return [buf.readUInt32BE(offset + 1), 5];
  }
}

/** Encodes one sentence (words, then the empty word). */
export function encodeSentence(words: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  for (const w of words) {
    const bytes = Buffer.from(w, 'utf8');
    parts.push(encodeLength(bytes.length), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

const NON_ASCII = /[\u0080-\u00ff]/;

/**
 * Splits a byte stream into sentences. Feed it chunks as they arrive; it calls `onSentence` for
 * each complete one, with its size in bytes. A word, a sentence or a word count past its bound
 * (`SentenceLimits`: checked from the length prefix, before the word's bytes are waited for) throws
 * a `SentenceLimitError`, a reserved control byte a RangeError; the caller closes the connection.
 * So one peer never makes us hold more than about one sentence's bound.
 */
export class SentenceReader {
  /** Received bytes not yet consumed; joined only once enough has arrived to make progress. */
  #chunks: Buffer[] = [];
  #have = 0;
  /** Bytes needed before parsing can move on (a long word arrives in many chunks). */
  #need = 1;
  #words: string[] = [];
  /** Bytes of the sentence being read (the words in `#words` and their prefixes). */
  #sentenceBytes = 0;
  readonly #limits: SentenceLimits;
  readonly #onSentence: (words: string[], bytes: number) => void;

  /** `limits` as a number is `maxWordBytes` alone (the other bounds keep their defaults). */
  constructor(
    onSentence: (words: string[], bytes: number) => void,
    limits: number | Partial<SentenceLimits> = {},
  ) {
    this.#onSentence = onSentence;
    const given = typeof limits === 'number' ? { maxWordBytes: limits } : limits;
    this.#limits = {
      maxWordBytes: given.maxWordBytes ?? DEFAULT_MAX_WORD_BYTES,
      maxWords: given.maxWords ?? DEFAULT_MAX_WORDS,
      maxSentenceBytes: given.maxSentenceBytes ?? DEFAULT_MAX_SENTENCE_BYTES,
    };
  }

  /** Bytes held waiting for the rest of a word. */
  get buffered(): number {
    return this.#have;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#have += chunk.length;
    // Waiting for the rest of a long word: no copying or decoding until it is all here, so the
    // work stays linear in the bytes received however small the chunks.
    if (this.#have < this.#need) return;
    const buf = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks);
    // Replies are nearly always ASCII: then one latin1 decode of the whole chunk, sliced per word,
    // is about twice as cheap as decoding word by word. Any byte >= 0x80 (UTF-8 text, long-word
    // length prefixes) falls back to exact UTF-8 decoding per word.
    const text = buf.toString('latin1');
    const ascii = !NON_ASCII.test(text);
    let pos = 0;
    let need = 1;
    for (;;) {
      const head = decodeLength(buf, pos);
      if (!head) {
        need = buf.length - pos + 1;
        break;
      }
      const [len, used] = head;
      if (len > 0) this.#check(len, used);
      if (pos + used + len > buf.length) {
        need = used + len;
        break;
      }
      pos += used;
      if (len === 0) {
        const words = this.#words;
        const bytes = this.#sentenceBytes + used;
        this.#words = [];
        this.#sentenceBytes = 0;
        // An empty sentence is ignored, as the documentation says.
        if (words.length > 0) this.#onSentence(words, bytes);
        continue;
      }
      this.#words.push(ascii ? text.slice(pos, pos + len) : buf.toString('utf8', pos, pos + len));
      this.#sentenceBytes += used + len;
      pos += len;
    }
    const rest = buf.length - pos;
    this.#chunks = rest === 0 ? [] : [buf.subarray(pos)];
    this.#have = rest;
    this.#need = need;
  }

  /** Throws when a word of `len` bytes (after a `used`-byte prefix) would break a bound. */
  #check(len: number, used: number): void {
    const { maxWordBytes, maxWords, maxSentenceBytes } = this.#limits;
    if (len > maxWordBytes) throw new SentenceLimitError(`a word of ${len} bytes exceeds ${maxWordBytes}`);
    if (this.#words.length >= maxWords) {
      throw new SentenceLimitError(`a sentence of more than ${maxWords} words`);
    }
    const total = this.#sentenceBytes + used + len;
    if (total > maxSentenceBytes) {
      throw new SentenceLimitError(`a sentence of more than ${maxSentenceBytes} bytes (${total} so far)`);
    }
  }
}

/** A reply sentence split into its type (`!re`, `!done`, …), tag and attributes. */
export interface Reply {
  type: string;
  tag?: string;
  attrs: Record<string, string>;
  /** The first bare word after the type (the reason of `!fatal`). */
  text?: string;
}

/** Splits a reply sentence into type, `.tag` and `=key=value` attributes. */
export function parseReply(words: readonly string[]): Reply {
  const attrs: Record<string, string> = {};
  let tag: string | undefined;
  let text: string | undefined;
  for (let i = 1; i < words.length; i++) {
    const w = words[i] as string;
    if (w.charCodeAt(0) === 61 /* = */) {
      const eq = w.indexOf('=', 1);
      if (eq > 0) attrs[w.slice(1, eq)] = w.slice(eq + 1);
      else attrs[w.slice(1)] = '';
    } else if (w.startsWith('.tag=')) {
      tag = w.slice(5);
    } else if (text === undefined) {
      text = w;
    }
  }
  const reply: Reply = { type: words[0] as string, attrs };
  if (tag !== undefined) reply.tag = tag;
  if (text !== undefined) reply.text = text;
  return reply;
}
