/**
 * What a search text means as a MAC or an IP address. Pure functions, no SQL: the queries turn
 * the results into bound parameters (12-hex strings, inet bounds), never into SQL text.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** A MAC in any common notation, as lower-case hex digits: all 12, or a prefix of them. */
export interface MacTerm {
  hex: string;
  full: boolean;
}

/** An inclusive range of addresses of one family, as inet text (each bound a host address). */
export type IpRange = readonly [lo: string, hi: string];

/** An IP search term: one address, or ranges (a CIDR block is one range, a textual prefix up to four). */
export type IpTerm =
  | { kind: 'exact'; family: 4 | 6; address: string }
  | { kind: 'range'; family: 4 | 6; ranges: IpRange[] };

const HEX = /^[0-9a-f]+$/;
/** Bare hex shorter than this is not taken as a MAC (it is as likely a user name or a number). */
const MIN_BARE_HEX = 4;

/**
 * Reads a MAC, or the start of one, in any notation: `AA:BB:CC:DD:EE:FF`, `aa-bb-…`,
 * `aabb.ccdd.eeff` (Cisco), bare hex, and `0:1b:…` (single-digit groups, as BSD prints them,
 * when all six groups are there). A prefix may end in a separator or a partial group. Undefined
 * when the text is not one.
 */
export function parseMac(input: string): MacTerm | undefined {
  const s = input.trim().toLowerCase();
  if (s.length === 0 || s.length > 17) return undefined;
  if (HEX.test(s)) {
    return s.length >= MIN_BARE_HEX && s.length <= 12 ? { hex: s, full: s.length === 12 } : undefined;
  }
  const sep = /[:-]/.exec(s)?.[0];
  if (sep !== undefined && !s.includes('.')) {
    if (s.includes(sep === ':' ? '-' : ':')) return undefined;
    const groups = s.split(sep);
    if (groups[groups.length - 1] === '') groups.pop();
    if (groups.length === 0 || groups.length > 6 || !groups.every((g) => /^[0-9a-f]{1,2}$/.test(g)))
      return undefined;
    if (groups.length === 6) return { hex: groups.map((g) => g.padStart(2, '0')).join(''), full: true };
    // In a prefix only the last group may be short: `a:b` could be `0a:0b` or `a…`.
    if (groups.slice(0, -1).some((g) => g.length !== 2)) return undefined;
    const hex = groups.join('');
    return hex.length >= 2 ? { hex, full: false } : undefined;
  }
  if (s.includes('.') && sep === undefined) {
    const groups = s.split('.');
    if (groups[groups.length - 1] === '') groups.pop();
    if (groups.length === 0 || groups.length > 3 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g)))
      return undefined;
    if (groups.slice(0, -1).some((g) => g.length !== 4) || (groups[0] ?? '').length !== 4) return undefined;
    const hex = groups.join('');
    return { hex, full: hex.length === 12 };
  }
  return undefined;
}

/** A whole MAC in any notation as 12 lower-case hex digits; undefined when it is not a whole MAC. */
export function normaliseMac(input: string): string | undefined {
  const m = parseMac(input);
  return m?.full ? m.hex : undefined;
}

/** `aa:bb:cc:dd:ee:ff` from 12 hex digits (anything else is returned as it is). */
export function formatMac(hex: string): string {
  return /^[0-9a-f]{12}$/.test(hex) ? (hex.match(/../g) as string[]).join(':') : hex;
}

// --- IP addresses as integers ---------------------------------------------------------------------

const BITS = { 4: 32, 6: 128 } as const;

function v4ToBig(s: string): bigint {
  return s.split('.').reduce((n, o) => (n << 8n) | BigInt(Number(o)), 0n);
}

function v6ToBig(s: string): bigint {
  let text = s;
  // An embedded IPv4 tail (`::ffff:10.0.0.1`) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const n = v4ToBig(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((n, g) => (n << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

function bigToIp(n: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((n >> s) & 0xffffn).toString(16));
  return groups.join(':');
}

/** The range of a block: `base` with its low `hostBits` bits all 0, then all 1. */
function block(base: bigint, hostBits: number, family: 4 | 6): IpRange {
  const mask = (1n << BigInt(hostBits)) - 1n;
  const lo = base & ~mask;
  return [bigToIp(lo, family), bigToIp(lo | mask, family)];
}

/**
 * The runs of values of one field (0..max) whose text starts with `prefix`: for IPv4 octets in
 * decimal (`1` → 1, 10–19, 100–199), for IPv6 groups in hex without leading zeros.
 */
