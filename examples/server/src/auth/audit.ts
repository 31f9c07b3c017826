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

/**
 * The audit log of changes, kept in the StateStore. Keys start with the zero-padded time so a
 * listing sorts chronologically; a random suffix keeps two entries of one millisecond apart.
 */
export class AuditLog {
  constructor(
    private readonly store: StateStore,
    private readonly now: () => number = Date.now,
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
  }

  /** Newest first. */
  async list(limit = 100, offset = 0): Promise<{ items: AuditEntry[]; total: number }> {
    const rows = await this.store.list<AuditEntry>(NS.audit);
    rows.sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
    return { items: rows.slice(offset, offset + limit).map((r) => r.value), total: rows.length };
  }
}
