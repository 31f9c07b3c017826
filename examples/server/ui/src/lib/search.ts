// The global search's logic without the DOM (unit-tested in Node): what may be sent, how hits are
// grouped, where each opens and the one line that says where the thing is now.

import { formatAgo, formatDuration } from './format.js';
import type { HitKind, SearchHit } from './subscriber-types.js';

/** Longest query the server accepts (after trimming). */
export const MAX_QUERY = 200;

/** The hits of one kind. */
type HitOf<K extends HitKind> = Extract<SearchHit, { kind: K }>;

/** What the box shows of a hit of one kind: its group's heading, the page it opens, its main text. */
interface KindView<K extends HitKind> {
  group: string;
  href: (hit: HitOf<K>) => string;
  title: (hit: HitOf<K>) => string;
}

/** A path segment, encoded (user names may hold `/`, `#`, `?` or spaces). */
const seg = (v: string) => encodeURIComponent(v);

/** Each kind's view, in the order the groups are listed. */
const KINDS: { [K in HitKind]: KindView<K> } = {
  router: { group: 'Routers', href: (h) => `/routers/${seg(h.id)}`, title: (h) => h.name },
  subscriber: { group: 'Subscribers', href: (h) => `/subscribers/${seg(h.user)}`, title: (h) => h.user },
  ip: { group: 'IP addresses', href: (h) => `/ips/${seg(h.ip)}`, title: (h) => h.ip },
  mac: { group: 'MAC addresses', href: (h) => `/macs/${seg(h.mac)}`, title: (h) => h.mac },
  interface: { group: 'Interfaces', href: (h) => `/routers/${seg(h.router)}`, title: (h) => h.name },
};

/** How to show one hit. (TypeScript cannot tie `KINDS[hit.kind]` to `hit`'s own kind: hence the cast.) */
const viewOf = (hit: SearchHit) =>
  KINDS[hit.kind] as unknown as { href: (hit: SearchHit) => string; title: (hit: SearchHit) => string };

const KIND_ORDER = Object.keys(KINDS) as HitKind[];

/** Groups in the order they are listed, with their headings. */
export const GROUPS: Array<{ kind: HitKind; title: string }> = KIND_ORDER.map((kind) => ({
  kind,
  title: KINDS[kind].group,
}));

/**
 * What the box may send: the trimmed text, or why nothing is sent (empty, too long, control
 * characters). Checking here saves a round trip the server would answer with a 400.
 */
export function checkQuery(raw: string): { q: string } | { skip: 'empty' | 'too long' | 'invalid' } {
  const q = raw.trim();
  if (!q) return { skip: 'empty' };
  if (q.length > MAX_QUERY) return { skip: 'too long' };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
  if (/[\u0000-\u001f\u007f]/.test(q)) return { skip: 'invalid' };
  return { q };
}

/** Hits by kind, groups in `GROUPS` order, each group keeping the server's order (best first). */
export function groupHits(hits: SearchHit[]): Array<{ kind: HitKind; title: string; hits: SearchHit[] }> {
  return GROUPS.map((g) => ({ ...g, hits: hits.filter((h) => h.kind === g.kind) })).filter(
    (g) => g.hits.length > 0,
  );
}

/** The page a hit opens. */
export function hitHref(hit: SearchHit): string {
  return viewOf(hit).href(hit);
}

/** The hit's main text (what was found). */
export function hitTitle(hit: SearchHit): string {
  return viewOf(hit).title(hit);
}

/** "on R since 3h" for something active, "last seen 2d ago on R" for the past. */
function when(active: boolean, router: string, since: number, lastSeen: number, now: number): string {
  return active
    ? `on ${router} for ${formatDuration((now - since) / 1000)}`
    : `last seen ${formatAgo(lastSeen, now)} on ${router}`;
}

const SOURCE: Record<string, string> = {
  pppoe: 'PPPoE',
  dhcp: 'DHCP',
  wireless: 'wireless',
  arp: 'ARP',
  interface: 'interface',
};

/** One line under the hit: where it is now, or when and where it was last seen. */
export function hitWhere(hit: SearchHit, now = Date.now()): string {
  switch (hit.kind) {
    case 'router':
      return [hit.host, hit.labels.site, hit.labels.role].filter(Boolean).join(' · ');
    case 'interface':
      return [`on ${hit.router}`, hit.alias ?? hit.description, hit.mac].filter(Boolean).join(' · ');
    case 'subscriber':
      return [
        when(hit.active, hit.router, hit.since, hit.lastSeen, now),
        // RouterOS names PPP interfaces `<pppoe-USER>`: only an interface that says more is shown.
        hit.active && hit.interface !== `<pppoe-${hit.user}>` ? hit.interface : null,
        hit.address,
        hit.mac,
      ]
        .filter(Boolean)
        .join(' · ');
    case 'ip':
      return [
        SOURCE[hit.source],
        hit.user ?? hit.hostName,
        // A router's own address: which interface holds it (a PPP session's repeats the user).
        hit.source === 'interface' ? hit.interface : null,
        hit.mac,
        when(hit.active, hit.router, hit.since, hit.lastSeen, now),
      ]
        .filter(Boolean)
        .join(' · ');
    case 'mac':
      return [
        SOURCE[hit.source],
        hit.user,
        hit.address,
        hit.interface,
        when(hit.active, hit.router, hit.since, hit.lastSeen, now),
      ]
        .filter(Boolean)
        .join(' · ');
  }
}

/** Whether the thing a hit names is there now (`undefined`: the hit kind has no such notion). */
export function hitState(hit: SearchHit): 'up' | 'down' | 'active' | 'past' | string | undefined {
  switch (hit.kind) {
    case 'router':
      return hit.status;
    case 'interface':
      return hit.operUp === null ? undefined : hit.operUp ? 'up' : 'down';
    default:
      return hit.active ? 'active' : 'past';
  }
}

/** A stable key for a hit (list item ids, de-duplication). */
export function hitKey(hit: SearchHit): string {
  switch (hit.kind) {
    case 'router':
      return `router:${hit.id}`;
    case 'interface':
      return `interface:${hit.router}:${hit.index}`;
    case 'subscriber':
      return `subscriber:${hit.user}`;
    case 'ip':
      return `ip:${hit.ip}:${hit.router}:${hit.source}${hit.source === 'interface' ? `:${hit.interface}` : ''}`;
    case 'mac':
      return `mac:${hit.mac}:${hit.router}:${hit.source}`;
  }
}

/** Whether a key press should focus the search: `/` outside text fields, Ctrl+K or Cmd+K anywhere. */
export function isSearchShortcut(
  e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean },
  inTextField: boolean,
): boolean {
  if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') return true;
  return e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey && !inTextField;
}
