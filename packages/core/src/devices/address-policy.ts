/**
 * Which addresses `device.host` may name. A poll sends credentials (an SNMP community, a v3
 * exchange, a RouterOS login) to the host and its answers end up in the API: an operator who
 * could aim a device at a cloud metadata service (169.254.169.254) or another link-local
 * address would read what the monitor's own host can reach. Those ranges are refused by default;
 * `allow` opens exceptions, `deny` adds ranges.
 *
 * The host is checked as written: a literal address (in any form the system resolver accepts,
 * `2852039166` and `0xa9.0376.43518` included) or a name. Names are not resolved here (a device
 * may be added before its DNS record exists, and a check at add time proves nothing about the
 * poll later); only well-known metadata names are refused. See docs/security.md.
 */
import { BlockList, isIP } from 'node:net';
import { ErrorCodes, monitorError } from '../errors.js';

/** The policy as configured: CIDR lists (`10.0.0.0/8`, `fe80::/10`, or a bare address). */
export interface AddressPolicyOptions {
  /** Ranges refused in addition to the built-in ones. */
  deny?: readonly string[];
  /**
   * Ranges allowed even when a deny rule covers them, unless that rule is more specific; a
   * metadata service name (`metadata.google.internal`) opens that name.
   */
  allow?: readonly string[];
}

/** The ranges refused by default, with why. */
export const DEFAULT_DENIED: ReadonlyArray<{ cidr: string; why: string }> = [
  { cidr: '169.254.0.0/16', why: 'IPv4 link-local' },
  { cidr: '169.254.169.254/32', why: 'cloud metadata (AWS, GCP, Azure, OpenStack)' },
  { cidr: '100.100.100.200/32', why: 'cloud metadata (Alibaba Cloud)' },
  { cidr: 'fe80::/10', why: 'IPv6 link-local' },
  { cidr: 'fd00:ec2::254/128', why: 'cloud metadata (AWS, IPv6)' },
];

/** Host names of metadata services, refused as names (they resolve only inside the cloud). */
const METADATA_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
]);

interface Rule {
  cidr: string;
  why: string;
  bits: number;
  list: BlockList;
}

/** A compiled policy. */
export interface AddressPolicy {
  /** Why `host` is refused (naming the rule), or undefined when it may be polled. */
  check(host: string): string | undefined;
}

function rule(cidr: string, why: string, source: string): Rule {
  const [addr = '', bitsText] = cidr.trim().split('/');
  const type = isIP(addr);
  const max = type === 4 ? 32 : 128;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (type === 0 || !Number.isInteger(bits) || bits < 0 || bits > max || bitsText === '') {
    throw monitorError(ErrorCodes.CONFIG_INVALID, `${source}: "${cidr}" is not an address or CIDR`);
  }
  const list = new BlockList();
  list.addSubnet(addr, bits, type === 4 ? 'ipv4' : 'ipv6');
  return { cidr: `${addr}/${bits}`, why, bits, list };
}

/**
 * An IPv4 address in the forms `inet_aton` accepts (what getaddrinfo turns into an address
 * without asking DNS): one to four parts, each decimal, octal (`0…`) or hex (`0x…`), the last
 * part filling the remaining bytes. Undefined when `text` is not one.
 */
export function looseIPv4(text: string): string | undefined {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4) return undefined;
  const values: number[] = [];
  for (const p of parts) {
    let v: number;
    if (/^0x[0-9a-f]*$/i.test(p)) v = p.length === 2 ? 0 : Number.parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) v = Number.parseInt(p, 8);
    else if (/^[1-9][0-9]*$/.test(p)) v = Number(p);
    else return undefined;
    values.push(v);
  }
  const last = values.pop() as number;
  if (values.some((v) => v > 255) || last >= 2 ** (8 * (4 - values.length))) return undefined;
  let n = last;
  for (const [i, v] of values.entries()) n += v * 2 ** (8 * (3 - i));
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The address `host` stands for when it is a literal one, normalised; undefined for a name. */
function literal(host: string): { addr: string; type: 'ipv4' | 'ipv6' } | undefined {
  let h = host.trim();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  h = h.replace(/%.*$/, ''); // an IPv6 zone (fe80::1%eth0) does not change the address
  const type = isIP(h);
  if (type === 6) {
    // An IPv4-mapped address reaches the IPv4 host.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(h);
    return mapped?.[1] ? { addr: mapped[1], type: 'ipv4' } : { addr: h, type: 'ipv6' };
  }
  if (type === 4) return { addr: h, type: 'ipv4' };
  const loose = looseIPv4(h);
  return loose ? { addr: loose, type: 'ipv4' } : undefined;
}

/**
 * Compiles a policy; throws ISPM_CONFIG_INVALID naming a bad CIDR. An address is refused when a
 * deny rule covers it and no allow rule at least as specific does: `allow: [169.254.0.0/16]`
 * opens the link-local range and still refuses 169.254.169.254 (its /32 deny rule is narrower);
 * `allow: [169.254.169.254/32]` would open that too.
 */
export function addressPolicy(options: AddressPolicyOptions = {}, source = 'addressPolicy'): AddressPolicy {
  const deny = [
    ...DEFAULT_DENIED.map((d) => rule(d.cidr, d.why, source)),
    ...(options.deny ?? []).map((c) => rule(c, 'on the deny list', `${source}.deny`)),
  ];
  // A metadata service name in `allow` opens that name; everything else there is a CIDR.
  const isName = (c: string) => METADATA_NAMES.has(c.trim().toLowerCase());
  const allow = (options.allow ?? [])
    .filter((c) => !isName(c))
    .map((c) => rule(c, 'on the allow list', `${source}.allow`));
  const allowedNames = new Set((options.allow ?? []).filter(isName).map((c) => c.trim().toLowerCase()));
  return {
    check(host: string): string | undefined {
      const lit = literal(host);
      if (!lit) {
        const name = host.trim().toLowerCase().replace(/\.$/, '');
        if (METADATA_NAMES.has(name) && !allowedNames.has(name)) {
          return `"${host}" is a cloud metadata service name, refused by the address policy`;
        }
        return undefined;
      }
      const covering = (rules: Rule[]) =>
        rules.filter((r) => r.list.check(lit.addr, lit.type)).sort((a, b) => b.bits - a.bits)[0];
      const denied = covering(deny);
      if (!denied) return undefined;
      const allowed = covering(allow);
      if (allowed && allowed.bits >= denied.bits) return undefined;
      const shown = lit.addr === host ? host : `${host} (${lit.addr})`;
      return `${shown} is in ${denied.cidr} (${denied.why}), refused by the address policy; allow it with server.devices.addressPolicy.allow`;
    },
  };
}
