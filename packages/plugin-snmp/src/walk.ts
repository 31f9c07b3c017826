/**
 * Bulk walks of several table columns at once, with max-repetitions learned per device and loop
 * protection. One GETBULK carries every column still being walked, so a table of N rows and C
 * columns costs about N / repetitions round trips instead of C × N / repetitions.
 */
import type { Varbind } from 'net-snmp';
import type { CommunityMessage } from './ber/response.js';
import { SnmpError, SnmpErrorCodes } from './errors.js';
import { compareOids, indexOf, isUnder } from './oid.js';
import { WalkedRows } from './rows.js';
import type { SnmpSession } from './session.js';
import { VarbindType } from './values.js';
import {
  columnOctets,
  NO_OCTETS,
  notIncreasing,
  progressRaw,
  type RawWalkCursor,
  releaseRawCursor,
  startRawCursor,
  tooLong,
} from './walk-raw.js';

/** What a device taught us about bulk requests; kept per device between polls. */
export interface BulkState {
  /** Current max-repetitions: starts at the configured value, halves on tooBig and timeouts. */
  maxRepetitions: number;
  /** How many times it was lowered, for logs and tests. */
  backoffs: number;
}

/** Options of one walk. */
export interface WalkOptions {
  /** `1` walks with GETNEXT (SNMPv1 has no GETBULK). */
  version: '1' | '2c' | '3';
  state: BulkState;
  /** Rows kept per column before the walk is cut off. */
  maxRows: number;
  /** Varbinds asked for per request across all columns (columns × repetitions). Default 8 × maxRepetitions. */
  varbindBudget?: number;
  /**
   * Rows the longest column had on the last walk of these columns, if known. Requests then ask
   * for no more repetitions than the rows still expected plus one (which finds the end), so a
   * table that was empty costs one varbind per column instead of a full answer of the next
   * subtree. Only the request size changes: a table that grew is walked to its end all the same.
   */
  expectedRows?: number;
}

/** Rows of one column by index, in walk order (a walk gives `WalkedRows`; tests may give a Map). */
export type ColumnRows = ReadonlyMap<string, Varbind>;
/** Rows of several columns, by column OID. */
export type ColumnRowsMap = Map<string, ColumnRows>;

/** The result of a walk: rows per column, and the error that cut a column short, if any. */
export interface WalkResult {
  columns: Map<string, WalkedRows>;
  errors: ReadonlyMap<string, SnmpError>;
}

/** Where a walk's column errors go (a Map would do; this one makes its Map only for the first). */
export interface ColumnErrorSink {
  set(column: string, err: SnmpError): unknown;
}

/** The errors of one walk's columns, in the order they happened. */
class ColumnErrors implements ColumnErrorSink {
  map: Map<string, SnmpError> | undefined;
  set(column: string, err: SnmpError): void {
    this.map ??= new Map();
    this.map.set(column, err);
  }
}

/** The errors of a walk that had none (shared: read only). */
const NO_ERRORS: ReadonlyMap<string, SnmpError> = new Map();

/** One column's walk. The octets fields (walk-raw.ts) are used when answers are read in place. */
interface Cursor extends RawWalkCursor {
  last: string;
}

/** Timeouts tolerated in one walk before it gives up (each one halves max-repetitions first). */
const MAX_TIMEOUT_BACKOFFS = 2;

/**
 * Walks `columns` (OIDs of table columns or subtrees) together. Never loops forever: each column
 * must return strictly increasing OIDs and at most `maxRows` rows. Errors that end the whole walk
 * (timeout after backoff, abort, auth) are thrown; errors of one column are in `errors`.
 */
export async function walkColumns(
  session: SnmpSession,
  columns: string[],
  opts: WalkOptions,
): Promise<WalkResult> {
  // Room for the rows the last walk of these columns found (their arrays are then not regrown).
  const capacity = opts.expectedRows ?? 0;
  // SNMPv2c on our own transport: answers are read in place (walk-raw.ts).
  const raw = opts.version === '2c' && session.rawBulk === true;
  const cursors: Cursor[] = columns.map((column) => ({
    column,
    last: column,
    rows: new WalkedRows(column, capacity),
    done: false,
    prefix: raw ? columnOctets(column) : NO_OCTETS,
    octets: NO_OCTETS.octets,
    length: 0,
  }));
  const errors = new ColumnErrors();
  if (raw) for (const c of cursors) startRawCursor(c);
  try {
    await walkCursors(session, cursors, raw, opts, errors);
  } finally {
    if (raw) for (const c of cursors) releaseRawCursor(c);
  }
  const out = new Map<string, WalkedRows>();
  for (const c of cursors) {
    c.rows.finish();
    out.set(c.column, c.rows);
  }
  return { columns: out, errors: errors.map ?? NO_ERRORS };
}

