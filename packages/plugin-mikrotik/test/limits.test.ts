/**
 * Issue 21, finding 13: a hostile router must not make us buffer without bound. Words, words per
 * sentence, bytes per sentence and bytes per reply are capped; past a cap the connection is
 * dropped with a clear error, and other routers polled at the same time are not affected.
 */
import { catalog } from '@ispmonitor/core';
import { pollDriver } from '@ispmonitor/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiConnection } from '../src/api/connection.js';
import {
  DEFAULT_MAX_SENTENCE_BYTES,
  DEFAULT_MAX_WORDS,
  encodeLength,
  encodeSentence,
  SentenceLimitError,
  SentenceReader,
} from '../src/api/protocol.js';
import { MikrotikErrorCodes as C } from '../src/errors.js';
import { pollContext, type RouterOsFault, routerDevice, watchCrashes } from './support/emulator.js';
import { closingRig } from './support/rig.js';

const word = (text: string) => Buffer.concat([encodeLength(Buffer.byteLength(text)), Buffer.from(text)]);

describe('the sentence reader bounds', () => {
  it('takes a sentence of exactly maxWords words, refuses one more', () => {
    const got: Array<[number, number]> = [];
    const reader = new SentenceReader((w, bytes) => got.push([w.length, bytes]), { maxWords: 10 });
    const ten = encodeSentence(Array.from({ length: 10 }, (_, i) => `=a${i}=1`));
    reader.push(ten);
    expect(got).toEqual([[10, ten.length]]);
    for (let i = 0; i < 10; i++) reader.push(word(`=b${i}=1`));
    expect(() => reader.push(word('=b10=1'))).toThrow(SentenceLimitError);
    expect(() => reader.push(word('=b10=1'))).toThrow('a sentence of more than 10 words');
  });

  it('refuses a sentence past maxSentenceBytes from the length prefix, before its bytes arrive', () => {
    const reader = new SentenceReader(() => {}, { maxSentenceBytes: 1000, maxWordBytes: 800 });
    reader.push(word(`=a=${'x'.repeat(600)}`));
    // The next word's prefix says 700 bytes: 600 + 700 is past the bound, so its body is never awaited.
    expect(() => reader.push(encodeLength(700))).toThrow(/a sentence of more than 1000 bytes/);
    expect(reader.buffered).toBeLessThan(10);
  });

  it('defaults: 4096 words, 4 MiB per sentence; an endless stream of small words is cut at the cap', () => {
    expect(DEFAULT_MAX_WORDS).toBe(4096);
    expect(DEFAULT_MAX_SENTENCE_BYTES).toBe(4 << 20);
    const reader = new SentenceReader(() => {});
    const batch = Buffer.concat(Array.from({ length: 100 }, (_, i) => word(`=w${i}=${'y'.repeat(20)}`)));
    let pushed = 0;
    let error: unknown;
    try {
      for (let i = 0; i < 1000; i++) {
        reader.push(batch);
        pushed += 100;
      }
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SentenceLimitError);
    expect(String(error)).toMatch(/more than 4096 words/);
    expect(pushed).toBeLessThanOrEqual(4100);
  });
});

const rig = closingRig();
const conns: ApiConnection[] = [];
afterEach(async () => {
  for (const c of conns.splice(0)) c.close();
});

describe('a hostile router', () => {
  it.each<[RouterOsFault, RegExp]>([
    ['endless-sentence', /sent a sentence of more than 4096 words: connection closed/],
    ['fat-sentence', /sent a sentence of more than 4194304 bytes .*: connection closed/],
  ])(
    '%s: its poll fails with a clear error, its connection is dropped, the others poll on',
    async (fault, why) => {
      const watch = watchCrashes();
      try {
        const bad = await rig.router({ profile: 'v7.18', fault });
        const good = await rig.router({ profile: 'v7.18', pppSessions: 20 });
        const driver = rig.driver({ minBackoff: 60_000 });
        const [b, g] = await Promise.all([
          pollDriver(driver, routerDevice('bad', bad.port), pollContext()),
          pollDriver(driver, routerDevice('good', good.port), pollContext()),
        ]);
        expect(b.error?.code).toBe(C.PROTOCOL);
        expect(b.error?.message).toMatch(why);
        expect(b.samples).toEqual([]);
        expect(g.error).toBeUndefined();
        expect(g.samples.some((s) => s.name === catalog.ifInOctets.name)).toBe(true);
        // The hostile router's connection is gone; the healthy one's is kept.
        await expect.poll(() => bad.connections).toBe(0);
        expect(good.connections).toBe(1);
        expect(driver.openConnections).toBe(1);
        const again = await pollDriver(driver, routerDevice('good', good.port), pollContext());
        expect(again.error).toBeUndefined();
        expect(watch.crashes).toEqual([]);
      } finally {
        watch.stop();
      }
    },
  );

  it('a reply bigger than maxBytes in all is cut (TOO_LARGE) and the command cancelled; the connection stays', async () => {
    const router = await rig.router({ profile: 'v7.18', fault: 'huge-table', hugeRows: 5000 });
    const conn = await ApiConnection.open({
      host: '127.0.0.1',
      port: router.port,
      tls: false,
      timeoutMs: 3000,
    });
    conns.push(conn);
    await conn.login('admin', '', 3000);
    const err = await conn.command(['/ppp/active/print'], { timeoutMs: 3000, maxBytes: 20_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: C.TOO_LARGE });
    expect(String((err as Error).message)).toMatch(/more than 20000 bytes/);
    expect(conn.alive).toBe(true);
    const rows = await conn.command(['/system/identity/print'], { timeoutMs: 3000 });
    expect(rows).toHaveLength(1);
  });
});
