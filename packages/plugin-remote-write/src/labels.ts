import { catalog, type Labels } from '@ispmonitor/core';
import type { WireLabel } from './proto.js';

/*
 * How names and labels become valid Prometheus names (documented in the README, tested in
 * test/labels.test.ts). Label names follow Prometheus' snake_case convention, by the same rule as
 * the server's `/metrics/devices` exposition, so one PromQL query or dashboard fits both; reading
 * back maps them to the names samples carry (`readBackLabels`).
 *
 * | input                                   | becomes                                         |
 * |-----------------------------------------|-------------------------------------------------|
 * | metric name char outside [A-Za-z0-9_:]  | `_`                                             |
 * | metric name starting with a digit       | `_` prefixed                                    |
 * | label name in camelCase                 | snake_case (`ifName` → `if_name`), lower case   |
 * | label name char outside [A-Za-z0-9_]    | `_`                                             |
 * | label name starting with a digit or `__`| `l_` prefixed (`__` is reserved to Prometheus)  |
 * | empty name                              | `_`                                             |
 * | a `__name__` label on a sample          | ignored: the sample's name is `__name__`        |
 * | label with an empty value               | left out (Prometheus reads empty as absent)     |
 * | two labels equal after sanitising       | one label, values joined by `;` in name order   |
 * | label values                            | kept as they are (UTF-8)                        |
 * | external label the series already has   | the series' own value wins                      |
 */

/** Most distinct names remembered; beyond it names are sanitised every time (never unbounded memory). */
const CACHE_LIMIT = 10_000;
const metricCache = new Map<string, string>();
const labelCache = new Map<string, string>();

function cached(cache: Map<string, string>, raw: string, make: (s: string) => string): string {
  const hit = cache.get(raw);
  if (hit !== undefined) return hit;
  const out = make(raw);
  if (cache.size < CACHE_LIMIT) cache.set(raw, out);
  return out;
}

function sanitiseMetric(raw: string): string {
  if (raw === '') return '_';
  const s = raw.replace(/[^A-Za-z0-9_:]/g, '_');
  return /^[0-9]/.test(s) ? `_${s}` : s;
}

function sanitiseLabel(raw: string): string {
  if (raw === '') return '_';
  const s = raw
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]/g, '_')
    .toLowerCase();
  return /^[0-9]/.test(s) || s.startsWith('__') ? `l_${s}` : s;
}

/** A metric name as Prometheus accepts it: `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
export function metricName(raw: string): string {
  return cached(metricCache, raw, sanitiseMetric);
}

/**
 * A label name as Prometheus accepts it and names it: snake_case `[a-z_][a-z0-9_]*`, not starting
 * with `__` (`ifName` → `if_name`, `if-alias` → `if_alias`, `9lives` → `l_9lives`).
 */
export function labelName(raw: string): string {
  return cached(labelCache, raw, sanitiseLabel);
}

/** Label names samples carry (`device` and the catalogue's), by the name they are written under. */
let known: Map<string, string> | undefined;
function knownNames(): Map<string, string> {
  if (known === undefined) {
    known = new Map();
    for (const def of Object.values(catalog)) for (const k of def.labels) known.set(labelName(k), k);
    known.set(labelName('device'), 'device');
  }
  return known;
}

/**
 * The labels of a series read back from a receiver, under the names samples carry: `if_name` is
 * `ifName` again. Names come back from `asked` (the labels the query matched on) and the metric
 * catalogue's labels; any other name (a driver's own camelCase label) stays as written, since
 * `if_name` could as well have been sent as `if_name`.
 */
export function readBackLabels(wire: Labels, asked: readonly string[] = []): Labels {
  const names = knownNames();
  const own = asked.length > 0 ? new Map(asked.map((k) => [labelName(k), k])) : undefined;
  const out: Labels = {};
  for (const [k, v] of Object.entries(wire)) out[own?.get(k) ?? names.get(k) ?? k] = v;
  return out;
}

/**
 * The wire labels of a series: `__name__`, the sample's labels and the external ones
 * the series lacks, sanitised, sorted by name (remote write requires it), empty values left out.
 */
export function seriesLabels(name: string, labels: Labels, external: Labels): WireLabel[] {
  const out = new Map<string, string>();
  const add = (raw: string, value: string, own: boolean) => {
    if (raw === '__name__' || value === '') return;
    const key = labelName(raw);
    const prev = out.get(key);
    if (prev === undefined) out.set(key, value);
    // Sanitising merged two of the series' own labels: keep both values, in name order.
    else if (own) out.set(key, `${prev};${value}`);
  };
  for (const k of Object.keys(labels).sort()) add(k, labels[k] as string, true);
  for (const k of Object.keys(external).sort()) add(k, external[k] as string, false);
  out.set('__name__', metricName(name));
  // Byte order, as remote write requires.
  const list: WireLabel[] = [];
  for (const key of [...out.keys()].sort()) list.push({ name: key, value: out.get(key) as string });
  return list;
}

/** FNV-1a over a string's UTF-16 code units, from `h`. */
function fnv(h: number, text: string): number {
  let x = h;
  for (let i = 0; i < text.length; i++) {
    x ^= text.charCodeAt(i);
    x = Math.imul(x, 0x01000193);
  }
  return x;
}
const FNV_BASIS = 0x811c9dc5;

/** Inserts a label in name order; false when the name is there already (two labels sanitised alike). */
function insertSorted(list: WireLabel[], name: string, value: string): boolean {
  let i = list.length;
  while (i > 0 && (list[i - 1] as WireLabel).name > name) i--;
  if (i > 0 && (list[i - 1] as WireLabel).name === name) return false;
  list.splice(i, 0, { name, value });
  return true;
}

/**
 * `seriesLabels` and a 32-bit hash of the series (its name and own labels, whatever their key
 * order) in one pass: the send path's per-sample work, kept to one small array and no sorting of
 * keys. Sanitising collisions (rare) take `seriesLabels`' general path.
 */
export function wireSeries(
  name: string,
  labels: Labels,
  external: Labels,
): { labels: WireLabel[]; hash: number } {
  let list: WireLabel[] = [{ name: '__name__', value: metricName(String(name)) }];
  let hash = fnv(FNV_BASIS, name);
  let collided = false;
  for (const k in labels) {
    const raw: unknown = labels[k];
    if (raw === undefined || raw === null || raw === '' || k === '__name__') continue;
    // A driver bug (a number as a label value) must not poison the request: sent as text.
    const value = typeof raw === 'string' ? raw : String(raw);
    // Summed, so the key order of the sample's labels does not matter.
    hash = (hash + fnv(fnv(FNV_BASIS, k) ^ 0xff, value)) | 0;
    if (!collided && !insertSorted(list, labelName(k), value)) collided = true;
  }
  if (collided) list = seriesLabels(name, labels, external);
  else {
    for (const k in external) {
      const value = external[k];
      if (value === undefined || value === '') continue;
      insertSorted(list, labelName(k), value);
    }
  }
  // murmur3's finaliser: nearby hashes land on different shards.
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return { labels: list, hash: h >>> 0 };
}
