/**
 * The session tracker of a router: `read` (rows remembered between polls, interfaces found where
 * they were last poll) gives, poll after poll, exactly what parsing every row (`parsePpp`) and
 * diffing sets of session keys gives — on random polls with churn, reordering, garbage rows, rows
 * without `.id`, one `.id` twice, one user twice, duplicate interface names and text that changes
 * notation but not meaning.
 */
import type { PppoeSessionFact } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../test/support/seeded-random.js';
import type { Row } from '../src/api/connection.js';
import { parsePpp } from '../src/parts/subscribers.js';
import { sessionKey, sessionOfKey } from '../src/sessions/keys.js';
import { SessionTracker } from '../src/sessions.js';

/** The diff by sets of keys: what the tracker did before it remembered rows. */
class KeyDiff {
  #last: Set<string> | undefined;
  update(current: readonly PppoeSessionFact[]) {
    const next = new Set<string>();
    const appeared: PppoeSessionFact[] = [];
    for (const s of current) {
      const key = sessionKey(s);
      next.add(key);
      if (this.#last && !this.#last.has(key)) appeared.push(s);
    }
    const last = this.#last;
    this.#last = next;
    if (!last) return undefined;
    const vanished = [...last].filter((k) => !next.has(k)).map(sessionOfKey);
    return { appeared, vanished };
  }
}

interface Sub {
  id: number;
  user: number;
  service: string;
  mac: string;
  address: string;
  up: number;
}

/** Fresh strings, as a decoder makes them each poll. */
const fresh = (s: string) => ` ${s}`.slice(1);

function polls(seed: number, count: number, size: number) {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)] as T;
  let nextId = 0x100;
  const hex = (n: number, w = 2) => n.toString(16).padStart(w, '0');
  const born = (): Sub => {
    const user = Math.floor(rnd() * size * 1.2);
    return {
      id: nextId++,
      user,
      service: rnd() < 0.9 ? 'pppoe' : pick(['l2tp', 'sstp', 'async']),
      mac: `00:0C:42:${hex(user >> 8)}:${hex(user & 255)}:${hex(Math.floor(rnd() * 256))}`.toUpperCase(),
      address: rnd() < 0.5 ? `10.0.${user >> 8}.${user & 255}` : `2001:db8::${hex(user, 4)}`,
      up: Math.floor(rnd() * 100_000),
    };
  };
  let subs = Array.from({ length: size }, born);
  const out: Array<{ rows: Row[]; ifs: Row[] | undefined }> = [];
  for (let p = 0; p < count; p++) {
    // Churn: some end, some start (new ids at the end), some change a field under the same id.
    subs = subs.filter(() => rnd() > 0.05);
    for (let i = 0; i < size * 0.06; i++) subs.push(born());
    for (const s of subs) {
      s.up += 60;
      if (rnd() < 0.01) s.address = `10.9.${Math.floor(rnd() * 255)}.1`;
    }
    const rows: Row[] = subs.map((s) => ({
      '.id': fresh(`*${s.id.toString(16).toUpperCase()}`),
      name: fresh(`user${s.user}`),
      service: fresh(s.service),
      // The same MAC in another notation now and then: same session.
      'caller-id': fresh(rnd() < 0.02 ? s.mac.toLowerCase() : s.mac),
      address: fresh(s.address),
      uptime: fresh(`${Math.floor(s.up / 3600)}h${Math.floor(s.up / 60) % 60}m${s.up % 60}s`),
    }));
    // Garbage and oddities, in some polls only.
    if (rnd() < 0.3) rows.push({ ...(pick(rows) as Row), uptime: 'forever' });
    if (rnd() < 0.3) rows.push({ ...(pick(rows) as Row), name: 'bad\u0000' });
    if (rnd() < 0.2) rows.push({ ...(pick(rows) as Row) }); // one `.id` twice, same text
    if (rnd() < 0.2) rows.push({ ...(pick(rows) as Row), address: '10.200.0.1' }); // twice, other text
    if (rnd() < 0.2) {
      const { '.id': _, ...noId } = pick(rows) as Row;
      rows.push(noId);
    }
    if (rnd() < 0.1) rows.reverse(); // another order
    let ifs: Row[] | undefined = [{ name: 'ether1', type: 'ether', 'rx-byte': '1', 'tx-byte': '2' }];
    for (const s of subs) {
      if (s.service === 'async' || rnd() < 0.03) continue; // no interface (yet)
      ifs.push({
        name: fresh(`<${s.service}-user${s.user}>`),
        type: fresh(`${s.service}-in`),
        'rx-byte': String(s.up * 1000 + p),
        'tx-byte': rnd() < 0.01 ? '99999999999999999999' : String(s.up * 9000),
      });
    }
    if (rnd() < 0.2) ifs.push({ ...(pick(ifs) as Row), 'rx-byte': '7' }); // a name twice
    if (rnd() < 0.2) ifs.unshift({ ...(pick(ifs) as Row), 'rx-byte': '8' });
    if (rnd() < 0.2) ifs.push({ ...(pick(ifs) as Row), type: 'ether' }); // a name, another type
    if (rnd() < 0.1) ifs.reverse();
    if (rnd() < 0.05) ifs = undefined; // interfaces not read this poll
    out.push({ rows, ifs });
  }
  return out;
}

