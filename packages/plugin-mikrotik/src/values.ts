/**
 * Parsers of RouterOS value formats. Every value arrives as a string on the API; each parser is
 * a small pure function that returns `undefined` for text it does not recognise (never throws,
 * never guesses).
 */

const DIGIT_0 = 48;
const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * A RouterOS duration in seconds: `1w1h10m14s`, `21m57s`, `150ms`, `10us`, and the clock forms of
 * older versions, `00:05:10`, `1d00:00:01`, `2w3d04:05:06` (a clock only as the last part).
 * Fractions are kept (`1.5s`). A scanner rather than regular expressions: it runs for every
 * session and lease of every poll (8,000 on a BNG).
 */
export function parseDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const s = text.trim();
  const n = s.length;
  if (n === 0) return undefined;
  let total = 0;
  let i = 0;
  while (i < n) {
    const start = i;
    let value = 0;
    for (let c = s.charCodeAt(i); i < n && isDigit(c); c = s.charCodeAt(++i))
      value = value * 10 + (c - DIGIT_0);
    if (i === start) return undefined;
    if (s.charCodeAt(i) === 58 /* : */) return clock(s, i, total + value * 3600);
    if (s.charCodeAt(i) === 46 /* . */) {
      let scale = 0.1;
      const fracStart = ++i;
      for (let c = s.charCodeAt(i); i < n && isDigit(c); c = s.charCodeAt(++i)) {
        value += (c - DIGIT_0) * scale;
        scale /= 10;
      }
      if (i === fracStart) return undefined;
    }
    const unit = s.charCodeAt(i);
    const next = s.charCodeAt(i + 1);
    let factor: number;
    if (unit === 109 /* m */ && next === 115 /* s */) {
      factor = 1e-3;
      i += 2;
    } else if (unit === 117 /* u */ && next === 115) {
      factor = 1e-6;
      i += 2;
    } else {
      factor = UNIT_SECONDS[unit] ?? 0;
      if (factor === 0) return undefined;
      i += 1;
    }
    total += value * factor;
  }
  return Math.round(total * 1e6) / 1e6;
}

/** Seconds of each one-letter unit, by character code (w, d, h, m, s). */
const UNIT_SECONDS: Record<number, number> = { 119: 604_800, 100: 86_400, 104: 3_600, 109: 60, 115: 1 };

/** The rest of `HH:MM:SS(.frac)` from the first `:` at `i`, added to `total`; the end of the text. */
function clock(s: string, i: number, total: number): number | undefined {
  const two = (at: number) => {
    const a = s.charCodeAt(at);
    const b = s.charCodeAt(at + 1);
    return isDigit(a) && isDigit(b) ? (a - DIGIT_0) * 10 + (b - DIGIT_0) : -1;
  };
  const mm = s.charCodeAt(i) === 58 ? two(i + 1) : -1;
  const ss = s.charCodeAt(i + 3) === 58 ? two(i + 4) : -1;
  if (mm < 0 || ss < 0) return undefined;
  let out = total + mm * 60 + ss;
  let j = i + 6;
  if (j < s.length) {
    if (s.charCodeAt(j) !== 46) return undefined;
    let scale = 0.1;
    const fracStart = ++j;
    for (; j < s.length && isDigit(s.charCodeAt(j)); j++) {
      out += (s.charCodeAt(j) - DIGIT_0) * scale;
      scale /= 10;
    }
    if (j === fracStart || j !== s.length) return undefined;
  }
  return Math.round(out * 1e6) / 1e6;
}

/** `true`/`yes` → true, `false`/`no` → false, anything else undefined. */
export function parseBool(text: string | undefined): boolean | undefined {
  switch (text) {
    case 'true':
    case 'yes':
      return true;
    case 'false':
    case 'no':
      return false;
    default:
      return undefined;
  }
}

const INTEGER = /^-?\d+$/;

/**
 * An integer counter, exact: a `number` up to 2^53, a `bigint` beyond (64-bit byte counters of a
 * busy uplink do get there).
 */
export function parseCounter(text: string | undefined): number | bigint | undefined {
  if (text === undefined || !INTEGER.test(text)) return undefined;
  if (text.length < 16) return Number(text);
  const big = BigInt(text);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= -BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(big)
    : big;
}

/** A plain decimal number (`24.1`, `-3`, `0`). */
export function parseNumber(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+(\.\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/**
 * A pair such as `tx-bytes`/`bytes` of a registration table (`123,456`) or a simple queue's
 * `bytes` (`upload/download`, `123/456`). Returns both sides as exact counters.
 */
export function parsePair(text: string | undefined): [number | bigint, number | bigint] | undefined {
  if (text === undefined) return undefined;
  const sep = text.includes(',') ? ',' : '/';
  const parts = text.split(sep);
  if (parts.length !== 2) return undefined;
  const a = parseCounter(parts[0]);
  const b = parseCounter(parts[1]);
  return a === undefined || b === undefined ? undefined : [a, b];
}

/**
 * A signal strength, `-62`, `-62@6Mbps` (v6 wireless) or `-62@HT20-7` (MCS index): the dBm
 * value and, when present, what follows the `@`.
 */
export function parseSignal(text: string | undefined): { dbm: number; at?: string } | undefined {
  if (text === undefined) return undefined;
  const m = /^(-?\d+(?:\.\d+)?)(?:dBm)?(?:@(.+))?$/.exec(text.trim());
  if (!m) return undefined;
  return m[2] === undefined ? { dbm: Number(m[1]) } : { dbm: Number(m[1]), at: m[2] };
}

const RATE_UNITS: Record<string, number> = { bps: 1, kbps: 1e3, Kbps: 1e3, Mbps: 1e6, Gbps: 1e9 };

/**
 * A link rate in bits per second: `6Mbps`, `1Gbps`, `866.6Mbps-80MHz/2S/SGI`, `54Mbps-20MHz/1S`,
 * `HT20-7` has no rate and gives undefined.
 */
export function parseRate(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(bps|kbps|Kbps|Mbps|Gbps)(?:[-/].*)?$/.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (RATE_UNITS[m[2] as string] as number));
}

/** A RouterOS internal id, `*1A` → 26. */
export function parseId(text: string | undefined): number | undefined {
  if (text === undefined || !/^\*[0-9A-Fa-f]+$/.test(text)) return undefined;
  return Number.parseInt(text.slice(1), 16);
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
};

/**
 * A number with the suffixes RouterOS prints: binary sizes (`64.0MiB`, `1024KiB`) and decimal
 * multipliers of rates and limits (`10M`, `1.5k`, `1G`). Plain integers pass through.
 */
export function parseSize(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)\s?(B|KiB|MiB|GiB|TiB|k|K|M|G|T)?$/.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (SIZE_UNITS[m[2] ?? ''] as number));
}

/** The leading `major.minor` of a version string: `7.16 (stable)` → `{ major: 7, minor: 16 }`. */
export function parseVersion(
  text: string | undefined,
): { major: number; minor: number; patch: number } | undefined {
  const m = text === undefined ? null : /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}
