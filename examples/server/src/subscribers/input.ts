import { isIP } from 'node:net';
import { HttpError } from '../http/errors.js';

/** Longest search text after trimming (the store refuses longer too). */
export const MAX_QUERY = 200;

/** The search text, trimmed and checked; a clear 400 otherwise (never a database error). */
export function checkQuery(raw: string): string {
  const q = raw.trim();
  if (!q) throw new HttpError(400, 'q: the search text is empty', 'ISPM_BAD_QUERY');
  if (q.length > MAX_QUERY)
    throw new HttpError(400, `q: the search text is over ${MAX_QUERY} characters`, 'ISPM_BAD_QUERY');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(q))
    throw new HttpError(400, 'q: the search text holds control characters', 'ISPM_BAD_QUERY');
  return q;
}

/** A single IPv4 or IPv6 address (an IPv6 zone is not an address a subscriber holds). */
export function checkIp(raw: string): string {
  const ip = raw.trim();
  if (isIP(ip) === 0 || ip.includes('%'))
    throw new HttpError(400, `"${raw.slice(0, 64)}" is not an IPv4 or IPv6 address`, 'ISPM_BAD_QUERY');
  return ip.toLowerCase();
}

/**
 * A MAC in any common notation (`AA:BB:CC:DD:EE:FF`, `aa-bb-…`, `aabb.ccdd.eeff`, bare hex) as
 * lower-case `aa:bb:cc:dd:ee:ff`.
 */
export function checkMac(raw: string): string {
  const t = raw.trim();
  const ok =
    /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i.test(t) ||
    /^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i.test(t) ||
    /^[0-9a-f]{12}$/i.test(t);
  if (!ok)
    throw new HttpError(
      400,
      `"${raw.slice(0, 64)}" is not a MAC address (aa:bb:cc:dd:ee:ff, aa-bb-…, aabb.ccdd.eeff or 12 hex digits)`,
      'ISPM_BAD_QUERY',
    );
  const hex = t.replace(/[^0-9a-f]/gi, '').toLowerCase();
  return hex.match(/../g)?.join(':') ?? hex;
}