describe('SessionTracker.read', () => {
  // Remembering every reply, only the big ones (the size moves around 300: both ways in turn),
  // and the default (a reply this small is parsed whole).
  it.each([
    [1, 0],
    [2, 0],
    [3, 0],
    [4, 0],
    [5, 300],
    [6, 300],
    [7, undefined],
  ])('equals parsing every row and diffing keys (seed %i, remembered from %s rows)', (seed, from) => {
    const tracker = new SessionTracker(from);
    const reference = new KeyDiff();
    let changes = 0;
    for (const { rows, ifs } of polls(seed, 40, 300)) {
      const want = parsePpp(rows, ifs);
      const wantChange = reference.update(want.sessions);
      const got = tracker.read(rows, ifs);
      expect(got.sessions).toEqual(want.sessions);
      expect([...got.perService]).toEqual([...want.perService]);
      expect(got.tally.skipped).toBe(want.tally.skipped);
      expect(got.change).toEqual(wantChange);
      changes += (got.change?.appeared.length ?? 0) + (got.change?.vanished.length ?? 0);
    }
    expect(changes).toBeGreaterThan(100);
  });

  it('the first poll sets the baseline; after reset the next one does again', () => {
    const row = { '.id': '*1', name: 'a', service: 'pppoe', 'caller-id': '00:0C:42:00:00:01', uptime: '1s' };
    const tracker = new SessionTracker(0);
    expect(tracker.read([row]).change).toBeUndefined();
    expect(tracker.read([]).change).toEqual({
      appeared: [],
      vanished: [{ id: '*1', user: 'a', service: 'pppoe', callerId: '00:0c:42:00:00:01' }],
    });
    tracker.reset();
    expect(tracker.read([row]).change).toBeUndefined();
    expect(tracker.read([{ ...row, uptime: '2s' }]).change).toEqual({ appeared: [], vanished: [] });
  });

  it('a row with the same .id and other text is another session; other notation of the same text is not', () => {
    const row = {
      '.id': '*A',
      name: 'a',
      service: 'pppoe',
      'caller-id': '00:0C:42:00:00:01',
      address: '10.0.0.1',
    };
    const tracker = new SessionTracker(0);
    tracker.read([row]);
    expect(tracker.read([{ ...row, 'caller-id': '00-0c-42-00-00-01' }]).change).toEqual({
      appeared: [],
      vanished: [],
    });
    const moved = tracker.read([{ ...row, address: '10.0.0.2' }]).change;
    expect(moved?.appeared.map((s) => s.address)).toEqual(['10.0.0.2']);
    expect(moved?.vanished.map((s) => s.address)).toEqual(['10.0.0.1']);
  });

  it('finds a session interface that moved in the reply, and the last one of a repeated name', () => {
    const tracker = new SessionTracker(0);
    const rows = [1, 2, 3].map((n) => ({ '.id': `*${n}`, name: `u${n}`, service: 'pppoe' }));
    const ifs = (order: number[], rx: number) =>
      order.map((n) => ({ name: `<pppoe-u${n}>`, type: 'pppoe-in', 'rx-byte': String(n * 100 + rx) }));
    expect(tracker.read(rows, ifs([1, 2, 3], 0)).sessions.map((s) => s.bytesIn)).toEqual([100, 200, 300]);
    expect(tracker.read(rows, ifs([3, 1, 2], 1)).sessions.map((s) => s.bytesIn)).toEqual([101, 201, 301]);
    const twice = [...ifs([1, 2, 3], 2), { name: '<pppoe-u2>', type: 'pppoe-in', 'rx-byte': '9' }];
    expect(tracker.read(rows, twice).sessions.map((s) => s.bytesIn)).toEqual([102, 9, 302]);
    // A second session of u1: neither gets the interface (no guess which one it is).
    const both = tracker.read([...rows, { '.id': '*9', name: 'u1', service: 'pppoe' }], ifs([1, 2, 3], 3));
    expect(both.sessions.map((s) => s.bytesIn)).toEqual([undefined, 203, 303, undefined]);
  });
});
