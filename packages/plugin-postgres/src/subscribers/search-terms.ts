/**
 * A search text checked and split into what each part of the search matches on: the text
 * itself (user names, interface names), a MAC, an IP. Bad text gets a `ISPM_BAD_QUERY` error
 * here, before any SQL: nothing the user typed ever becomes a pattern with meaning of its own.
 */
import { MonitorError, monitorError } from '@ispmonitor/core';
import { PostgresErrors } from '../errors.js';
import type { HistoryWindow } from './query-types.js';
import { type IpTerm, type MacTerm, normaliseIp, normaliseMac, parseIp, parseMac } from './search-address.js';

/** Error code of a search or history query with bad input (`PostgresErrors.BAD_QUERY`: HTTP 400). */
export const BAD_QUERY = PostgresErrors.BAD_QUERY.code;
/** Longest search text, after trimming. */
export const MAX_QUERY_LENGTH = 200;

/** A `BAD_QUERY` error. */
export function badQuery(message: string): MonitorError {
  return monitorError(PostgresErrors.BAD_QUERY, message, { plugin: 'postgres' });
}

/** Whether `err` is a bad-query error (for the API's 400). */
export function isBadQuery(err: unknown): boolean {
  return err instanceof MonitorError && err.code === BAD_QUERY;
}

/** Escapes `%`, `_` and `\` so a text matches itself literally in `LIKE … ESCAPE '\'`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** What a search text matches on. */
export interface SearchTerms {
  /** The text, trimmed, lower-cased (matching is case-insensitive). */
  text: string;
  /** `LIKE` patterns (escaped): the text as a prefix, and anywhere. */
  prefix: string;
  substring: string;
  mac?: MacTerm;
  ip?: IpTerm;
}

/**
 * Checks and splits a search text. Empty (after trimming), over `MAX_QUERY_LENGTH` characters or
 * holding control characters (NUL can never be stored, so it could never match): a `BAD_QUERY`
 * error.
 */
export function parseSearch(q: unknown): SearchTerms {
  if (typeof q !== 'string') throw badQuery('the search text must be a string');
  const text = q.trim();
  if (text.length === 0) throw badQuery('the search text is empty');
  if (text.length > MAX_QUERY_LENGTH)
    throw badQuery(`the search text is over ${MAX_QUERY_LENGTH} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(text)) throw badQuery('the search text holds control characters');
  const lower = text.toLowerCase();
  const escaped = escapeLike(lower);
  const mac = parseMac(lower);
  const ip = parseIp(lower);
  return {
    text: lower,
    prefix: `${escaped}%`,
    substring: `%${escaped}%`,
    mac,
    // `aa:bb:cc` also reads as the start of an IPv6 address; typed into a search box it is a MAC.
    ip: mac && ip?.kind !== 'exact' ? undefined : ip,
  };
}

/** A whole MAC in any notation, or a `BAD_QUERY` error. */
export function requireMac(input: unknown): string {
  const mac = typeof input === 'string' && input.length <= 64 ? normaliseMac(input) : undefined;
  if (mac === undefined)
    throw badQuery('not a MAC address (expected e.g. aa:bb:cc:dd:ee:ff or aabb.ccdd.eeff)');
  return mac;
}

/** A whole IPv4 or IPv6 address, or a `BAD_QUERY` error. */
export function requireIp(input: unknown): string {
  const ip = typeof input === 'string' && input.length <= 64 ? normaliseIp(input) : undefined;
  if (ip === undefined) throw badQuery('not an IP address');
  return ip;
}

/** A PPPoE user name as given (kept exact), or a `BAD_QUERY` error. */
export function requireUser(input: unknown): string {
  if (typeof input !== 'string' || input.length === 0) throw badQuery('the user name is empty');
  if (input.length > 256) throw badQuery('the user name is over 256 characters');
  if (input.includes('\u0000')) throw badQuery('the user name holds a NUL character');
  return input;
}

/** Time window and limit of a history query, checked. */
export interface Window {
  from: number | null;
  to: number | null;
  limit: number;
}

/** Checks `from`, `to` (ms since the epoch) and `limit` (1..max, default `fallback`). */
export function parseWindow(q: HistoryWindow | undefined, fallback: number, max: number): Window {
  const time = (name: string, v: number | undefined): number | null => {
    if (v === undefined || v === null) return null;
    if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > 8.64e15)
      throw badQuery(`${name} is not a time`);
    return v;
  };
  const from = time('from', q?.from);
  const to = time('to', q?.to);
  if (from !== null && to !== null && from > to) throw badQuery('from is after to');
  const raw = q?.limit;
  if (raw !== undefined && (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1))
    throw badQuery('limit must be a positive integer');
  return { from, to, limit: Math.min(max, raw ?? fallback) };
}
