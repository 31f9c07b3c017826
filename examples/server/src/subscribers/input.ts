import { isIP } from 'node:net';
import { BAD_QUERY } from '@ispmonitor/plugin-postgres';
import { HttpError } from '../http/errors.js';

/** Longest search text after trimming (the store refuses longer too). */
export const MAX_QUERY = 200;

/**
 * A 400 with the store's own bad-input code (`PostgresErrors.BAD_QUERY`), for input the server
 * refuses before any read: the same answer the store's refusal gets.
 */
export function badQuery(message: string): HttpError {
  return new HttpError(400, message, BAD_QUERY);
}

/** The search text, trimmed and checked; a clear 400 otherwise (never a database error). */
export function checkQuery(raw: string): string {
  const q = raw.trim();
  if (!q) throw badQuery('q: the search text is empty');
  if (q.length > MAX_QUERY) throw badQuery(`q: the search text is over ${MAX_QUERY} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(q)) throw badQuery('q: the search text holds control characters');
  return q;
}

/** A single IPv4 or IPv6 address (an IPv6 zone is not an address a subscriber holds). */
export function checkIp(raw: string): string {
  const ip = raw.trim();
  if (isIP(ip) === 0 || ip.includes('%'))
    throw badQuery(`"${raw.slice(0, 64)}" is not an IPv4 or IPv6 address`);
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
    throw badQuery(
      `"${raw.slice(0, 64)}" is not a MAC address (aa:bb:cc:dd:ee:ff, aa-bb-…, aabb.ccdd.eeff or 12 hex digits)`,
    );
  const hex = t.replace(/[^0-9a-f]/gi, '').toLowerCase();
  return hex.match(/../g)?.join(':') ?? hex;
}
