/**
 * Checks of the fields of subscriber tables (sessions, leases, registrations, ARP). A router
 * answers strings, but nothing says they are sane: a field we key on that is junk (control
 * characters, an absurd length, not an address where one is expected) makes the row garbage; it
 * is skipped and counted, the rest of the table is kept. Free text that a subscriber's device
 * chooses (a DHCP host name, an SSID) is only dropped from its row: a client must not be able to
 * hide its lease by sending an odd host name.
 */
import { isIP } from 'node:net';
import type { PartError } from '@ispmonitor/core';
import { MikrotikErrorCodes } from '../errors.js';

/** Longest name we keep (user names, interface names, host names). */
export const MAX_NAME = 256;

/** C0 controls, DEL, and U+FFFD (what a decoder makes of bytes that were not UTF-8). */
function hasJunk(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0xfffd) return true;
  }
  return false;
}
const MAC = /^[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$/;

/** What a field check found: a value, nothing (absent or empty), or junk. */
export type Checked<T> = T | undefined | typeof JUNK_VALUE;
/** Marks a field that is present but not valid. */
export const JUNK_VALUE: unique symbol = Symbol('junk');

/** Printable text of at most `max` characters; '' and undefined are absent. */
export function text(value: string | undefined, max = MAX_NAME): Checked<string> {
  if (value === undefined || value === '') return undefined;
  return value.length > max || hasJunk(value) ? JUNK_VALUE : value;
}

/** A MAC address as `aa:bb:cc:dd:ee:ff` (RouterOS prints upper case; `-` separators accepted). */
export function mac(value: string | undefined): Checked<string> {
  if (value === undefined || value === '') return undefined;
  if (!MAC.test(value)) return JUNK_VALUE;
  const lower = value.toLowerCase();
  return value.charCodeAt(2) === 45 /* - */ ? lower.replaceAll('-', ':') : lower;
}

/** An IPv4 or IPv6 address (a `%zone` suffix is dropped: it is not part of the address). */
export function ip(value: string | undefined): Checked<string> {
  if (value === undefined || value === '') return undefined;
  if (value.length > 64) return JUNK_VALUE;
  const zone = value.indexOf('%');
  const addr = zone < 0 ? value : value.slice(0, zone);
  return isIP(addr) ? addr : JUNK_VALUE;
}

/** A RouterOS internal id, `*1A`. */
export function rosId(value: string | undefined): Checked<string> {
  if (value === undefined || value === '') return undefined;
  return /^\*[0-9A-Fa-f]{1,16}$/.test(value) ? value : JUNK_VALUE;
}

/** Whether a checked value is junk. */
export const isJunk = (v: unknown): v is typeof JUNK_VALUE => v === JUNK_VALUE;

/** Counts skipped rows of one table by reason, and reports them as one part error. */
export class RowTally {
  readonly #reasons = new Map<string, number>();
  #total = 0;

  /** Records one skipped row. */
  skip(reason: string): void {
    this.#total++;
    this.#reasons.set(reason, (this.#reasons.get(reason) ?? 0) + 1);
  }

  /** Rows skipped so far. */
  get skipped(): number {
    return this.#total;
  }

  /**
   * Adds `MIKROTIK_BAD_ROWS` for `part` when rows were skipped. The message names reasons and
   * counts only, never a value the router sent.
   */
  report(partErrors: PartError[], part: string, rows: number): void {
    if (this.#total === 0) return;
    const why = [...this.#reasons].map(([reason, n]) => `${n} ${reason}`).join(', ');
    partErrors.push({
      part,
      code: MikrotikErrorCodes.BAD_ROWS,
      message: `skipped ${this.#total} of ${rows} rows (${why}); the rest were kept`,
    });
  }
}
