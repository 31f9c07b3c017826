import type { Queryable } from './db/types.js';
import type { PendingStatus } from './store.js';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Status transitions waiting to be stored. They are kept (up to `limit`, the oldest dropped and
 * counted beyond it) while the database is unreachable and written in order once it is back, so
 * an outage does not leave holes in availability reports.
 */
export class StatusQueue {
  #pending: PendingStatus[] = [];
  #flushing: Promise<void> | undefined;

  constructor(
    private readonly limit: number,
    private readonly onDrop: () => void,
  ) {}

  get size(): number {
    return this.#pending.length;
  }

  push(s: PendingStatus): void {
    this.#pending.push(s);
    while (this.#pending.length > this.limit) {
      this.#pending.shift();
      this.onDrop();
    }
  }

  /** Writes everything pending in one statement; on failure keeps it for the next try. Never throws. */
  flush(db: Queryable): Promise<void> {
    this.#flushing ??= (async () => {
      try {
        while (this.#pending.length > 0) {
          const batch = this.#pending.slice(0, 10_000);
          await db.query(
            `INSERT INTO ispm_device_status (device, ts, previous, status, reason)
             SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[])`,
            [
              batch.map((b) => b.device),
              batch.map((b) => iso(b.ts)),
              batch.map((b) => b.previous),
              batch.map((b) => b.status),
              batch.map((b) => (b.reason === undefined ? null : b.reason.slice(0, 500))),
            ],
          );
          this.#pending.splice(0, batch.length);
        }
      } catch {
        // Kept for the next flush (next event or maintenance round).
      }
    })().finally(() => {
      // Cleared after the assignment above (an empty queue finishes synchronously).
      this.#flushing = undefined;
    });
    return this.#flushing;
  }
}
