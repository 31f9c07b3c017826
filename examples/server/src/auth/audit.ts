import { randomBytes } from 'node:crypto';
import type { StateStore } from '@ispmonitor/core';
import { NS } from '../state-store.js';

/** One change: who did what to which object, and when. */
export interface AuditEntry {
  at: number;
  actor: string;
  action: string;
  target: string;
  /** What changed (never secrets: callers pass redacted details). */
  details?: Record<string, unknown>;
}

/** An entry as listed: with its id, which is also the cursor of the page after it. */
export type ListedAuditEntry = AuditEntry & { id: string };

/** How much of the log is kept. */
export interface AuditRetention {
  /** Entries kept; the oldest go first. */
  maxRows: number;
  /** Days an entry is kept. */
  maxAgeDays: number;
}

/** Records between two trims besides the hourly one: a burst cannot outgrow the cap for long. */
const TRIM_EVERY = 500;
/** Largest page. */
export const MAX_AUDIT_PAGE = 1000;

const byKeyDesc = (a: { key: string }, b: { key: string }) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0);

/**
 * The audit log of changes, kept in the StateStore. Keys start with the zero-padded time so a
 * listing sorts chronologically; a random suffix keeps two entries of one millisecond apart.
 * Retention (`trim`) keeps it bounded: the StateStore lists a namespace whole, so the cap is
 * also what one page costs to read.
 */
export class AuditLog {
  #sinceTrim = 0;
  #trimming: Promise<number> | undefined;

  constructor(
    private readonly store: StateStore,
    private readonly now: () => number = Date.now,
    private readonly retention: AuditRetention = { maxRows: 50_000, maxAgeDays: 365 },
  ) {}

  async record(
    actor: string,
    action: string,
    target: string,
    details?: Record<string, unknown>,
  ): Promise<void> {
    const at = this.now();
    const entry: AuditEntry = { at, actor, action, target, ...(details ? { details } : {}) };
    await this.store.set(
      NS.audit,
      `${String(at).padStart(15, '0')}-${randomBytes(4).toString('hex')}`,
      entry,
    );
    if (++this.#sinceTrim >= TRIM_EVERY) void this.trim().catch(() => undefined);
  }

  /** Newest first, by page number (the older API; prefer `page` with a cursor). */
  async list(limit = 100, offset = 0): Promise<{ items: ListedAuditEntry[]; total: number }> {
    const rows = await this.store.list<AuditEntry>(NS.audit);
    rows.sort(byKeyDesc);
    return { items: rows.slice(offset, offset + limit).map(listed), total: rows.length };
  }

  /**
   * Newest first, `limit` entries older than `cursor` (an entry's id; none: from the newest).
   * `nextCursor` is absent on the last page. A cursor stays valid while entries are added.
   */
  async page(limit: number, cursor?: string): Promise<{ items: ListedAuditEntry[]; nextCursor?: string }> {
    const rows = await this.store.list<AuditEntry>(NS.audit);
    rows.sort(byKeyDesc);
    const older = cursor === undefined ? rows : rows.filter((r) => r.key < cursor);
    const items = older.slice(0, Math.min(limit, MAX_AUDIT_PAGE)).map(listed);
    const last = items[items.length - 1];
    return older.length > items.length && last ? { items, nextCursor: last.id } : { items };
  }

  /**
   * Deletes entries older than `maxAgeDays` and the oldest beyond `maxRows`; returns how many.
   * Runs one at a time (the hourly timer and the record counter may both ask).
   */
  trim(): Promise<number> {
    this.#sinceTrim = 0;
    this.#trimming ??= (async () => {
      try {
        const rows = await this.store.list<AuditEntry>(NS.audit);
        rows.sort(byKeyDesc);
        const cutoff = this.now() - this.retention.maxAgeDays * 86_400_000;
        const drop = rows.filter((r, i) => i >= this.retention.maxRows || r.value.at < cutoff);
        for (const r of drop) await this.store.delete(NS.audit, r.key);
        return drop.length;
      } finally {
        this.#trimming = undefined;
      }
    })();
    return this.#trimming;
  }
}

const listed = (r: { key: string; value: AuditEntry }): ListedAuditEntry => ({ id: r.key, ...r.value });

/** How long one address's failed logins with unknown user names share one audit entry. */
const ANONYMOUS_WINDOW_MS = 3_600_000;
/** Addresses remembered; past it the oldest are forgotten (they may then record once more). */
const ANONYMOUS_ADDRESSES = 10_000;

/**
 * Failed logins with a user name that does not exist: anyone can send them, so each one must not
 * become an audit entry. The first from an address in an hour is recorded (with the name tried);
 * the rest of that hour are counted and recorded with the next one. Per process: with several API
 * replicas each records at most one per address per hour.
 */
export class AnonymousFailures {
  readonly #seen = new Map<string, { at: number; more: number }>();

  constructor(
    private readonly audit: AuditLog,
    private readonly now: () => number = Date.now,
  ) {}

  /** Notes one failure; records it when it is the first from `address` in the window. */
  async failed(address: string, username: string): Promise<void> {
    const now = this.now();
    const seen = this.#seen.get(address);
    if (seen && now - seen.at < ANONYMOUS_WINDOW_MS) {
      seen.more++;
      return;
    }
    this.#seen.delete(address);
    if (this.#seen.size >= ANONYMOUS_ADDRESSES) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    this.#seen.set(address, { at: now, more: 0 });
    await this.audit.record('anonymous', 'auth.login.failed.unknown-user', address, {
      username: username.slice(0, 64),
      ...(seen?.more ? { earlierUnrecorded: seen.more } : {}),
    });
  }
}
