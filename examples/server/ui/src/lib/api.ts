import { normaliseAlert, normaliseSilence } from './alerts.js';
import type { Alert, Silence } from './types.js';

/** An API answer that was not 2xx. `status` 0 means the server could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

type Listener = () => void;
const unauthorised = new Set<Listener>();

/** Called whenever the session is gone (401), so the shell can show the login page. */
export function onUnauthorised(fn: Listener): void {
  unauthorised.add(fn);
}

/**
 * Calls the API with the session cookie. JSON in, JSON out; errors carry the server's message.
 * A 401 tells the shell to log in again (the session expired or was closed elsewhere).
 */
export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers:
        init.body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'the server cannot be reached');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    if (res.status === 401 && !path.endsWith('/auth/login')) for (const fn of unauthorised) fn();
    const b = body as { message?: string; error?: string } | undefined;
    throw new ApiError(res.status, b?.message ?? `${res.status} ${res.statusText}`, b?.error);
  }
  return body as T;
}

/**
 * Like `api`, for endpoints a server may not have (older server, no storage plugin): `undefined`
 * on 404/501 so the page shows what it can instead of an error.
 */
export async function optional<T>(path: string, signal?: AbortSignal): Promise<T | undefined> {
  try {
    return await api<T>(path, { signal });
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 501)) return undefined;
    throw err;
  }
}

/** A query string from defined values. */
export function qs(params: Record<string, string | number | boolean | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** Alerts (all, or by status), in the UI's shape whichever alerting the server runs. */
export function fetchAlerts(status?: 'firing' | 'resolved', signal?: AbortSignal): Promise<Alert[]> {
  // The shell's badge and the page usually ask at the same moment: one download serves both
  // (a network in trouble can have thousands of firing alerts).
  const key = status ?? 'all';
  let shared = inflight.get(key);
  if (!shared) {
    shared = api<{ items: unknown[] }>(`/api/v1/alerts${qs({ status })}`)
      .then((r) => (r.items ?? []).map(normaliseAlert))
      .finally(() => inflight.delete(key));
    inflight.set(key, shared);
  }
  if (!signal) return shared;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new DOMException('aborted', 'AbortError'));
    signal.addEventListener('abort', onAbort, { once: true });
    shared.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
const inflight = new Map<string, Promise<Alert[]>>();

/** Active and recent silences, or `undefined` when the alerting in use cannot silence. */
export async function fetchSilences(signal?: AbortSignal): Promise<Silence[] | undefined> {
  const r = await optional<{ items: unknown[] }>('/api/v1/silences', signal);
  return r ? (r.items ?? []).map(normaliseSilence) : undefined;
}