/** The requests of `walkColumns`, until every cursor is done. */
async function walkCursors(
  session: SnmpSession,
  cursors: Cursor[],
  raw: boolean,
  opts: WalkOptions,
  errors: ColumnErrorSink,
): Promise<void> {
  let timeouts = 0;
  // The columns still walked, kept in one array that loses the finished ones in place. In place
  // it is also the list of OIDs a raw request asks for (each cursor is its last OID's octets).
  const active = cursors.slice();
  for (;;) {
    dropDone(active);
    if (active.length === 0) break;
    const state = opts.state;
    const budget = opts.varbindBudget ?? state.maxRepetitions * 8;
    let reps = Math.max(1, Math.min(state.maxRepetitions, Math.floor(budget / active.length)));
    if (opts.expectedRows !== undefined) {
      let longest = 0;
      for (const c of active) if (c.rows.size > longest) longest = c.rows.size;
      const left = opts.expectedRows - longest;
      if (left >= 0) reps = Math.min(reps, left + 1);
    }
    // Flat, in the agent's order: varbind r·n + i is repetition r of active column i (n columns).
    let answer: Varbind[] | CommunityMessage;
    try {
      if (opts.version === '1') {
        // GETNEXT of one column at a time: a v1 noSuchName fails the whole PDU, so don't mix columns.
        const first = active[0] as Cursor;
        try {
          answer = await session.getNext([first.last]);
        } catch (err) {
          if (
            err instanceof SnmpError &&
            err.code === SnmpErrorCodes.ERROR_STATUS &&
            /NoSuchName/i.test(err.message)
          ) {
            first.done = true;
            continue;
          }
          throw err;
        }
        if (progress([first], answer, 1, opts.maxRows, errors) === 0 && !first.done) {
          throw new SnmpError(
            SnmpErrorCodes.BAD_RESPONSE,
            `${session.target} answered GETNEXT without progress`,
          );
        }
        continue;
      }
      answer = raw
        ? await session.getBulkRaw(active, reps)
        : await session.getBulkFlat(
            active.map((c) => c.last),
            reps,
          );
    } catch (err) {
      if (!(err instanceof SnmpError)) throw err;
      if (err.code === SnmpErrorCodes.TOO_BIG && state.maxRepetitions > 1) {
        lower(state);
        continue;
      }
      if (
        err.code === SnmpErrorCodes.TIMEOUT &&
        state.maxRepetitions > 1 &&
        timeouts < MAX_TIMEOUT_BACKOFFS
      ) {
        // Some agents drop requests whose answer would not fit instead of saying tooBig.
        timeouts++;
        lower(state);
        continue;
      }
      throw err;
    }
    const added = Array.isArray(answer)
      ? progress(active, answer, active.length, opts.maxRows, errors)
      : progressRaw(active, answer, opts.maxRows, errors);
    if (added === 0 && !allDone(active)) {
      // An answer that moves no column forward would be asked again forever.
      for (const c of active) {
        if (!c.done) {
          c.done = true;
          errors.set(
            c.column,
            new SnmpError(
              SnmpErrorCodes.BAD_RESPONSE,
              `${session.target} answered GETBULK without progress under ${c.column}`,
            ),
          );
        }
      }
    }
  }
}

/** Removes the finished cursors from `active`, keeping the order (the array is trimmed in place). */
function dropDone(active: Cursor[]): void {
  let j = 0;
  for (let i = 0; i < active.length; i++) {
    const c = active[i] as Cursor;
    if (!c.done) active[j++] = c;
  }
  active.length = j;
}

function allDone(cursors: Cursor[]): boolean {
  for (const c of cursors) if (!c.done) return false;
  return true;
}

function lower(state: BulkState): void {
  state.maxRepetitions = Math.max(1, Math.floor(state.maxRepetitions / 2));
  state.backoffs++;
}

/**
 * Applies one answer to the cursors; returns how many rows were added. The answer is read in
 * place with a stride of `n` (the columns asked for): no per-column arrays are built from it.
 */
function progress(
  active: Cursor[],
  answer: Varbind[],
  n: number,
  maxRows: number,
  errors: ColumnErrorSink,
): number {
  let added = 0;
  const total = answer.length;
  for (let i = 0; i < active.length && i < n; i++) {
    const c = active[i] as Cursor;
    for (let k = i; k < total; k += n) {
      const vb = answer[k] as Varbind | undefined;
      if (c.done) break;
      if (
        !vb ||
        typeof vb.oid !== 'string' ||
        vb.type === VarbindType.EndOfMibView ||
        !isUnder(vb.oid, c.column)
      ) {
        c.done = true;
        break;
      }
      if (vb.type === VarbindType.NoSuchObject || vb.type === VarbindType.NoSuchInstance) {
        c.done = true;
        break;
      }
      // Both lie under the column (or `last` is the column itself): compare only the index part.
      if (c.last !== c.column && compareOids(vb.oid, c.last, c.column.length + 1) <= 0) {
        c.done = true;
        errors.set(c.column, notIncreasing(c.column, vb.oid, c.last));
        break;
      }
      if (c.rows.size >= maxRows) {
        c.done = true;
        errors.set(c.column, tooLong(c.column, maxRows));
        break;
      }
      c.rows.add(indexOf(vb.oid, c.column), vb.type, vb.value);
      c.last = vb.oid;
      added++;
    }
  }
  return added;
}
