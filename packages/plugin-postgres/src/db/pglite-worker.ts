/**
 * The PGlite worker thread: owns the one PGlite instance and runs what the main thread sends
 * (pglite-protocol.ts). PGlite's WebAssembly work is synchronous; here it blocks this thread
 * only, never the poller's timers.
 *
 * This file imports nothing of ours at run time: from TypeScript sources (tests) it is loaded
 * transpiled as a `data:` URL, where only `node:` modules and absolute URLs resolve.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type {
  WireError,
  WorkerInit,
  WorkerNiced,
  WorkerReady,
  WorkerReply,
  WorkerRequest,
} from './pglite-protocol.js';

interface Tx {
  query<R>(sql: string, params?: unknown[], opts?: { blob?: Blob }): Promise<PgliteResult<R>>;
}
interface PgliteResult<R> {
  rows: R[];
  affectedRows?: number;
}
interface Pglite extends Tx {
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  waitReady: Promise<void>;
}

/** An open transaction: its handle, and how the main thread ends it. */
interface OpenTx {
  tx: Tx;
  finish(commit: boolean): void;
  done: Promise<unknown>;
}

/** How long a transaction waits behind single statements before it goes first. */
const TX_MAX_WAIT_MS = 1000;

/** Thrown inside PGlite's transaction callback to make it roll back. */
const ROLLBACK = Symbol('rollback');

/** Plain fields of an error (PostgreSQL's code, detail, constraint …), nothing that may not clone. */
function toWire(err: unknown): WireError {
  const e = err instanceof Error ? err : new Error(String(err));
  const fields: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(e)) {
    // `query`/`params` may be large or hold input; the caller knows what it sent.
    if (key === 'query' || key === 'params' || key === 'queryOptions') continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      fields[key] = value;
    }
  }
  return { name: e.name, message: e.message, stack: e.stack, fields };
}

/**
 * Lowers this thread's CPU priority (Linux: a thread is a task with its own niceness, addressed by
 * its thread id, which /proc/thread-self names). On a loaded machine the scheduler then runs the
 * poll loop's thread first when both want a core, and PGlite takes the time the loop leaves.
 * Never fatal: another platform, or a refusal, leaves the thread as it was.
 */
function lowerPriority(nice: number): WorkerNiced {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) throw new Error('no thread id in /proc/thread-self');
    setPriority(tid, nice);
    return { niced: true, nice: getPriority(tid) };
  } catch (err) {
    return { niced: true, error: err instanceof Error ? err.message : String(err) };
  }
}

