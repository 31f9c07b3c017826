/**
 * The recorder's SQL: a flush writes the changes of many routers in a few statements per kind
 * (every value an array parameter, `unnest`), and a load reads the active rows of many routers
 * at once. Table and column names come from the kind specs (constants of ours), never input.
 */
import type { Queryable } from '../db/types.js';
import type { KindSpec } from './record-kinds.js';
import type { Live } from './record-state.js';

/** ms since the epoch (float8) → timestamptz, exact for whole milliseconds. */
const ts = (e: string) => `(timestamptz 'epoch' + (${e}) * interval '1 millisecond')`;
/** timestamptz → ms since the epoch. */
const msOf = (c: string) => `(extract(epoch FROM ${c}) * 1000)::float8`;
const OPEN = `coalesce(t.ended_at, 'infinity'::timestamptz) = 'infinity'::timestamptz`;
const ENDED = `coalesce(p.ended_at, 'infinity'::timestamptz) < 'infinity'::timestamptz`;

type Arr = { type: 'text' | 'float8'; name: string; values: unknown[] };

/** `unnest($1::text[], …) AS u(a, …)` and its parameters, numbered from `first`. */
function unnest(arrays: Arr[], first = 1): { sql: string; params: unknown[] } {
  const args = arrays.map((a, i) => `$${first + i}::${a.type}[]`).join(', ');
  return {
    sql: `unnest(${args}) AS u(${arrays.map((a) => a.name).join(', ')})`,
    params: arrays.map((a) => a.values),
  };
}

function keyJoin(spec: KindSpec, t: string): string {
  return spec.keys
    .map((c, i) =>
      c.nullable
        ? `coalesce(${t}.${c.name}, '') = coalesce(u.k${i}, '')`
        : `${t}.${c.name} = u.k${i}${c.inet ? '::inet' : ''}`,
    )
    .join(' AND ');
}

const attrExpr = (spec: KindSpec, i: number) => `u.a${i}${spec.attrs[i]?.inet ? '::inet' : ''}`;
function volExpr(spec: KindSpec, i: number): string {
  const c = spec.vols[i];
  if (c?.type === 'bigint') return `round(u.v${i})::bigint`;
  return c?.type === 'timestamptz' ? ts(`u.v${i}`) : `u.v${i}`;
}

type Item = [device: string, live: Live];

const keyArrays = (spec: KindSpec, items: Item[]): Arr[] => [
  { type: 'text', name: 'd', values: items.map(([d]) => d) },
  ...spec.keys.map((_, i) => ({
    type: 'text' as const,
    name: `k${i}`,
    values: items.map(([, l]) => l.keys[i]),
  })),
];
const attrArrays = (spec: KindSpec, items: Item[]): Arr[] =>
  spec.attrs.map((_, i) => ({
    type: 'text' as const,
    name: `a${i}`,
    values: items.map(([, l]) => l.attrs[i]),
  }));
const volArrays = (spec: KindSpec, items: Item[]): Arr[] =>
  spec.vols.map((_, i) => ({
    type: 'float8' as const,
    name: `v${i}`,
    values: items.map(([, l]) => l.vols[i] ?? null),
  }));
const volSets = (spec: KindSpec) => spec.vols.map((c, i) => `, ${c.name} = ${volExpr(spec, i)}`).join('');

/** The changes of one kind gathered from every router for one flush. */
export interface KindBatch {
  spec: KindSpec;
  inserts: Item[];
  ends: Item[];
  reopens: Item[];
  updates: Item[];
  /** Routers not loaded yet that went offline: all their open rows end as unreachable. */
  wideEnds: string[];
}

/** A router's last poll per kind (ms; null where the kind was not collected). */
export interface RouterPoll {
  device: string;
  at: Record<KindSpec['routerColumn'], number | null>;
}

const RECONNECT = (windowParam: number) => `EXISTS (SELECT 1 FROM ispm_pppoe_sessions p
   WHERE lower(p.username) = lower(u.k0) AND ${ENDED}
     AND coalesce(p.ended_at, 'infinity'::timestamptz) >= ${ts('u.st')} - $${windowParam} * interval '1 millisecond'
     AND p.started_at < ${ts('u.st')})`;

