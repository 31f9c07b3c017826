import { describe, expect, it } from 'vitest';
import { encodeBinaryCopy } from '../src/db/binary.js';
import type { Db } from '../src/db/types.js';
import { RAW_BIG, RAW_NONE, RAW_VALUE, SampleColumns } from '../src/ingest/columns.js';
import { canonicalLabels, seriesKey } from '../src/ingest/encode.js';
import { SeriesCache } from '../src/ingest/series.js';
import { type NewSeries, SeriesIds, seriesPayload } from '../src/ingest/series-copy.js';

const PG_EPOCH_MS = 946_684_800_000;

/** The obvious encoding with BigInt for every 64-bit field: the reference the fast path must match. */
function reference(rows: Array<[number, number, number, bigint | null]>): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  for (const [id, ts, value, raw] of rows) {
    const b = Buffer.alloc(raw === null ? 38 : 46);
    b.writeInt16BE(4, 0);
    b.writeInt32BE(4, 2);
    b.writeInt32BE(id, 6);
    b.writeInt32BE(8, 10);
    b.writeBigInt64BE(BigInt(Math.round((ts - PG_EPOCH_MS) * 1000)), 14);
    b.writeInt32BE(8, 22);
    b.writeDoubleBE(value, 26);
    if (raw === null) b.writeInt32BE(-1, 34);
    else {
      b.writeInt32BE(8, 34);
      b.writeBigInt64BE(raw, 38);
    }
    parts.push(b);
  }
  const end = Buffer.alloc(2);
  end.writeInt16BE(-1, 0);
  parts.push(end);
  return Buffer.concat(parts);
}

describe('binary COPY encoding of samples', () => {
  const rows: Array<[number, number, number, bigint | null]> = [
    [1, Date.UTC(2026, 10, 27, 5, 0, 0), 0, 0n],
    [2, Date.UTC(1999, 0, 1), 2 ** 53 - 1, BigInt(2 ** 53 - 1)],
    [2 ** 31 - 1, Date.UTC(2026, 0, 1) + 0.25, -3.25, null],
    [7, Date.UTC(2038, 0, 19, 3, 14, 8), 2 ** 32, 2n ** 32n],
    [8, Date.UTC(2026, 1, 1), 2 ** 64, -1n], // 2^64-1 as its int8 bit pattern
    [9, 0, 4294967295, 4294967295n],
  ];

  function columns(): SampleColumns {
    const c = new SampleColumns(rows.length);
    rows.forEach(([id, ts, value, raw], i) => {
      c.ids[i] = id;
      c.ts[i] = ts;
      c.value[i] = value;
      if (raw === null) c.raw[i] = RAW_NONE;
      else if (Number.isSafeInteger(value) && BigInt(value) === raw) c.raw[i] = RAW_VALUE;
      else {
        c.raw[i] = RAW_BIG;
        c.big.set(i, raw);
      }
    });
    c.length = rows.length;
    return c;
  }

  it('matches the BigInt reference byte for byte, in any piece size, and again on a retry', () => {
    const want = reference(rows);
    for (const piece of [1, 2, 4, 1400]) {
      const payload = columns().payload(0, rows.length, piece);
      expect(payload.rows).toBe(rows.length);
      const got = Buffer.concat([...payload.pieces()]);
      expect(got.equals(want)).toBe(true);
      expect(Buffer.concat([...payload.pieces()]).equals(want)).toBe(true);
    }
    // A slice of the rows is a complete stream of its own.
    expect(Buffer.concat([...columns().payload(2, 5, 2).pieces()]).equals(reference(rows.slice(2, 5)))).toBe(
      true,
    );
  });

  it('offers the whole stream at once in a block of its own, equal to its pieces', () => {
    const payload = columns().payload(1, 6, 2);
    const whole = payload.whole?.() as Uint8Array;
    expect(Buffer.from(whole).equals(reference(rows.slice(1, 6)))).toBe(true);
    // Never a slice of Node's shared pool: the block can be transferred to PGlite's worker.
    expect(whole.byteOffset).toBe(0);
    expect(whole.buffer.byteLength).toBeLessThan(8192);
    expect(whole.buffer.byteLength).toBeGreaterThanOrEqual(whole.byteLength);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(whole, [whole.buffer as ArrayBuffer]);
    expect(whole.byteLength).toBe(0); // handed over, not copied
    port1.close();
    port2.close();
  });

  it('the generic encoder writes int8 and timestamps without BigInt and still exactly', () => {
    const types = ['int4', 'timestamptz_ms', 'float8', 'int8'] as const;
    expect(encodeBinaryCopy(types, rows).equals(reference(rows))).toBe(true);
  });
});