function fieldRuns(prefix: string, radix: 10 | 16, max: number): Array<[number, number]> {
  const first = Number.parseInt(prefix, radix);
  if (!Number.isFinite(first) || first > max) return [];
  // A leading zero is only ever the whole field.
  if (prefix.length > 1 && prefix.startsWith('0')) return [];
  if (first === 0) return [[0, 0]];
  const runs: Array<[number, number]> = [];
  for (let scale = 1; first * scale <= max; scale *= radix) {
    runs.push([first * scale, Math.min(max, (first + 1) * scale - 1)]);
  }
  return runs;
}

function v4Prefix(s: string): IpTerm | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){0,2}(\.\d{0,3})?$/.test(s)) return undefined;
  const parts = s.split('.');
  const last = parts.pop() as string;
  const whole = parts.map(Number);
  if (
    whole.some((o, i) => o > 255 || ((parts[i] as string).length > 1 && (parts[i] as string).startsWith('0')))
  )
    return undefined;
  const base = whole.reduce((n, o) => (n << 8n) | BigInt(o), 0n);
  const done = whole.length;
  if (last === '') {
    if (done === 0) return undefined;
    return { kind: 'range', family: 4, ranges: [block(base << BigInt(8 * (4 - done)), 8 * (4 - done), 4)] };
  }
  const runs = fieldRuns(last, 10, 255);
  if (runs.length === 0) return undefined;
  const hostBits = 8 * (3 - done);
  const ranges = runs.map(([a, b]): IpRange => {
    const lo = ((base << 8n) | BigInt(a)) << BigInt(hostBits);
    const hi = (((base << 8n) | BigInt(b)) << BigInt(hostBits)) | ((1n << BigInt(hostBits)) - 1n);
    return [bigToIp(lo, 4), bigToIp(hi, 4)];
  });
  return { kind: 'range', family: 4, ranges };
}

function v6Prefix(s: string): IpTerm | undefined {
  // `2001:db8::` is an address, but typed into a search box it means the network before `::`.
  if (s.endsWith('::') && isIPv6(s) && s.indexOf('::') === s.length - 2) {
    const groups = s
      .slice(0, -2)
      .split(':')
      .filter((g) => g !== '');
    if (groups.length === 0) return undefined;
    const base = groups.reduce((n, g) => (n << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
    const host = 16 * (8 - groups.length);
    return { kind: 'range', family: 6, ranges: [block(base << BigInt(host), host, 6)] };
  }
  if (!/^[0-9a-f]{1,4}(:[0-9a-f]{0,4}){1,7}$/.test(s) || s.includes('::')) return undefined;
  const parts = s.split(':');
  const last = parts.pop() as string;
  const base = parts.reduce((n, g) => (n << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
  const done = parts.length;
  if (last === '') {
    const host = 16 * (8 - done);
    return { kind: 'range', family: 6, ranges: [block(base << BigInt(host), host, 6)] };
  }
  const hostBits = BigInt(16 * (7 - done));
  const ranges = fieldRuns(last, 16, 0xffff).map(([a, b]): IpRange => {
    const lo = ((base << 16n) | BigInt(a)) << hostBits;
    const hi = (((base << 16n) | BigInt(b)) << hostBits) | ((1n << hostBits) - 1n);
    return [bigToIp(lo, 6), bigToIp(hi, 6)];
  });
  return ranges.length > 0 ? { kind: 'range', family: 6, ranges } : undefined;
}

/**
 * Reads an IP search term: an exact IPv4 or IPv6 address, a CIDR block (`10.1.0.0/16`,
 * `2001:db8::/32`; host bits are ignored), or the start of an address as typed (`10.1.`, `10.1`,
 * `2001:db8:`). Undefined when the text is none of these.
 */
export function parseIp(input: string): IpTerm | undefined {
  const s = input.trim().toLowerCase();
  if (s.length === 0 || s.length > 64) return undefined;
  const slash = s.indexOf('/');
  if (slash >= 0) {
    const addr = s.slice(0, slash);
    const len = s.slice(slash + 1);
    const family = isIPv4(addr) ? 4 : isIPv6(addr) ? 6 : undefined;
    if (family === undefined || !/^\d{1,3}$/.test(len) || Number(len) > BITS[family]) return undefined;
    const base = family === 4 ? v4ToBig(addr) : v6ToBig(addr);
    return { kind: 'range', family, ranges: [block(base, BITS[family] - Number(len), family)] };
  }
  if (isIPv4(s)) return { kind: 'exact', family: 4, address: s };
  if (isIPv6(s) && !s.endsWith('::')) return { kind: 'exact', family: 6, address: bigToIp(v6ToBig(s), 6) };
  return v4Prefix(s) ?? v6Prefix(s);
}

/** A whole IPv4 or IPv6 address in canonical text; undefined for anything else. */
export function normaliseIp(input: string): string | undefined {
  const s = input.trim().toLowerCase();
  if (isIPv4(s)) return s;
  if (isIPv6(s)) return bigToIp(v6ToBig(s), 6);
  return undefined;
}
