import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeWordLength,
  encodeWordLength,
  matches,
  SentenceParser,
  sentenceBytes,
} from '../src/routeros/index.js';
import { attrs, emulatedRouters, type RawClient } from './support/routeros-client.js';

const router = emulatedRouters();
const login = (c: RawClient, password = '') => c.run(['/login', '=name=admin', `=password=${password}`]);

describe('wire format', () => {
  it.each([
    [0x7f, [0x7f]],
    [0x80, [0x80, 0x80]],
    [0x3fff, [0xbf, 0xff]],
    [0x4000, [0xc0, 0x40, 0x00]],
    [0x1fffff, [0xdf, 0xff, 0xff]],
    [0x200000, [0xe0, 0x20, 0x00, 0x00]],
    [0xfffffff, [0xef, 0xff, 0xff, 0xff]],
    [0x10000000, [0xf0, 0x10, 0x00, 0x00, 0x00]],
  ])('length %i is encoded as %j and decoded back', (len, bytes) => {
    expect([...encodeWordLength(len)]).toEqual(bytes);
    expect(decodeWordLength(Buffer.from(bytes), 0)).toEqual({ len, size: bytes.length });
  });

  it('parses sentences with words of 1- to 4-byte lengths across arbitrary chunk boundaries', () => {
    const words = ['/x', 'a'.repeat(0x80), 'b'.repeat(0x4000), 'c'.repeat(0x200000)];
    const bytes = sentenceBytes(words);
    const got: string[][] = [];
    const p = new SentenceParser((w) => got.push(w), 4 << 20);
    for (let i = 0; i < bytes.length; i += 7777) p.feed(bytes.subarray(i, i + 7777));
    expect(got).toEqual([words]);
    expect(() => new SentenceParser(() => {}).feed(Buffer.from([0xf8]))).toThrow(/reserved/);
  });
});

describe('queries', () => {
  const row = { name: 'ether1', mtu: '1500', running: 'true' };
  it.each<[string[], boolean]>([
    [[], true],
    [['?name=ether1'], true],
    [['?=name=ether2'], false],
    [['?>mtu=1000'], true],
    [['?<mtu=1000'], false],
    [['?running'], true],
    [['?-running'], false],
    [['?-comment'], true],
    [['?name=ether2', '?name=ether1', '?#|'], true],
    [['?name=ether2', '?mtu=1500', '?#&'], false],
    [['?name=ether2', '?#!'], true],
  ])('%j → %s', (query, result) => expect(matches(query, row)).toBe(result));
});

describe('sessions', () => {
  it('log in since 6.43 with name and password; a wrong password is a !trap', async () => {
    const { c } = await router({ password: 'pw' });
    const bad = await login(c, 'nope');
    expect(bad.map((w) => w[0])).toEqual(['!trap', '!done']);
    expect(attrs(bad[0] as string[]).message).toMatch(/invalid user name or password/);
    const notYet = await c.run(['/interface/print']);
    expect(attrs(notYet[0] as string[]).message).toBe('not logged in');
    expect((await login(c, 'pw')).map((w) => w[0])).toEqual(['!done']);
  });

  it('answer the pre-6.43 MD5 challenge login', async () => {
    const { c } = await router({ password: 'pw', legacyLogin: true });
    const first = await c.run(['/login']);
    const challenge = attrs(first[0] as string[]).ret as string;
    expect(challenge).toMatch(/^[0-9a-f]{32}$/);
    const md5 = createHash('md5')
      .update(Buffer.from([0]))
      .update('pw')
      .update(Buffer.from(challenge, 'hex'));
    const ok = await c.run(['/login', '=name=admin', `=response=00${md5.digest('hex')}`]);
    expect(ok.map((w) => w[0])).toEqual(['!done']);
  });

  it('.proplist, queries and count-only', async () => {
    const { c } = await router({ interfaces: 12 });
    await login(c);
    const rows = await c.run(['/interface/print', '=.proplist=name,running', '?running=true']);
    const re = rows.filter((w) => w[0] === '!re').map(attrs);
    expect(re.length).toBeGreaterThan(5);
    for (const r of re) expect(Object.keys(r).sort()).toEqual(['name', 'running']);
    const count = await c.run(['/interface/print', '=count-only=', '?running=true']);
    expect(attrs(count[0] as string[]).ret).toBe(String(re.length));
    const either = await c.run([
      '/interface/print',
      '=.proplist=name',
      '?name=ether1',
      '?name=ether3',
      '?#|',
    ]);
    expect(either.filter((w) => w[0] === '!re').map((w) => attrs(w).name)).toEqual(['ether1', 'ether3']);
  });

  it('7.18+ answers an empty print with !empty before !done; 7.16 does not', async () => {
    for (const [profile, expected] of [
      ['v7.18', ['!empty', '!done']],
      ['v7.16', ['!done']],
    ] as const) {
      const { c } = await router({ profile, queues: 0 });
      await login(c);
      expect((await c.run(['/queue/simple/print'])).map((w) => w[0])).toEqual(expected);
    }
  });

  it('a missing menu is a !trap "no such command"', async () => {
    const { c } = await router({ profile: 'v7.16' });
    await login(c);
    const r = await c.run(['/routing/bgp/peer/print']);
    expect(r.map((w) => w[0])).toEqual(['!trap', '!done']);
    expect(attrs(r[0] as string[]).message).toMatch(/no such command/);
  });

  it('/cancel interrupts a command in progress', async () => {
    const { c } = await router({ fault: 'slow', slowMs: 2000 });
    c.send(['/login', '=name=admin', '=password=', '.tag=l']);
    await c.until((w) => w.includes('.tag=l'), 3000);
    c.send(['/interface/print', '.tag=slow']);
    c.send(['/cancel', '=tag=slow', '.tag=c']);
    const got = await c.until((w) => w[0] === '!done' && w.includes('.tag=slow'), 1000);
    expect(got.map((w) => w[0])).toEqual(['!trap', '!done']);
    expect(attrs(got[0] as string[]).message).toBe('interrupted');
  });

  it('/quit ends the session with !fatal', async () => {
    const { c } = await router();
    await login(c);
    c.send(['/quit']);
    const got = await c.until((w) => w[0] === '!fatal');
    expect(got.at(-1)?.[1]).toMatch(/session terminated/);
  });
});
