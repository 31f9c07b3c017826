/**
 * A seeded generator of hostile request parts from the routes' own JSON schemas: mostly
 * near-valid values (so handlers and SQL run, not just validation), the rest wrong types,
 * boundary lengths and numbers, injection strings and prototype keys. The same seed gives the
 * same cases, so a failure can be replayed.
 */

/** The simulator's seeded generator (mulberry32): small, fast, good enough to spread cases. */
export { createRng as rng } from '../../../../packages/simulator/src/model/random.js';

/** Strings that broke something somewhere once. */
export const HOSTILE_STRINGS = [
  "' OR '1'='1",
  "'; DROP TABLE ispm_state; --",
  '") OR 1=1 --',
  '%',
  '_',
  '\\',
  '\\x00',
  '\u0000',
  '\uD800',
  '\uFFFF\uFFFE',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '<script>alert(1)</script>',
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  '(a+)+$',
  '((((((((((a*)*)*)*)*)*)*)*)*)*)*b',
  '[',
  '*',
  '__proto__',
  'constructor',
  'prototype',
  'NaN',
  'Infinity',
  '-1',
  '1e309',
  '9'.repeat(40),
  '-9999999999999999999',
  '2026-13-45T25:61:61Z',
  '0000-00-00',
  '-1h',
  '-99999999999d',
  '1ms',
  'now-',
  ' ',
  '',
  'null',
  'true',
  '[]',
  '{}',
  'é'.repeat(300),
  '😀'.repeat(200),
  'a'.repeat(70_000),
  '\r\nX-Injected: 1',
  'admin',
  '169.254.169.254',
  '127.0.0.1',
  'ispm_0000000000000000000000000000000000000000',
];

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  anyOf?: Schema[];
  oneOf?: Schema[];
};

/** Host names the fuzz may give a device: loopback or invalid, so no poll leaves the machine. */
const SAFE_HOSTS = [
  '127.0.0.1',
  '127.0.0.2',
  '::1',
  '169.254.169.254',
  'has space',
  'a/b',
  '',
  'x'.repeat(300),
];

/** encodeURIComponent, except that a lone surrogate goes out as its raw (invalid UTF-8) bytes. */
export function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text
      .split('')
      .map((c) => (/[\uD800-\uDFFF]/.test(c) ? '%ED%A0%80' : encodeURIComponent(c)))
      .join('');
  }
}

export class Fuzz {
  constructor(readonly r: () => number) {}

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.r() * list.length)] as T;
  }

  chance(p: number): boolean {
    return this.r() < p;
  }

  hostileValue(depth = 0): unknown {
    const kinds = [
      () => this.pick(HOSTILE_STRINGS),
      () => this.pick([0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, Number.MAX_SAFE_INTEGER]),
      () => this.chance(0.5),
      () => null,
      () => (depth > 2 ? [] : [this.hostileValue(depth + 1), this.hostileValue(depth + 1)]),
      () =>
        depth > 2
          ? {}
          : { [this.pick(['__proto__', 'constructor', 'a', '$gt'])]: this.hostileValue(depth + 1) },
    ];
    return this.pick(kinds)();
  }

  /** A value for `schema`: near-valid with probability 0.7, hostile otherwise. */
  value(schema: Schema | undefined, key = '', depth = 0): unknown {
    if (key === 'host') return this.pick(SAFE_HOSTS);
    if (!schema || depth > 5 || this.chance(0.3)) return this.hostileValue(depth);
    if (schema.enum) return this.chance(0.9) ? this.pick(schema.enum) : this.pick(HOSTILE_STRINGS);
    const variants = schema.anyOf ?? schema.oneOf;
    if (variants) return this.value(this.pick(variants), key, depth + 1);
    const type = Array.isArray(schema.type) ? this.pick(schema.type) : schema.type;
    switch (type) {
      case 'string':
        return this.string(schema);
      case 'integer':
      case 'number':
        return this.number(schema, type === 'integer');
      case 'boolean':
        return this.chance(0.5);
      case 'array': {
        const n = this.chance(0.1) ? (schema.maxItems ?? 50) + 1 : Math.floor(this.r() * 4);
        return Array.from({ length: n }, () => this.value(schema.items, '', depth + 1));
      }
      case 'object':
      case undefined:
        return this.object(schema, depth);
      default:
        return this.hostileValue(depth);
    }
  }

  string(s: Schema): string {
    const roll = this.r();
    if (roll < 0.15 && s.maxLength !== undefined) return 'a'.repeat(s.maxLength + 1);
    if (roll < 0.25 && s.minLength) return 'a'.repeat(s.minLength - 1);
    if (roll < 0.6) return this.pick(HOSTILE_STRINGS).slice(0, s.maxLength ?? 100_000);
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789-._:';
    const len = Math.max(s.minLength ?? 1, Math.floor(this.r() * 12));
    return Array.from({ length: len }, () => this.pick([...alphabet])).join('');
  }

  number(s: Schema, integer: boolean): number | string {
    const lo = s.minimum ?? -1000;
    const hi = s.maximum ?? 1000;
    const options = [lo, hi, lo - 1, hi + 1, 0, -1, 2 ** 53, 1e308, integer ? 1.5 : Number.MIN_VALUE];
    if (this.chance(0.5)) return Math.floor(lo + this.r() * Math.min(hi - lo + 1, 1e6));
    return this.pick(options);
  }

  object(s: Schema, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, sub] of Object.entries(s.properties ?? {})) {
      if (s.required?.includes(k) ? this.chance(0.95) : this.chance(0.5))
        out[k] = this.value(sub, k, depth + 1);
    }
    if (this.chance(0.15))
      out[this.pick(['__proto__', 'constructor', 'extra', 'isAdmin'])] = this.hostileValue(depth + 1);
    return out;
  }

  /** A query string for `schema` (sometimes with repeated keys, bracket keys or broken escapes). */
  query(schema: Schema | undefined): string {
    const parts: string[] = [];
    const obj = schema ? this.object(schema, 0) : {};
    for (const [k, v] of Object.entries(obj)) {
      const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
      parts.push(`${encode(k)}=${encode(text.slice(0, 8000))}`);
      if (this.chance(0.1)) parts.push(`${encode(k)}=${encode(this.pick(HOSTILE_STRINGS).slice(0, 200))}`);
    }
    if (this.chance(0.1))
      parts.push(this.pick(['a[b]=1', '%E0%A4%A', '=', '&&', 'x=%00', '__proto__[admin]=1']));
    return parts.join('&');
  }
}
