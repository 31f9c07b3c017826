// The router page's first requests, sent as soon as the bundle runs when the address is a
// router page: in parallel with the session check (`/auth/me`) and the shell's first layout,
// instead of after them. The page takes each answer once, as if it had asked itself.

import { api } from '../lib/api.js';

/** An answer is taken only this soon after it was asked for (an older one is asked again). */
const FRESH_MS = 5_000;

const waiting = new Map<string, { at: number; answer: Promise<unknown> }>();

/** Starts `GET path` now, for `take(path)` to pick up; a failure is left to the page to see. */
export function prefetch(path: string): void {
  if (waiting.has(path)) return;
  const answer = api<unknown>(path);
  // Nobody may take it (signed out: the login page shows instead): no unhandled rejection.
  answer.catch(() => undefined);
  waiting.set(path, { at: performance.now(), answer });
}

/**
 * The answer prefetched for exactly `path`, once, while fresh; else a new request. A request
 * the page aborts stops waiting for it (the prefetch itself runs to its end, unread).
 */
export function take<T>(path: string, signal?: AbortSignal): Promise<T> {
  const hit = waiting.get(path);
  waiting.delete(path);
  if (!hit || performance.now() - hit.at > FRESH_MS || signal?.aborted) return api<T>(path, { signal });
  if (!signal) return hit.answer as Promise<T>;
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(new DOMException('The page left', 'AbortError'));
    signal.addEventListener('abort', stop, { once: true });
    (hit.answer as Promise<T>).then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}
