/**
 * Interface addresses: `/ip/address` and `/ipv6/address` → `addresses` of `facts.interfaces`, by
 * interface name. Read with the interfaces only. Disabled and invalid entries (an address whose
 * interface is gone) hold no address and are left out, as are IPv6 link-local ones (every
 * interface has one; they say nothing fleet-wide). A junk address or interface makes the row
 * garbage: it is skipped and counted, the rest are kept.
 */
import type { Row } from '../api/connection.js';
import { parseBool } from '../values.js';
import { isMissing, type PollScope, readMenu } from './context.js';
import { ip, isJunk, RowTally, text } from './rows.js';

const FIELDS = ['address', 'interface', 'disabled', 'invalid'];

/** Most addresses kept per interface. */
export const MAX_ADDRESSES_PER_INTERFACE = 256;

/** `fe80::/10`: the first ten bits are 1111 1110 10. */
const isLinkLocal = (address: string): boolean => /^fe[89ab][0-9a-f]:/i.test(address);

/** `addr/len` with a valid address and prefix length, the address lower-cased; junk otherwise. */
function cidr(value: string | undefined, v6: boolean): string | undefined | typeof JUNK {
  if (value === undefined || value === '') return undefined;
  const slash = value.indexOf('/');
  const addr = ip(slash < 0 ? value : value.slice(0, slash));
  const len = slash < 0 ? (v6 ? '128' : '32') : value.slice(slash + 1);
  if (addr === undefined || isJunk(addr) || addr.includes(':') !== v6 || !/^\d{1,3}$/.test(len)) return JUNK;
  if (Number(len) > (v6 ? 128 : 32)) return JUNK;
  return `${addr.toLowerCase()}/${Number(len)}`;
}
const JUNK: unique symbol = Symbol('junk cidr');

/** Rows of `/ip/address` (`v6: false`) or `/ipv6/address` (`v6: true`) → CIDR addresses by interface. */
export function parseAddresses(
  rows: readonly Row[],
  v6: boolean,
  tally = new RowTally(),
  into = new Map<string, string[]>(),
): Map<string, string[]> {
  for (const r of rows) {
    const address = cidr(r.address, v6);
    const iface = text(r.interface);
    if (address === JUNK || isJunk(iface)) {
      tally.skip('with a junk address or interface');
      continue;
    }
    if (address === undefined || iface === undefined) {
      tally.skip('without an address or interface');
      continue;
    }
    if (parseBool(r.disabled) === true || parseBool(r.invalid) === true) continue;
    if (v6 && isLinkLocal(address)) continue;
    let list = into.get(iface);
    if (!list) {
      list = [];
      into.set(iface, list);
    }
    if (list.length < MAX_ADDRESSES_PER_INTERFACE && !list.includes(address)) list.push(address);
  }
  return into;
}

/**
 * Reads both tables: addresses by interface name, or undefined when a table failed (the
 * interfaces then carry no `addresses`, and storage keeps what it had). A menu the router lacks
 * (no `ipv6` package) counts as empty.
 */
export async function readAddresses(scope: PollScope): Promise<Map<string, string[]> | undefined> {
  const [v4, v6] = await Promise.all([
    readMenu(scope, '/ip/address', FIELDS),
    readMenu(scope, '/ipv6/address', FIELDS),
  ]);
  if (!v4 && !isMissing(scope, '/ip/address')) return undefined;
  if (!v6 && !isMissing(scope, '/ipv6/address')) return undefined;
  const tally4 = new RowTally();
  const tally6 = new RowTally();
  const out = parseAddresses(v4 ?? [], false, tally4);
  parseAddresses(v6 ?? [], true, tally6, out);
  tally4.report(scope.partErrors, '/ip/address', v4?.length ?? 0);
  tally6.report(scope.partErrors, '/ipv6/address', v6?.length ?? 0);
  return out;
}
