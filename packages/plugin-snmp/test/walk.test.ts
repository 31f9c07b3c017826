/**
 * Request sizing of bulk walks from the row count of the last walk (`expectedRows`): the rows
 * walked never depend on it, only how many repetitions each GETBULK asks for.
 */
import type { Varbind } from 'net-snmp';
import { describe, expect, it } from 'vitest';
import { compareOids, isUnder } from '../src/oid.js';
import type { SnmpSession } from '../src/session.js';
import { VarbindType } from '../src/values.js';
import { walkColumns } from '../src/walk.js';

/** An in-memory agent over a sorted list of OIDs: GETBULK answers like a real one. */
function fakeSession(oids: string[]) {
  const sorted = [...oids].sort((a, b) => compareOids(a, b));
  const asked: Array<{ oids: string[]; reps: number; got: number }> = [];
  const next = (after: string): Varbind => {
    const oid = sorted.find((o) => compareOids(o, after) > 0);
    return oid
      ? { oid, type: VarbindType.Integer, value: 1 }
      : { oid: after, type: VarbindType.EndOfMibView, value: null };
  };
  const session = {
    target: 'fake:161',
    /** The answer in the agent's order: row by row, a column that ended repeating endOfMibView. */
    async getBulkFlat(request: string[], reps: number): Promise<Varbind[]> {
      const columns = await session.getBulk(request, reps);
      const flat: Varbind[] = [];
      for (let r = 0; r < reps; r++) {
        for (const column of columns) {
          const last = column[column.length - 1] as Varbind;
          flat.push(column[r] ?? { oid: last.oid, type: VarbindType.EndOfMibView, value: null });
        }
      }
      return flat;
    },
    async getBulk(request: string[], reps: number): Promise<Varbind[][]> {
      const out = request.map((start) => {
        const column: Varbind[] = [];
        let at = start;
        for (let i = 0; i < reps; i++) {
          const vb = next(at);
          column.push(vb);
          if (vb.type === VarbindType.EndOfMibView) break;
          at = vb.oid;
        }
        return column;
      });
      asked.push({ oids: request, reps, got: out.reduce((n, c) => n + c.length, 0) });
      return out;
    },
  };
  return { session: session as unknown as SnmpSession, asked };
}

const A = '1.3.6.1.2.1.2.2.1.7';
const B = '1.3.6.1.2.1.2.2.1.8';
const OTHER = '1.3.6.1.2.1.4.1.0';
const table = (rows: number) => [
  ...Array.from({ length: rows }, (_, i) => `${A}.${i + 1}`),
  ...Array.from({ length: rows }, (_, i) => `${B}.${i + 1}`),
  ...Array.from({ length: 100 }, (_, i) => `${OTHER}.${i}`),
];

async function walkOf(rows: number, expectedRows?: number) {
  const { session, asked } = fakeSession(table(rows));
  const result = await walkColumns(session, [A, B], {
    version: '2c',
    state: { maxRepetitions: 25, backoffs: 0 },
    maxRows: 10_000,
    ...(expectedRows === undefined ? {} : { expectedRows }),
  });
  const rowsOf = (c: string) => [...(result.columns.get(c)?.keys() ?? [])];
  for (const c of [A, B])
    for (const vb of result.columns.get(c)?.values() ?? []) expect(isUnder(vb.oid, c)).toBe(true);
  return { rows: { a: rowsOf(A), b: rowsOf(B) }, asked, errors: result.errors };
}

describe('walkColumns with expectedRows', () => {
  it('walks the same rows whatever it expects: equal, fewer (grown), more (shrunk), none', async () => {
    for (const rows of [0, 1, 24, 25, 26, 60]) {
      const plain = await walkOf(rows);
      expect(plain.rows.a).toHaveLength(rows);
      expect(plain.errors.size).toBe(0);
      for (const expected of [0, 1, rows - 1, rows, rows + 1, 3 * rows + 7]) {
        if (expected < 0) continue;
        const hinted = await walkOf(rows, expected);
        expect(hinted.rows).toEqual(plain.rows);
        expect(hinted.errors.size).toBe(0);
      }
    }
  });

  it('an empty table that was empty last time costs one varbind per column', async () => {
    const plain = await walkOf(0);
    const hinted = await walkOf(0, 0);
    expect(plain.asked).toEqual([{ oids: [A, B], reps: 25, got: 50 }]);
    expect(hinted.asked).toEqual([{ oids: [A, B], reps: 1, got: 2 }]);
  });

  it('a known table is fetched with no more repetitions than rows left plus one', async () => {
    const hinted = await walkOf(30, 30);
    expect(hinted.asked.map((a) => a.reps)).toEqual([25, 6]);
    // Without the hint the second request asks for a full 25 and gets the next subtree back.
    const plain = await walkOf(30);
    expect(plain.asked.map((a) => a.reps)).toEqual([25, 25]);
    expect(hinted.asked[1]?.got).toBeLessThan(plain.asked[1]?.got as number);
  });

  it('a table that grew past what was expected goes back to full requests', async () => {
    const hinted = await walkOf(60, 5);
    expect(hinted.asked.map((a) => a.reps)).toEqual([6, 25, 25, 25]);
    expect(hinted.rows.a).toHaveLength(60);
  });
});