async function insert(
  tx: Queryable,
  spec: KindSpec,
  items: Item[],
  ended: boolean,
  windowMs: number,
  count: (device: string) => void,
): Promise<void> {
  if (items.length === 0) return;
  const arrays = [
    ...keyArrays(spec, items),
    ...attrArrays(spec, items),
    ...volArrays(spec, items),
    { type: 'float8' as const, name: 'st', values: items.map(([, l]) => l.start) },
    { type: 'float8' as const, name: 'ls', values: items.map(([, l]) => l.lastSeen) },
    ...(ended
      ? [
          { type: 'float8' as const, name: 'e', values: items.map(([, l]) => l.ended?.at ?? l.lastSeen) },
          { type: 'text' as const, name: 'r', values: items.map(([, l]) => l.ended?.reason ?? 'vanished') },
        ]
      : []),
  ];
  const u = unnest(arrays);
  const pppoe = spec.kind === 'pppoe';
  const cols = [
    'device',
    ...spec.keys.map((c) => c.name),
    ...spec.attrs.map((c) => c.name),
    ...spec.vols.map((c) => c.name),
    spec.startColumn,
    'last_seen',
    ...(ended ? ['ended_at', 'end_reason'] : []),
    ...(pppoe ? ['reconnect'] : []),
  ];
  const values = [
    'u.d',
    ...spec.keys.map((c, i) => `u.k${i}${c.inet ? '::inet' : ''}`),
    ...spec.attrs.map((_, i) => attrExpr(spec, i)),
    ...spec.vols.map((_, i) => volExpr(spec, i)),
    ts('u.st'),
    ts('u.ls'),
    ...(ended ? [ts('u.e'), 'u.r'] : []),
    ...(pppoe ? [RECONNECT(arrays.length + 1)] : []),
  ];
  const target = spec.keys.map((c) => (c.nullable ? `coalesce(${c.name}, '')` : c.name)).join(', ');
  const res = await tx.query<{ device: string; reconnect?: boolean }>(
    `INSERT INTO ${ended ? spec.table : `${spec.table}_open`} (${cols.join(', ')})
     SELECT ${values.join(', ')} FROM ${u.sql}
     ${ended ? '' : `ON CONFLICT (device, ${target}) DO NOTHING`}
     ${pppoe ? 'RETURNING device, reconnect' : ''}`,
    pppoe ? [...u.params, windowMs] : u.params,
  );
  for (const r of res.rows) if (r.reconnect) count(r.device);
}

async function ends(
  tx: Queryable,
  spec: KindSpec,
  items: Item[],
  windowMs: number,
  count: (d: string) => void,
) {
  if (items.length === 0) return;
  const u = unnest([
    ...keyArrays(spec, items),
    ...volArrays(spec, items),
    { type: 'float8', name: 'e', values: items.map(([, l]) => l.ended?.at) },
    { type: 'text', name: 'r', values: items.map(([, l]) => l.ended?.reason) },
    { type: 'float8', name: 'ls', values: items.map(([, l]) => l.lastSeen) },
  ]);
  await tx.query(
    `UPDATE ${spec.table} t SET ended_at = ${ts('u.e')}, end_reason = u.r, last_seen = ${ts('u.ls')}${volSets(spec)}
       FROM ${u.sql} WHERE ${OPEN} AND t.device = u.d AND ${keyJoin(spec, 't')}`,
    u.params,
  );
  if (spec.kind !== 'pppoe') return;
  // The same user's session that began before this one was seen to end (on another router, or
  // on this one within a poll) is a reconnect too.
  const res = await tx.query<{ device: string }>(
    `UPDATE ispm_pppoe_sessions t SET reconnect = true
       FROM unnest($1::text[], $2::float8[], $3::float8[]) AS u(n, s, e)
      WHERE ${OPEN} AND lower(t.username) = lower(u.n) AND NOT t.reconnect
        AND t.started_at > ${ts('u.s')} AND t.started_at <= ${ts('u.e')} + $4 * interval '1 millisecond'
      RETURNING t.device`,
    [
      items.map(([, l]) => l.keys[0]),
      items.map(([, l]) => l.start),
      items.map(([, l]) => l.ended?.at),
      windowMs,
    ],
  );
  for (const r of res.rows) count(r.device);
}