async function main(port: NonNullable<typeof parentPort>, init: WorkerInit): Promise<void> {
  let pg: Pglite;
  try {
    const { PGlite } = (await import(init.pgliteUrl)) as { PGlite: new (dir?: string) => Pglite };
    pg = init.dataDir ? new PGlite(init.dataDir) : new PGlite();
    await pg.waitReady;
  } catch (err) {
    port.postMessage({ ready: true, ok: false, error: toWire(err) } satisfies WorkerReady);
    return;
  }
  // Only once open: PGlite's start-up (compiling WebAssembly, recovery) runs before any polling,
  // and at a lower priority on a busy machine it only delayed the monitor's start (measured).
  if (init.nice) port.postMessage(lowerPriority(init.nice));
  const open = new Map<number, OpenTx>();
  const reply = (r: WorkerReply) => port.postMessage(r);
  const fail = (id: number, err: unknown) => reply({ id, ok: false, error: toWire(err) });
  const target = (tx: number | undefined): Tx => {
    if (tx === undefined) return pg;
    const t = open.get(tx);
    if (!t) throw new Error(`transaction ${tx} is not open`);
    return t.tx;
  };

  let release: (txId: number) => void = () => {};
  const begin = (id: number, txId: number) => {
    let finish: (commit: boolean) => void = () => {};
    const decided = new Promise<boolean>((resolve) => {
      finish = resolve;
    });
    let entered = false;
    const done = pg.transaction(async (tx) => {
      entered = true;
      open.set(txId, { tx, finish, done });
      reply({ id, ok: true, rows: [], rowCount: 0 });
      const commit = await decided;
      open.delete(txId);
      if (!commit) throw ROLLBACK;
    });
    // BEGIN itself failed: the callback never ran, so the main thread still waits for `begin`,
    // and no `end` will come to free the lane.
    done.catch((err: unknown) => {
      if (entered) return;
      fail(id, err);
      release(txId);
    });
  };

  const end = async (id: number, txId: number, commit: boolean) => {
    const t = open.get(txId);
    if (!t) return fail(id, new Error(`transaction ${txId} is not open`));
    t.finish(commit);
    try {
      await t.done;
      reply({ id, ok: true, rows: [], rowCount: 0 });
    } catch (err) {
      if (err === ROLLBACK) reply({ id, ok: true, rows: [], rowCount: 0 });
      else fail(id, err);
    }
  };

  /** Runs one request against PGlite and answers it. */
  const run = async (m: WorkerRequest): Promise<void> => {
    try {
      switch (m.op) {
        case 'query': {
          const res = await target(m.tx).query(m.sql, m.params as unknown[]);
          return reply({ id: m.id, ok: true, rows: res.rows, rowCount: res.affectedRows ?? 0 });
        }
        case 'copy': {
          // PGlite reads COPY input from a Blob mounted at /dev/blob.
          const blob = new Blob([m.bytes as unknown as ArrayBuffer]);
          const res = await target(m.tx).query(m.sql, [], { blob });
          return reply({ id: m.id, ok: true, rows: [], rowCount: res.affectedRows ?? 0 });
        }
        case 'begin':
          return begin(m.id, m.tx);
        case 'end':
          return await end(m.id, m.tx, m.commit);
        case 'close':
          await pg.close();
          reply({ id: m.id, ok: true, rows: [], rowCount: 0 });
          port.close();
          return;
        default:
          throw new Error(`unknown request ${JSON.stringify((m as { op?: unknown }).op)}`);
      }
    } catch (err) {
      fail(m.id, err);
    }
  };

  // PGlite runs one thing at a time, first come first served: a chart's query sent while the
  // sink has ten write transactions queued would wait for all ten. So the queue is kept here:
  // statements of the open transaction go at once; otherwise a single statement (a read, mostly)
  // goes before the next transaction, unless that transaction has waited longer than
  // TX_MAX_WAIT_MS (writes are never starved).
  const lane = { busy: false, tx: undefined as number | undefined };
  const waiting: Array<{ m: WorkerRequest; at: number }> = [];
  /** Transaction `txId` ended (or never began): the next request may go. */
  release = (txId: number): void => {
    if (lane.tx !== txId) return;
    lane.tx = undefined;
    lane.busy = false;
    next();
  };
  const next = (): void => {
    if (lane.busy || waiting.length === 0) return;
    const first = waiting[0] as { m: WorkerRequest; at: number };
    const overdue = first.m.op === 'begin' && performance.now() - first.at > TX_MAX_WAIT_MS;
    const single = overdue ? -1 : waiting.findIndex((w) => w.m.op !== 'begin');
    const [item] = waiting.splice(Math.max(single, 0), 1);
    const m = (item as { m: WorkerRequest }).m;
    lane.busy = true;
    if (m.op === 'begin') {
      lane.tx = m.tx;
      void run(m);
      return;
    }
    void run(m).finally(() => {
      lane.busy = false;
      next();
    });
  };
  port.on('message', (m: WorkerRequest) => {
    if (m.op !== 'begin' && m.op !== 'close' && m.tx !== undefined) {
      // A statement of a transaction: the lane is that transaction's until it ends.
      if (m.op !== 'end') return void run(m);
      return void run(m).finally(() => release(m.tx));
    }
    waiting.push({ m, at: performance.now() });
    next();
  });
  port.postMessage({ ready: true, ok: true } satisfies WorkerReady);
}

if (parentPort) void main(parentPort, workerData as WorkerInit);
