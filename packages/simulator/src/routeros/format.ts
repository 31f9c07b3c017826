/** Value formats as RouterOS prints them on the API (all values are strings). */

/** Seconds → `1w1h10m14s` (RouterOS 6.x and 7.x duration form; `0s` for zero). */
export function formatRosDuration(seconds: number): string {
  let rest = Math.max(0, Math.floor(seconds));
  if (rest === 0) return '0s';
  let out = '';
  for (const [unit, size] of [
    ['w', 604_800],
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

/** Milliseconds since the epoch → `2024-10-19 21:54:32` (UTC). */
export function formatRosDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** A MAC address from a number, `00:11:22:33:44:55` style (upper case, as RouterOS prints). */
export function macOf(n: number, prefix = 0x4c5e0c): string {
  const key = prefix * 0x1000000 + (n & 0xffffff);
  let mac = macCache.get(key);
  if (mac === undefined) {
    mac = formatMac(key);
    // Bounded: a fleet repeats the same subscriber MACs on every router.
    if (macCache.size < 200_000) macCache.set(key, mac);
  }
  return mac;
}

const macCache = new Map<number, string>();

function formatMac(key: number): string {
  const hex = key.toString(16).padStart(12, '0').toUpperCase();
  return hex.match(/../g)?.join(':') ?? hex;
}

/** A deterministic pseudo-random integer in [0, range) from a seed and an index. */
export function hashInt(seed: number, i: number, range: number): number {
  let x = (seed * 0x9e3779b1 + i * 0x85ebca6b) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  return x % range;
}

/** `10.a.b.c` address for index `i` within a /8. */
export function ipOf(base: number, i: number): string {
  const n = i + 2;
  return `${base}.${(n >> 16) & 0xff}.${(n >> 8) & 0xff}.${n & 0xff}`;
}