async function reopens(tx: Queryable, spec: KindSpec, items: Item[]) {
  if (items.length === 0) return;
  const u = unnest([
    ...keyArrays(spec, items),
    { type: 'float8', name: 'e', values: items.map(([, l]) => l.reopenFrom) },
    { type: 'float8', name: 'ls', values: items.map(([, l]) => l.lastSeen) },
  ]);
  await tx.query(
    `UPDATE ${spec.table} t SET ended_at = NULL, end_reason = NULL, last_seen = ${ts('u.ls')}
       FROM ${u.sql}
      WHERE coalesce(t.ended_at, 'infinity'::timestamptz) = ${ts('u.e')} AND t.device = u.d
        AND t.ended_at = ${ts('u.e')} AND t.end_reason = 'router unreachable' AND ${keyJoin(spec, 't')}
        AND NOT EXISTS (SELECT 1 FROM ${spec.table}_open o WHERE o.device = u.d AND ${keyJoin(spec, 'o')})`,
    u.params,
  );
}

async function updates(tx: Queryable, spec: KindSpec, items: Item[]) {
  if (items.length === 0) return;
  const u = unnest([
    ...keyArrays(spec, items),
    ...attrArrays(spec, items),
    ...volArrays(spec, items),
    { type: 'float8', name: 'ls', values: items.map(([, l]) => l.lastSeen) },
  ]);
  const attrs = spec.attrs.map((c, i) => `${c.name} = ${attrExpr(spec, i)}, `).join('');
  await tx.query(
    `UPDATE ${spec.table} t SET ${attrs}last_seen = ${ts('u.ls')}${volSets(spec)}
       FROM ${u.sql} WHERE ${OPEN} AND t.device = u.d AND ${keyJoin(spec, 't')}`,
    u.params,
  );
}

async function wideEnds(tx: Queryable, spec: KindSpec, devices: string[]) {
  if (devices.length === 0) return;
  await tx.query(
    `UPDATE ${spec.table} t SET end_reason = 'router unreachable',
            ended_at = greatest(t.last_seen, (SELECT r.${spec.routerColumn} FROM ispm_subscriber_routers r WHERE r.device = t.device))
      WHERE ${OPEN} AND t.device = ANY($1::text[])`,
    [devices],
  );
}

async function routers(tx: Queryable, polls: RouterPoll[]) {
  if (polls.length === 0) return;
  const cols = ['pppoe_at', 'dhcp_at', 'wireless_at', 'arp_at'] as const;
  await tx.query(
    `INSERT INTO ispm_subscriber_routers AS r (device, ${cols.join(', ')}, updated_at)
     SELECT u.d, ${cols.map((c) => ts(`u.${c}`)).join(', ')}, now()
       FROM unnest($1::text[], $2::float8[], $3::float8[], $4::float8[], $5::float8[]) AS u(d, ${cols.join(', ')})
     ON CONFLICT (device) DO UPDATE SET ${cols.map((c) => `${c} = greatest(r.${c}, excluded.${c})`).join(', ')},
       updated_at = excluded.updated_at`,
    [polls.map((p) => p.device), ...cols.map((c) => polls.map((p) => p.at[c]))],
  );
}

/**
 * Writes one flush in `tx`: router poll times, then per kind ends (and the reconnects they
 * reveal), reopens, rows that appeared and already ended, new rows (flagged as reconnects in
 * SQL, so it holds across routers, restarts and replicas), and updates. Calls `count` once per
 * reconnect found, with its router.
 */
export async function writeBatch(
  tx: Queryable,
  batches: KindBatch[],
  polls: RouterPoll[],
  windowMs: number,
  count: (device: string) => void,
): Promise<void> {
  await routers(tx, polls);
  for (const b of batches) {
    await wideEnds(tx, b.spec, b.wideEnds);
    await ends(tx, b.spec, b.ends, windowMs, count);
    await reopens(tx, b.spec, b.reopens);
    await insert(
      tx,
      b.spec,
      b.inserts.filter(([, l]) => l.ended),
      true,
      windowMs,
      count,
    );
    await insert(
      tx,
      b.spec,
      b.inserts.filter(([, l]) => !l.ended),
      false,
      windowMs,
      count,
    );
    await updates(tx, b.spec, b.updates);
  }
}

/** A stored row as loaded: its device and the parts of a `Live`. */
export interface LoadedRow {
  device: string;
  live: Omit<Live, 'gen'>;
}

const textOf = (c: { name: string; inet?: boolean }, t: string) =>
  c.inet ? `host(${t}.${c.name})` : `${t}.${c.name}`;