describe('seriesKey', () => {
  it('never gives two different label sets the same key', () => {
    const sets: Array<[string, Record<string, string>]> = [
      ['a', { x: 'y' }],
      ['a', { 'x1:y': '' }],
      ['a', { x: 'y', z: '' }],
      ['a', { x: 'y,1:z0:' }],
      ['a1:x', {}],
      ['a', { '': 'xy' }],
      ['a', { x: 'y\0' }],
    ];
    const keys = sets.map(([n, l]) => seriesKey(n, l));
    expect(new Set(keys).size).toBe(sets.length);
  });

  it('is the same for the same labels in the same order', () => {
    expect(seriesKey('n', { device: 'd', ifName: 'e1' })).toBe(seriesKey('n', { device: 'd', ifName: 'e1' }));
  });
});

/** Reads a series COPY stream back: what the server would store (id, name, labels, kind). */
function decodeSeriesCopy(stream: Buffer): Array<{ id: number; name: string; labels: string; kind: string }> {
  expect(stream.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
  const out: Array<{ id: number; name: string; labels: string; kind: string }> = [];
  let o = 19;
  const text = () => {
    const n = stream.readInt32BE(o);
    const t = stream.subarray(o + 4, o + 4 + n);
    o += 4 + n;
    return t;
  };
  for (;;) {
    const fields = stream.readInt16BE(o);
    o += 2;
    if (fields === -1) break;
    expect(fields).toBe(4);
    expect(stream.readInt32BE(o)).toBe(4);
    const id = stream.readInt32BE(o + 4);
    o += 8;
    const name = text().toString('utf8');
    const jsonb = text();
    expect(jsonb[0]).toBe(1); // jsonb binary format version
    out.push({ id, name, labels: jsonb.subarray(1).toString('utf8'), kind: text().toString('utf8') });
  }
  expect(o).toBe(stream.length);
  return out;
}

describe('canonicalLabels', () => {
  /** The definition: keys sorted, values as strings, in a fresh object. */
  const reference = (labels: object) => {
    const out: Record<string, string> = {};
    for (const k of Object.keys(labels).sort()) out[k] = String((labels as Record<string, unknown>)[k]);
    return JSON.stringify(out);
  };
  it('is the sorted form whatever the object, including the ones that are already sorted', () => {
    const nullProto = Object.assign(Object.create(null) as object, { a: '1', b: '2' });
    const cases: object[] = [
      {},
      { device: 'r1', ifName: 'ether1' },
      { ifName: 'ether1', device: 'r1' },
      { device: 'r1', port: 7 },
      { '10': 'x', '9': 'y' },
      { '1': 'x', a: 'y' },
      { a: 'say "hi"\n', b: 'é😀' },
      ['a', 'b'],
      new Date(0),
      nullProto,
      { toJSON: 'not a function', z: 'z' },
    ];
    for (const labels of cases)
      expect(canonicalLabels(labels as never), JSON.stringify(labels)).toBe(reference(labels));
  });
});

describe('series COPY stream', () => {
  it('holds every row with its id, in pieces, non-ASCII text exact', () => {
    const list: NewSeries[] = [];
    for (let i = 0; i < 1500; i++) {
      const labels = {
        device: `r${i}`,
        ifName: i % 3 === 0 ? `wlan-é-😀-${i}` : `ether${i}`,
        note: 'a"b\\c\n',
      };
      list.push({ name: `m${i % 7}`, labels: JSON.stringify(labels), kind: i % 2 ? 'gauge' : 'counter' });
    }
    const ids = list.map((_, i) => 1_000_000 + 3 * i);
    const payload = seriesPayload(list, ids);
    const pieces = [...payload.pieces()].map((p) => Buffer.from(p));
    expect(payload.rows).toBe(1500);
    expect(pieces.length).toBeGreaterThan(1);
    const rows = decodeSeriesCopy(Buffer.concat(pieces));
    expect(rows).toEqual(list.map((s, i) => ({ id: ids[i], ...s })));
    // A fresh iteration gives the same stream (a retried COPY sends it again).
    expect(Buffer.concat([...payload.pieces()].map((p) => Buffer.from(p)))).toEqual(Buffer.concat(pieces));
  });

  it('offers the whole stream at once, of its exact size, equal to its pieces', () => {
    const list: NewSeries[] = [
      { name: 'm', labels: JSON.stringify({ device: 'r1', ifName: 'wlan-é-😀' }), kind: 'counter' },
      { name: 'ñ', labels: '{}', kind: 'gauge' },
    ];
    const payload = seriesPayload(list, [5, 6]);
    const whole = payload.whole?.() as Uint8Array;
    expect(Buffer.from(whole)).toEqual(Buffer.concat([...payload.pieces()].map((p) => Buffer.from(p))));
    expect(whole.byteOffset).toBe(0);
    expect(whole.buffer.byteLength).toBe(whole.byteLength);
    expect(decodeSeriesCopy(Buffer.from(whole))).toEqual(list.map((s, i) => ({ id: 5 + i, ...s })));
  });
});

describe('SeriesIds', () => {
  it('hands out distinct ids to concurrent callers, reserving ahead in few statements', async () => {
    let sequence = 0;
    let statements = 0;
    const db = {
      async query(_sql: string, params: unknown[] = []) {
        statements++;
        await Promise.resolve();
        const n = params[0] as number;
        return { rows: [{ ids: Array.from({ length: n }, () => String(++sequence)) }], rowCount: 1 };
      },
    } as unknown as Db;
    const ids = new SeriesIds(db);
    const taken = await Promise.all([ids.take(3000), ids.take(10), ids.take(2500), ids.take(1)]);
    const all = taken.flat();
    expect(taken.map((t) => t.length)).toEqual([3000, 10, 2500, 1]);
    expect(new Set(all).size).toBe(all.length);
    expect(all.every((id) => Number.isInteger(id) && id >= 1 && id <= sequence)).toBe(true);
    const before = statements;
    await ids.take(5); // from what was reserved ahead
    expect(statements).toBe(before);
    ids.forget();
    const after = await ids.take(1);
    expect(statements).toBe(before + 1);
    expect(after[0]).toBeGreaterThan(Math.max(...all));
  });
});

describe('SeriesIds, ids as a range', () => {
  it('takes ids that follow each other as a range, and an array when another writer took some between', async () => {
    const answers = [
      { lo: 1, hi: 5, ids: null },
      { lo: '6', hi: '12', ids: ['6', '7', '9', '12'] },
    ];
    const asked: number[] = [];
    const db = {
      async query(_sql: string, params: unknown[] = []) {
        asked.push(params[0] as number);
        return { rows: [answers.shift()], rowCount: 1 };
      },
    } as unknown as Db;
    const ids = new SeriesIds(db);
    // The fake answers 5 ids, then 4 (whatever was asked).
    expect(await ids.take(2)).toEqual([1, 2]);
    expect(await ids.take(7)).toEqual([3, 4, 5, 6, 7, 9, 12]);
    expect(asked).toHaveLength(2);
  });
});

describe('SeriesCache', () => {
  /**
   * A database that hands out ids per canonical (name, labels) and records what it was asked.
   * Ids come from a sequence, as in the real database: reserved ahead, then sent with the rows by
   * COPY, which fails as a whole (23505) when a series exists; the insert with `ON CONFLICT`
   * (after a race) takes new ones and skips the series that exist.
   */
  function fakeDb() {
    const ids = new Map<string, number>();
    const inserted: string[] = [];
    /** Series another replica creates just before this one's insert (a race). */
    const racing = new Set<string>();
    let sequence = 0;
    const db = {
      engine: 'pglite',
      async copy(spec: { table: string; payload: { pieces(): Iterable<Uint8Array> } }) {
        expect(spec.table).toBe('ispm_series');
        for (const k of racing) if (!ids.has(k)) ids.set(k, ++sequence);
        const rows = decodeSeriesCopy(Buffer.concat([...spec.payload.pieces()].map((p) => Buffer.from(p))));
        const keys = rows.map((r) => `${r.name} ${r.labels}`);
        if (keys.some((k) => ids.has(k))) throw Object.assign(new Error('duplicate key'), { code: '23505' });
        keys.forEach((k, i) => {
          inserted.push(k);
          ids.set(k, (rows[i] as { id: number }).id);
        });
        return rows.length;
      },
      async query(sql: string, params: unknown[] = []) {
        if (sql.includes('generate_series')) {
          const n = params[0] as number;
          return { rows: [{ ids: Array.from({ length: n }, () => ++sequence) }], rowCount: 1 };
        }
        const [names, labels] = params as [string[], string[]];
        if (sql.includes('INSERT INTO ispm_series')) {
          expect(sql).toContain('ON CONFLICT');
          const keys = names.map((n, i) => `${n} ${labels[i]}`);
          const assigned = keys.map(() => ++sequence);
          const created: number[] = [];
          keys.forEach((k, i) => {
            inserted.push(k);
            if (ids.has(k)) return;
            ids.set(k, assigned[i] as number);
            created.push(assigned[i] as number);
          });
          return { rows: [{ ids: assigned, created }], rowCount: created.length };
        }
        // A join: only the series that exist come back.
        const rows = names
          .map((n, i) => ({ ord: i + 1, id: ids.get(`${n} ${labels[i]}`) }))
          .filter((r) => r.id !== undefined);
        return { rows, rowCount: rows.length };
      },
    } as unknown as Db;
    return { db, inserted, ids, racing };
  }
  const key = (name: string, labels: Record<string, string>) => ({
    name,
    labels: JSON.stringify(Object.fromEntries(Object.entries(labels).sort())),
    kind: 'counter' as const,
    source: labels,
  });

  it('finds a series by name and labels in any order; a label more is another series', async () => {
    const { db, inserted } = fakeDb();
    const cache = new SeriesCache(db, 1000);
    const ab = { a: '1', b: '2' };
    const ba = { b: '2', a: '1' };
    const out = await cache.resolve(
      new Map([
        ['x', key('n', ab)],
        ['y', key('n', ba)],
        ['z', key('n', { a: '1' })],
      ]),
    );
    expect(inserted).toHaveLength(2); // {a,b} once, {a} once
    expect(out.get('x')).toBe(out.get('y'));
    expect(out.get('z')).not.toBe(out.get('x'));
    expect(cache.get('n', { a: '1', b: '2' })).toBe(out.get('x'));
    expect(cache.get('n', { b: '2', a: '1' })).toBe(out.get('x'));
    expect(cache.get('n', { a: '1' })).toBe(out.get('z'));
    expect(cache.get('n', {})).toBeUndefined();
    expect(cache.get('m', { a: '1' })).toBeUndefined();
    expect(cache.get('n', { a: '1', b: '3' })).toBeUndefined();
    expect(cache.size).toBe(3);
  });

  it('caches a series without labels, and one whose labels are a prefix of another', async () => {
    const { db } = fakeDb();
    const cache = new SeriesCache(db, 1000);
    const out = await cache.resolve(
      new Map([
        ['none', key('n', {})],
        ['short', key('n', { device: 'r1' })],
        ['long', key('n', { device: 'r1', ifName: 'ether1' })],
      ]),
    );
    expect(new Set(out.values()).size).toBe(3);
    expect(cache.get('n', {})).toBe(out.get('none'));
    expect(cache.get('n', { device: 'r1' })).toBe(out.get('short'));
    expect(cache.get('n', { device: 'r1', ifName: 'ether1' })).toBe(out.get('long'));
    expect(cache.get('n', { device: 'r1', ifName: 'ether2' })).toBeUndefined();
    expect(cache.get('n', { device: 'r2' })).toBeUndefined();
    expect(cache.size).toBe(3);
    // Remembering a series again does not count it twice.
    await cache.resolve(new Map([['again', key('n', { device: 'r1' })]]));
    expect(cache.size).toBe(3);
  });

  it('is bounded: when full it starts over, and ids come back from the database', async () => {
    const { db } = fakeDb();
    const cache = new SeriesCache(db, 2);
    await cache.resolve(new Map([['a', key('n', { i: '1' })]]));
    await cache.resolve(new Map([['b', key('n', { i: '2' })]]));
    expect(cache.size).toBe(2);
    const out = await cache.resolve(new Map([['c', key('n', { i: '3' })]]));
    expect(cache.size).toBe(1);
    expect(cache.get('n', { i: '1' })).toBeUndefined();
    expect(cache.get('n', { i: '3' })).toBe(out.get('c'));
    expect((await cache.resolve(new Map([['a', key('n', { i: '1' })]]))).get('a')).toBe(1);
  });

  it('a series another replica creates between the look-up and the insert gets its id', async () => {
    const { db, ids, racing } = fakeDb();
    const cache = new SeriesCache(db, 1000);
    const theirs = key('n', { device: 'r1' });
    racing.add(`n ${theirs.labels}`);
    const out = await cache.resolve(
      new Map([
        ['theirs', theirs],
        ['mine', key('n', { device: 'r2' })],
      ]),
    );
    expect(out.get('theirs')).toBe(ids.get(`n ${theirs.labels}`));
    expect(out.get('mine')).toBe(ids.get(`n ${key('n', { device: 'r2' }).labels}`));
    expect(out.get('theirs')).not.toBe(out.get('mine'));
    expect(cache.get('n', { device: 'r1' })).toBe(out.get('theirs'));
  });

  it('after a restart, series that exist are looked up, not inserted again', async () => {
    const { db, inserted } = fakeDb();
    const wanted = new Map([...Array(5).keys()].map((i) => [`k${i}`, key('n', { i: String(i) })]));
    const first = await new SeriesCache(db, 1000).resolve(wanted);
    expect(inserted).toHaveLength(5);
    const again = await new SeriesCache(db, 1000).resolve(new Map([...wanted, ['k9', key('n', { i: '9' })]]));
    expect(inserted).toHaveLength(6); // only the new one
    for (const [k, id] of first) expect(again.get(k)).toBe(id);
  });

  it('keeps every id when a leaf outgrows its array, and counts a series once', async () => {
    const { db } = fakeDb();
    const cache = new SeriesCache(db, 1000);
    const wanted = (from: number, to: number) =>
      new Map(
        [...Array(to - from).keys()].map((i) => [
          `k${from + i}`,
          key('n', { device: 'r1', q: `q${from + i}` }),
        ]),
      );
    // One at a time past the array's bound (32), then a batch, so the leaf grows a value at a time.
    const out = new Map<string, number>();
    for (let i = 0; i < 40; i++) for (const [k, id] of await cache.resolve(wanted(i, i + 1))) out.set(k, id);
    for (const [k, id] of await cache.resolve(wanted(40, 100))) out.set(k, id);
    expect(new Set(out.values()).size).toBe(100);
    expect(cache.size).toBe(100);
    for (let i = 0; i < 100; i++) {
      expect(cache.get('n', { device: 'r1', q: `q${i}` })).toBe(out.get(`k${i}`));
    }
    expect(cache.get('n', { device: 'r1', q: 'q100' })).toBeUndefined();
    expect(cache.get('n', { device: 'r2', q: 'q1' })).toBeUndefined();
    // Two keys naming one new series: remembered twice, counted once, in an array and in a Map.
    const twice = (device: string, q: string) =>
      new Map([
        ['a', key('n', { device, q })],
        ['b', key('n', { device, q })],
      ]);
    await cache.resolve(twice('r1', 'q100'));
    await cache.resolve(twice('r2', 'q0'));
    await cache.resolve(twice('r2', 'q1'));
    expect(cache.size).toBe(103);
    expect(cache.get('n', { device: 'r1', q: 'q100' })).toBeDefined();
    expect(cache.get('n', { device: 'r2', q: 'q1' })).toBeDefined();
  });

  it('finds every series while nodes go from one child to several', async () => {
    const { db } = fakeDb();
    const cache = new SeriesCache(db, 1000);
    const series: Array<[string, Record<string, string>]> = [
      ['n', { device: 'r1', ifName: 'e1' }],
      ['n', { device: 'r2', ifName: 'e1' }], // a second device value
      ['n', { device: 'r1', vlan: '7' }], // a second key under a device
      ['n', { site: 's', device: 'r1', ifName: 'e1' }], // a second key under the name
      ['n', { device: 'r1', ifName: 'e1', q: 'x' }], // a longer series through a leaf's key
      ['n', {}],
      ['m', { device: 'r1', ifName: 'e1' }], // a second name
    ];
    const ids: number[] = [];
    // One series per round, so each is added to a tree that already holds the ones before.
    for (const [i, [name, labels]] of series.entries()) {
      const id = (await cache.resolve(new Map([[`k${i}`, key(name, labels)]]))).get(`k${i}`);
      ids.push(id as number);
      for (const [j, [n, l]] of series.slice(0, i + 1).entries()) {
        expect(cache.get(n, l)).toBe(ids[j]);
        // Another key order was never remembered: another path, not found.
        if (Object.keys(l).length > 1)
          expect(cache.get(n, Object.fromEntries(Object.entries(l).reverse()))).toBeUndefined();
      }
    }
    expect(new Set(ids).size).toBe(series.length);
    expect(cache.size).toBe(series.length);
    expect(cache.get('n', { device: 'r1' })).toBeUndefined();
    expect(cache.get('n', { device: 'r3', ifName: 'e1' })).toBeUndefined();
    expect(cache.get('m', {})).toBeUndefined();
  });

  it('matches the database for random label sets, in any key order', async () => {
    const { db } = fakeDb();
    const cache = new SeriesCache(db, 100_000);
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const shuffle = <T>(a: T[]) => {
      for (let i = a.length - 1; i > 0; i--) {
        const j = rand(i + 1);
        [a[i], a[j]] = [a[j] as T, a[i] as T];
      }
      return a;
    };
    const all: Array<[string, Record<string, string>]> = [];
    for (let i = 0; i < 2000; i++) {
      const keys = shuffle(['device', 'ifName', 'q', 'site']).slice(0, rand(5));
      // Few values for most keys, many for `q`: leaves of every size.
      all.push([
        `n${rand(3)}`,
        Object.fromEntries(keys.map((k) => [k, `${k[0]}${rand(k === 'q' ? 80 : 3)}`])),
      ]);
    }
    const canonical = (n: string, l: Record<string, string>) => `${n} ${key(n, l).labels}`;
    const expected = new Map<string, number>();
    for (let at = 0; at < all.length; at += 100) {
      const batch = all.slice(at, at + 100);
      const out = await cache.resolve(new Map(batch.map(([n, l], i) => [`${at + i}`, key(n, l)])));
      for (const [i, [n, l]] of batch.entries())
        expected.set(canonical(n, l), out.get(`${at + i}`) as number);
    }
    // A series is cached once per key order it came in.
    expect(cache.size).toBe(new Set(all.map(([n, l]) => `${n} ${JSON.stringify(l)}`)).size);
    for (const [n, l] of all) {
      const id = expected.get(canonical(n, l));
      expect(cache.get(n, l)).toBe(id);
      const other = Object.fromEntries(shuffle(Object.entries(l)));
      // Another order is found once it was remembered in that order, and is never another id.
      expect([undefined, id]).toContain(cache.get(n, other));
    }
  });

  it('forgets everything on clear(), then refills from the database', async () => {
    const { db, inserted } = fakeDb();
    const cache = new SeriesCache(db, 1000);
    const wanted = new Map(
      [...Array(40).keys()].map((i) => [`k${i}`, key('n', { device: 'r1', q: `q${i}` })]),
    );
    wanted.set('none', key('n', {}));
    const first = await cache.resolve(wanted);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.get('n', {})).toBeUndefined();
    expect(cache.get('n', { device: 'r1', q: 'q0' })).toBeUndefined();
    const again = await cache.resolve(wanted);
    expect(inserted).toHaveLength(41); // looked up, not created again
    expect(cache.size).toBe(41);
    for (const [k, id] of first) {
      expect(again.get(k)).toBe(id);
      const labels = (wanted.get(k) as { source: Record<string, string> }).source;
      expect(cache.get('n', labels)).toBe(id);
    }
  });
});
