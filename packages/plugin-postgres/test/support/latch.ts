import type { Db, Queryable } from '../../src/db/types.js';

/**
 * A promise a test opens by hand: one party waits on `reached`, the other calls `open()` when it
 * gets there (a transaction has taken its lock, a round has started, the gate may lift).
 */
export interface Latch<T = void> {
  readonly reached: Promise<T>;
  open(value: T): void;
}

/** A closed latch (Node 20 has no `Promise.withResolvers`). */
export function latch<T = void>(): Latch<T> {
  let open: (value: T) => void = () => {};
  const reached = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { reached, open };
}

/** A transaction held open by a test (`holdTransaction`). */
export interface HeldTransaction {
  /** Resolves once the transaction's first statements have run. */
  readonly entered: Promise<void>;
  /** Lets the transaction go on: it runs `ending`, then commits. */
  release(): void;
  /** The transaction, settled once it has committed (or failed). */
  readonly done: Promise<void>;
}

/**
 * Opens a transaction on `db` that runs `first`, then holds its locks and its place in the
 * queue until `release()`; `ending` runs in it just before it commits.
 */
export function holdTransaction(
  db: Db,
  first: (tx: Queryable) => Promise<unknown>,
  ending: () => void = () => {},
): HeldTransaction {
  const entered = latch();
  const released = latch();
  const done = db.transaction(async (tx) => {
    await first(tx);
    entered.open();
    await released.reached;
    ending();
  });
  return { entered: entered.reached, release: () => released.open(), done };
}
