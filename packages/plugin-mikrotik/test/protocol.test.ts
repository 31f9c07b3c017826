import { describe, expect, it } from 'vitest';
import {
  decodeLength,
  encodeLength,
  encodeSentence,
  parseReply,
  SentenceReader,
} from '../src/api/protocol.js';
import { decodeWordLength, encodeWordLength, SentenceParser, sentenceBytes } from './support/emulator.js';

// Boundaries of the five length widths the API documentation defines.
const WIDTHS: Array<[number, number]> = [
  [0, 1],
  [0x7f, 1],
  [0x80, 2],
  [0x3fff, 2],
  [0x4000, 3],
  [0x1fffff, 3],
  [0x200000, 4],
  [0xfffffff, 4],
  [0x10000000, 5],
  [0xffffffff, 5],
];

describe('word lengths', () => {
  it.each(WIDTHS)('length %i takes %i bytes and decodes back (client and emulator agree)', (len, bytes) => {
    const ours = encodeLength(len);
    expect(ours.length).toBe(bytes);
    expect(encodeWordLength(len).equals(ours)).toBe(true);
    expect(decodeLength(ours, 0)).toEqual([len, bytes]);
    expect(decodeWordLength(ours, 0)).toEqual({ len, size: bytes });
  });

  it('uses the documented prefixes', () => {
    expect([...encodeLength(0x80)]).toEqual([0x80, 0x80]);
    expect([...encodeLength(0x4000)]).toEqual([0xc0, 0x40, 0x00]);
    expect([...encodeLength(0x200000)]).toEqual([0xe0, 0x20, 0x00, 0x00]);
    expect([...encodeLength(0x10000000)]).toEqual([0xf0, 0x10, 0x00, 0x00, 0x00]);
  });

  it('asks for more bytes when a length is incomplete and refuses control bytes', () => {
    expect(decodeLength(Buffer.from([0xc0, 0x40]), 0)).toBeUndefined();
    expect(() => decodeLength(Buffer.from([0xf8]), 0)).toThrow(/control byte/);
    expect(() => decodeWordLength(Buffer.from([0xf9]), 0)).toThrow(/reserved/);
  });
});

describe('sentences', () => {
  it('round-trips words of every practical width, fed one byte at a time', () => {
    const words = [
      '!re',
      '=a=',
      `=long=${'x'.repeat(0x90)}`,
      `=longer=${'y'.repeat(0x4100)}`,
      `=huge=${'z'.repeat(0x200010)}`,
      '.tag=7',
    ];
    const bytes = encodeSentence(words);
    expect(sentenceBytes(words).equals(bytes)).toBe(true);
    const got: string[][] = [];
    const reader = new SentenceReader((w) => got.push(w), 4 << 20);
    for (let i = 0; i < bytes.length; i += 4093)
      reader.push(bytes.subarray(i, Math.min(bytes.length, i + 4093)));
    expect(got).toEqual([words]);
    expect(reader.buffered).toBe(0);
    const server: string[][] = [];
    const parser = new SentenceParser((w) => server.push(w), 4 << 20);
    for (const b of encodeSentence(['/login', '=name=admin'])) parser.feed(Buffer.from([b]));
    expect(server).toEqual([['/login', '=name=admin']]);
  });

  it('refuses a word longer than the bound instead of buffering it', () => {
    const reader = new SentenceReader(() => {}, 1024);
    expect(() => reader.push(Buffer.concat([encodeLength(5000), Buffer.alloc(10)]))).toThrow(/exceeds/);
  });

  it('ignores empty sentences and splits replies', () => {
    const got: string[][] = [];
    const reader = new SentenceReader((w) => got.push(w));
    reader.push(
      Buffer.concat([Buffer.from([0]), encodeSentence(['!re', '=name=ether1', '=comment=a=b', '.tag=3'])]),
    );
    expect(got).toHaveLength(1);
    expect(parseReply(got[0] as string[])).toEqual({
      type: '!re',
      tag: '3',
      attrs: { name: 'ether1', comment: 'a=b' },
    });
  });
});

describe('decoding text', () => {
  it('decodes UTF-8 words exactly (the ASCII fast path falls back), and keeps the bare word of !fatal', () => {
    const got: string[][] = [];
    const reader = new SentenceReader((w) => got.push(w));
    reader.push(encodeSentence(['!re', '=comment=café Zürich', '=name=ether1', '.tag=1']));
    reader.push(encodeSentence(['!re', '=comment=plain', '.tag=1']));
    reader.push(encodeSentence(['!fatal', 'session terminated on request']));
    expect(got[0]).toEqual(['!re', '=comment=café Zürich', '=name=ether1', '.tag=1']);
    expect(parseReply(got[1] as string[]).attrs).toEqual({ comment: 'plain' });
    expect(parseReply(got[2] as string[])).toEqual({
      type: '!fatal',
      attrs: {},
      text: 'session terminated on request',
    });
  });
});
