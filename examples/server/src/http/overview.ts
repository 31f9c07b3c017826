/**
 * `GET /api/v1/overview`: what the overview's first paint needs, in one request — routers per
 * status, the alert totals, and the few newest firing alerts (most severe first) — instead of
 * three requests, one of which downloaded every firing alert (4,500 alerts, 2.4 MB, at 10,000
 * routers) to show six.
 *
 * The answer is a snapshot taken at most once a second (`MAX_AGE_MS`), shared by every request
 * in between: counting thousands of alerts costs milliseconds, and a NOC has many screens on this
 * page. The event stream carries every change after it, as it did before.
 */
import type { FastifyInstance } from 'fastify';
import { type AlertCounts, alertState, countAlerts } from '../alerts/counts.js';

/** How old a snapshot may be before a request takes a new one. */
export const MAX_AGE_MS = 1000;
/** Newest firing alerts the answer lists. */
export const LATEST = 6;

const SEVERITIES = ['critical', 'error', 'warning', 'info'];
type Raw = { labels?: Record<string, string>; startsAt?: unknown; firedAt?: unknown; activeAt?: unknown };

/** Rank of an alert's severity (unknown ones last), as the console sorts them. */
const rank = (a: object) => {
  const i = SEVERITIES.indexOf((a as Raw).labels?.severity ?? '');
  return i === -1 ? SEVERITIES.length : i;
};
/** When an alert started firing, in whichever field its shape has it. */
const since = (a: object) => {
  const r = a as Raw;
  for (const v of [r.startsAt, r.firedAt, r.activeAt]) if (typeof v === 'number') return v;
  return 0;
};

/** The overview's answer. */
export interface Overview {
  /** When the snapshot was taken (ms). */
  at: number;
  routers: { total: number; counts: Record<string, number> };
  alerts: { counts: AlertCounts; latest: object[] };
}

/**
 * The `limit` most severe, newest first, of `firing`, in one pass (no sort of every alert): the
 * overview's feed.
 */
export function newestFiring(firing: readonly object[], limit = LATEST): object[] {
  const out: object[] = [];
  const before = (a: object, b: object) => rank(a) - rank(b) || since(b) - since(a);
  for (const a of firing) {
    if (alertState(a) !== 'firing') continue;
    if (out.length === limit && before(a, out[limit - 1] as object) >= 0) continue;
    let i = out.length;
    while (i > 0 && before(a, out[i - 1] as object) < 0) i--;
    out.splice(i, 0, a);
    if (out.length > limit) out.pop();
  }
  return out;
}

/**
 * A value taken by `take` at most once every `maxAgeMs`: requests in between share the last one,
 * and concurrent ones the one being taken.
 */
export function snapshotEvery<T extends { at: number }>(
  take: () => Promise<T>,
  maxAgeMs: number,
  now: () => number = Date.now,
): () => Promise<T> {
  let snapshot: T | undefined;
  let taking: Promise<T> | undefined;
  return () => {
    if (snapshot && now() - snapshot.at < maxAgeMs) return Promise.resolve(snapshot);
    taking ??= take()
      .then((s) => {
        snapshot = s;
        return s;
      })
      .finally(() => {
        taking = undefined;
      });
    return taking;
  };
}

/** Routes: `/api/v1/overview`. */
export async function overviewRoutes(app: FastifyInstance): Promise<void> {
  const take = async (): Promise<Overview> => {
    const at = Date.now();
    const counts: Record<string, number> = app.devices.counts();
    const [firing, pending] = await Promise.all([
      app.alerts.list({ status: 'firing' }),
      app.alerts.list({ status: 'pending' }),
    ]);
    return {
      at,
      routers: { total: Object.values(counts).reduce((a, b) => a + b, 0), counts },
      alerts: { counts: countAlerts([...firing, ...pending]), latest: newestFiring(firing) },
    };
  };

  const current = snapshotEvery(take, MAX_AGE_MS);
  app.get(
    '/api/v1/overview',
    {
      schema: {
        tags: ['overview'],
        summary:
          'Routers per status, alert totals and the newest firing alerts (most severe first), in one snapshot taken at most once a second',
      },
    },
    () => current(),
  );
}
