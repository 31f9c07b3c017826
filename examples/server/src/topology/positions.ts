import type { StateStore } from '@ispmonitor/core';
import { HttpError } from '../http/errors.js';

/** StateStore namespace of the graph positions operators dragged, one entry per account. */
export const POSITIONS_NS = 'server.topology-positions';

/** Most positions one account keeps (a node or a site each). */
export const MAX_POSITIONS = 20_000;
const MAX_KEY = 200;
const MAX_COORD = 1e7;

/** A position in the graph view's layout units. */
export interface Position {
  x: number;
  y: number;
}

/** What is stored per account. */
export interface SavedPositions {
  positions: Record<string, Position>;
  updatedAt: number;
}

/**
 * Checks a PUT body's `positions`: keys are node ids or `site:NAME`, values `{x, y}` with finite
 * numbers, or null to forget one. Throws a 400 naming the first bad entry.
 */
export function parsePositionsPatch(body: unknown): Map<string, Position | null> {
  const raw = (body as { positions?: unknown } | null)?.positions;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new HttpError(400, 'body must be {"positions": {"<node id>": {"x": number, "y": number} | null}}');
  }
  const out = new Map<string, Position | null>();
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key.length === 0 || key.length > MAX_KEY)
      throw new HttpError(400, `position key "${key.slice(0, 40)}" must be 1–${MAX_KEY} characters`);
    if (value === null) {
      out.set(key, null);
      continue;
    }
    const p = value as { x?: unknown; y?: unknown };
    const ok = (n: unknown): n is number =>
      typeof n === 'number' && Number.isFinite(n) && Math.abs(n) <= MAX_COORD;
    if (!p || typeof p !== 'object' || !ok(p.x) || !ok(p.y)) {
      throw new HttpError(
        400,
        `position "${key}" must be {"x": number, "y": number} with |x|,|y| ≤ ${MAX_COORD}`,
      );
    }
    out.set(key, { x: Math.round(p.x * 10) / 10, y: Math.round(p.y * 10) / 10 });
  }
  if (out.size > MAX_POSITIONS) throw new HttpError(400, `at most ${MAX_POSITIONS} positions at once`);
  return out;
}

/**
 * Graph positions per account in the StateStore (PostgreSQL with the storage plugin, so they
 * survive restarts and every API replica sees them). Writes of one account are serialised, so
 * two quick drags never lose each other's change.
 */
export class PositionStore {
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: StateStore,
    private readonly now: () => number = Date.now,
  ) {}

  async get(account: string): Promise<SavedPositions> {
    return (await this.store.get<SavedPositions>(POSITIONS_NS, account)) ?? { positions: {}, updatedAt: 0 };
  }

  /** Merges a patch (null removes an entry); refuses to grow past MAX_POSITIONS. */
  patch(account: string, patch: Map<string, Position | null>): Promise<SavedPositions> {
    return this.#serial(account, async () => {
      const current = await this.get(account);
      const positions = { ...current.positions };
      for (const [k, v] of patch) {
        if (v === null) delete positions[k];
        else positions[k] = v;
      }
      if (Object.keys(positions).length > MAX_POSITIONS) {
        throw new HttpError(400, `an account keeps at most ${MAX_POSITIONS} positions; reset some first`);
      }
      const saved = { positions, updatedAt: this.now() };
      await this.store.set(POSITIONS_NS, account, saved);
      return saved;
    });
  }

  /** Forgets every position of an account (back to the server's layout). */
  clear(account: string): Promise<void> {
    return this.#serial(account, () => this.store.delete(POSITIONS_NS, account));
  }

  #serial<T>(account: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#queues.get(account) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.#queues.set(account, tail);
    void tail.then(() => {
      if (this.#queues.get(account) === tail) this.#queues.delete(account);
    });
    return next;
  }
}
