/**
 * `/ip/address` and `/ipv6/address` rows (as the manual's `print` shows them) → interface
 * addresses in CIDR form: disabled, invalid and link-local entries left out, junk skipped and
 * counted.
 */
import type { PartError } from '@ispmonitor/core';
import { describe, expect, it } from 'vitest';
import { MikrotikErrorCodes } from '../src/errors.js';
import { parseAddresses } from '../src/parts/addresses.js';
import { RowTally } from '../src/parts/rows.js';

describe('parseAddresses', () => {
  it('IPv4: addresses by interface, disabled and invalid ones left out', () => {
    const tally = new RowTally();
    const out = parseAddresses(
      [
        { address: '192.168.88.1/24', interface: 'bridge', disabled: 'false', invalid: 'false' },
        { address: '10.0.0.217/24', interface: 'ether1', disabled: 'false', invalid: 'false' },
        { address: '10.0.1.1/30', interface: 'ether1', disabled: 'false', invalid: 'false' },
        { address: '172.16.0.1/24', interface: 'ether2', disabled: 'true', invalid: 'false' },
        { address: '172.16.1.1/24', interface: 'ether9', disabled: 'false', invalid: 'true' },
        { address: '10.255.255.1/32', interface: 'lo', disabled: 'false', invalid: 'false' },
      ],
      false,
      tally,
    );
    expect(tally.skipped).toBe(0);
    expect(Object.fromEntries(out)).toEqual({
      bridge: ['192.168.88.1/24'],
      ether1: ['10.0.0.217/24', '10.0.1.1/30'],
      lo: ['10.255.255.1/32'],
    });
  });

  it('IPv6: link-local addresses are left out, the rest lower-cased', () => {
    const out = parseAddresses(
      [
        { address: 'fe80::20c:42ff:fe28:7945/64', interface: 'ether1', disabled: 'false', invalid: 'false' },
        { address: '2001:DB8::1/64', interface: 'ether1', disabled: 'false', invalid: 'false' },
        { address: 'febf::1/64', interface: 'ether2', disabled: 'false', invalid: 'false' },
        { address: 'fec0::1/64', interface: 'ether2', disabled: 'false', invalid: 'false' },
      ],
      true,
    );
    expect(Object.fromEntries(out)).toEqual({ ether1: ['2001:db8::1/64'], ether2: ['fec0::1/64'] });
  });

  it('skips junk rows, counts them, reports MIKROTIK_BAD_ROWS and keeps the rest', () => {
    const tally = new RowTally();
    const out = parseAddresses(
      [
        { address: '10.0.0.1/24', interface: 'ether1' },
        { address: '10.0.0.300/24', interface: 'ether1' },
        { address: '10.0.0.2/33', interface: 'ether1' },
        { address: '2001:db8::1/64', interface: 'ether1' },
        { address: '10.0.0.3/24', interface: 'eth\u0001er' },
        { address: '10.0.0.4/24' },
        { address: '10.0.0.5', interface: 'ether2' },
      ],
      false,
      tally,
    );
    expect(Object.fromEntries(out)).toEqual({ ether1: ['10.0.0.1/24'], ether2: ['10.0.0.5/32'] });
    expect(tally.skipped).toBe(5);
    const errors: PartError[] = [];
    tally.report(errors, '/ip/address', 7);
    expect(errors).toEqual([
      expect.objectContaining({ part: '/ip/address', code: MikrotikErrorCodes.BAD_ROWS }),
    ]);
    expect(errors[0]?.message).not.toContain('10.0.0');
  });
});
