import type { DeviceState } from '@ispmonitor/core';
import type { Match, RouterHit } from '@ispmonitor/plugin-postgres';

// The search's hit shapes are the storage plugin's (it defines the router hit the server makes).
export type { Match, RouterHit };

/** Rank of a match, best first. */
export const MATCH_RANK: Record<Match, number> = { exact: 0, prefix: 1, substring: 2 };

/** The best way `needle` (lower-case) matches any of `fields`, or undefined. Plain text: no patterns. */
export function bestMatch(needle: string, fields: Array<string | undefined>): Match | undefined {
  let best: Match | undefined;
  for (const f of fields) {
    if (!f) continue;
    const v = f.toLowerCase();
    if (v === needle) return 'exact';
    if (v.startsWith(needle)) best = 'prefix';
    else if (best === undefined && v.includes(needle)) best = 'substring';
  }
  return best;
}

/**
 * Routers whose id, name, address or label values (site, role…) contain the text, best first:
 * exact, then prefix, then substring; within one, by name. A scan of the registry: at 10,000
 * routers it costs about a millisecond, and it needs no storage (a server without the Postgres
 * plugin still finds its routers).
 */
export function searchRouters(states: Iterable<DeviceState>, text: string, limit: number): RouterHit[] {
  const needle = text.toLowerCase();
  const hits: RouterHit[] = [];
  for (const s of states) {
    const d = s.device;
    const match = bestMatch(needle, [d.id, d.name, d.host, ...Object.values(d.labels ?? {})]);
    if (!match) continue;
    hits.push({
      kind: 'router',
      id: d.id,
      name: d.name ?? d.id,
      host: d.host,
      labels: { ...(d.labels ?? {}) },
      status: s.status,
      match,
    });
  }
  hits.sort((a, b) => MATCH_RANK[a.match] - MATCH_RANK[b.match] || a.name.localeCompare(b.name));
  return hits.slice(0, limit);
}

/**
 * Router hits merged into the store's hits, keeping the order by match (the store's order within
 * a rank; routers first among equals, since they are what a NOC engineer most often looks for).
 */
export function mergeHits<H extends { match: Match }>(routers: H[], others: H[], limit: number): H[] {
  const out: H[] = [];
  let i = 0;
  let j = 0;
  while (out.length < limit && (i < routers.length || j < others.length)) {
    const r = routers[i];
    const o = others[j];
    if (r && (!o || MATCH_RANK[r.match] <= MATCH_RANK[o.match])) {
      out.push(r);
      i++;
    } else if (o) {
      out.push(o);
      j++;
    }
  }
  return out;
}
