/**
 * Which addresses outbound notifications may reach, checked on the address DNS resolved to (so a
 * name pointing at 169.254.169.254 is refused as surely as the literal). Cloud metadata and
 * link-local ranges are always refused; loopback is refused unless allowed, because a webhook
 * aimed at the monitor's own host could reach its local-only services. Private ranges are
 * allowed by default: an ISP's chat bridge or ticket system usually lives on its own network.
 */
import ipaddr from 'ipaddr.js';

export interface AddressPolicyOptions {
  allow: string[];
  deny: string[];
  allowLoopback: boolean;
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Always refused, whatever the allow list says. */
const ALWAYS_DENIED = [
  '169.254.0.0/16', // IPv4 link-local, including 169.254.169.254 (AWS, GCP, Azure, OpenStack metadata)
  'fe80::/10', // IPv6 link-local
  'fd00:ec2::254/128', // AWS metadata over IPv6
  '100.100.100.200/32', // Alibaba Cloud metadata
  '0.0.0.0/8',
  '::/128',
  '224.0.0.0/4', // multicast
  'ff00::/8',
];

function parseCidr(text: string): Cidr {
  try {
    return text.includes('/')
      ? ipaddr.parseCIDR(text)
      : ipaddr.parseCIDR(`${text}/${text.includes(':') ? 128 : 32}`);
  } catch {
    throw new Error(`invalid CIDR "${text}"`);
  }
}

function inAny(addr: ipaddr.IPv4 | ipaddr.IPv6, list: Cidr[]): boolean {
  return list.some(([net, bits]) => addr.kind() === net.kind() && addr.match([net, bits] as never));
}

/** A compiled policy: `check(ip)` returns why an address is refused, or undefined. */
export interface AddressPolicy {
  check(ip: string): string | undefined;
}

/** Compiles a policy; throws on an invalid CIDR. */
export function addressPolicy(options: AddressPolicyOptions): AddressPolicy {
  const always = ALWAYS_DENIED.map(parseCidr);
  const allow = options.allow.map(parseCidr);
  const deny = options.deny.map(parseCidr);
  return {
    check(ip: string): string | undefined {
      let addr: ipaddr.IPv4 | ipaddr.IPv6;
      try {
        addr = ipaddr.process(ip);
      } catch {
        return `not an IP address: ${ip}`;
      }
      if (inAny(addr, always)) return `address ${ip} is link-local or cloud metadata: refused`;
      if (inAny(addr, deny)) return `address ${ip} is on the deny list`;
      if (inAny(addr, allow)) return undefined;
      if (addr.range() === 'loopback' && !options.allowLoopback) {
        return `address ${ip} is loopback: set allowLoopback or allow 127.0.0.0/8 to permit it`;
      }
      if (options.allow.length > 0 && addr.range() !== 'loopback')
        return `address ${ip} is not on the allow list`;
      return undefined;
    },
  };
}