function selectList(spec: KindSpec, t: string): string {
  return [
    `${t}.device`,
    ...spec.keys.map((c, i) => `${textOf(c, t)} AS k${i}`),
    ...spec.attrs.map((c, i) => `${textOf(c, t)} AS a${i}`),
    ...spec.vols.map(
      (c, i) => `${c.type === 'timestamptz' ? msOf(`${t}.${c.name}`) : `${t}.${c.name}::float8`} AS v${i}`,
    ),
    `${msOf(`${t}.${spec.startColumn}`)} AS st`,
    `${msOf(`${t}.last_seen`)} AS ls`,
    `${msOf(`${t}.ended_at`)} AS e`,
  ].join(', ');
}

function toLoaded(spec: KindSpec, r: Record<string, unknown>): LoadedRow {
  const keys = spec.keys.map((_, i) => (r[`k${i}`] as string | null) ?? null);
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const e = num(r.e);
  return {
    device: String(r.device),
    live: {
      key: keys.map((k) => k ?? '').join('\u0001'),
      keys,
      attrs: spec.attrs.map((_, i) => (r[`a${i}`] as string | null) ?? null),
      start: Number(r.st),
      lastSeen: Number(r.ls),
      vols: spec.vols.map((_, i) => num(r[`v${i}`])),
      ended: e === null ? undefined : { at: e, reason: 'router unreachable' },
    },
  };
}

/** The open rows of `devices` of one kind, and those ended as unreachable at each router's last poll. */
export async function loadRows(
  db: Queryable,
  spec: KindSpec,
  devices: string[],
  lastPoll: Map<string, number>,
): Promise<{ open: LoadedRow[]; suspended: LoadedRow[] }> {
  const open = await db.query<Record<string, unknown>>(
    `SELECT ${selectList(spec, 't')} FROM ${spec.table}_open t WHERE t.device = ANY($1::text[])`,
    [devices],
  );
  const withPoll = devices.filter((d) => lastPoll.has(d));
  let suspended: LoadedRow[] = [];
  if (withPoll.length > 0) {
    const since = Math.min(...withPoll.map((d) => lastPoll.get(d) as number));
    const res = await db.query<Record<string, unknown>>(
      `SELECT ${selectList(spec, 't')} FROM ${spec.table} t
        WHERE coalesce(t.ended_at, 'infinity'::timestamptz) >= ${ts('$2')}
          AND coalesce(t.ended_at, 'infinity'::timestamptz) < 'infinity'::timestamptz
          AND t.device = ANY($1::text[]) AND t.end_reason = 'router unreachable'
          AND t.ended_at >= (SELECT r.${spec.routerColumn} FROM ispm_subscriber_routers r WHERE r.device = t.device)`,
      [withPoll, since],
    );
    suspended = res.rows.map((r) => toLoaded(spec, r));
  }
  return { open: open.rows.map((r) => toLoaded(spec, r)), suspended };
}

/** The routers' last polls per kind, as stored (by any replica). */
export async function loadPolls(db: Queryable, devices: string[]): Promise<RouterPoll[]> {
  const res = await db.query<Record<string, unknown>>(
    `SELECT device, ${msOf('pppoe_at')} AS pppoe_at, ${msOf('dhcp_at')} AS dhcp_at,
            ${msOf('wireless_at')} AS wireless_at, ${msOf('arp_at')} AS arp_at
       FROM ispm_subscriber_routers WHERE device = ANY($1::text[])`,
    [devices],
  );
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return res.rows.map((r) => ({
    device: String(r.device),
    at: {
      pppoe_at: n(r.pppoe_at),
      dhcp_at: n(r.dhcp_at),
      wireless_at: n(r.wireless_at),
      arp_at: n(r.arp_at),
    },
  }));
}

/** The oldest last seen among the open rows of `devices` (ms), or undefined when they have none. */
export async function oldestOpen(db: Queryable, devices: string[]): Promise<number | undefined> {
  const res = await db.query<{ t: number | null }>(
    `SELECT min(t) AS t FROM (${[
      'ispm_pppoe_sessions_open',
      'ispm_dhcp_leases_open',
      'ispm_wireless_clients_open',
      'ispm_arp_bindings_open',
    ]
      .map((table) => `SELECT ${msOf('min(last_seen)')} AS t FROM ${table} WHERE device = ANY($1::text[])`)
      .join(' UNION ALL ')}) x`,
    [devices],
  );
  const t = res.rows[0]?.t;
  return t === null || t === undefined ? undefined : Number(t);
}
