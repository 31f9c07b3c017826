/**
 * The subscriber parsers on real captured replies (../shared/data/routeros) and on rows written
 * from MikroTik's manual: sessions with their dynamic interface and bytes, leases with expiry,
 * ARP and neighbour bindings, and garbage rows skipped and counted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PartError } from '@ispmonitor/core';
import { skipTitle } from '@ispmonitor/core/testing';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../../test/support/shared-data.js';
import { MikrotikErrorCodes } from '../src/errors.js';
import { parseArp } from '../src/parts/arp.js';
import { RowTally } from '../src/parts/rows.js';
import { parseLeases, parsePpp } from '../src/parts/subscribers.js';

const { path: dataDir, absent } = sharedData('routeros');

/** A `/ppp/active` row as RouterOS 7 prints it (`print detail` in the manual). */
const session = (n: number, extra: Record<string, string> = {}) => ({
  '.id': `*8000${n.toString(16).toUpperCase().padStart(4, '0')}`,
  name: `user${n}@isp`,
  service: 'pppoe',
  'caller-id':
    `00:0C:42:00:${(n >> 8).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`.toUpperCase(),
  address: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
  uptime: '1h2m3s',
  ...extra,
});

/** The dynamic interface RouterOS makes for a PPPoE server session. */
const pppoeIf = (user: string, rx: string, tx: string) => ({
  name: `<pppoe-${user}>`,
  type: 'pppoe-in',
  'rx-byte': rx,
  'tx-byte': tx,
});

describe('parsePpp', () => {
  it('gives each session its <pppoe-USER> interface: rx-byte is the upload (bytesIn), tx-byte the download', () => {
    const { sessions, perService, tally } = parsePpp(
      [session(1), session(2), session(3, { service: 'l2tp', 'caller-id': '192.0.2.7' })],
      [
        { name: 'ether1', type: 'ether', 'rx-byte': '1', 'tx-byte': '2' },
        pppoeIf('user1@isp', '1200', '98000'),
        pppoeIf('user2@isp', '18446744073709551615', '0'),
        { name: '<l2tp-user3@isp>', type: 'l2tp-in', 'rx-byte': '5', 'tx-byte': '6' },
      ],
    );
    expect(tally.skipped).toBe(0);
    expect(sessions[0]).toEqual({
      id: '*80000001',
      user: 'user1@isp',
      service: 'pppoe',
      callerId: '00:0c:42:00:00:01',
      address: '10.0.0.1',
      uptimeSeconds: 3723,
      interface: '<pppoe-user1@isp>',
      bytesIn: 1200,
      bytesOut: 98000,
    });
    // 64-bit counters stay exact.
    expect(sessions[1]?.bytesIn).toBe(18446744073709551615n);
    expect(sessions[2]).toMatchObject({ callerId: '192.0.2.7', interface: '<l2tp-user3@isp>', bytesIn: 5 });
    expect([...perService]).toEqual([
      ['pppoe', 2],
      ['l2tp', 1],
    ]);
  });

  it('leaves interface and bytes out when they are not known: no interface rows, no row, or two sessions of one user', () => {
    expect(parsePpp([session(1)]).sessions[0]).not.toHaveProperty('interface');
    const twice = parsePpp(
      [session(1), session(2, { name: 'user1@isp' }), session(3)],
      [pppoeIf('user1@isp', '1', '1'), pppoeIf('user1@isp-1', '2', '2')],
    ).sessions;
    // <pppoe-user1@isp> and <pppoe-user1@isp-1> cannot be told apart from /ppp/active: no guess.
    for (const s of twice) {
      expect(s).not.toHaveProperty('interface');
      expect(s).not.toHaveProperty('bytesIn');
    }
    // An interface of another type with the same name is not the session's.
    const other = parsePpp([session(1)], [{ name: '<pppoe-user1@isp>', type: 'ether', 'rx-byte': '1' }]);
    expect(other.sessions[0]).not.toHaveProperty('interface');
  });

  it('skips and counts garbage rows, keeps the rest', () => {
    const rows = [
      session(1),
      { ...session(2), name: '' },
      { ...session(3), name: 'x'.repeat(10_000) },
      { ...session(4), name: 'bad\u0000user' },
      { ...session(5), address: 'not-an-ip' },
      { ...session(6), '.id': 'DROP TABLE' },
      { ...session(7), uptime: 'forever' },
      { ...session(8), 'caller-id': '\u001b[2J' },
      { ...session(9), name: 'bytes\ufffd' },
      session(10),
    ];
    const { sessions, tally } = parsePpp(rows);
    expect(sessions.map((s) => s.user)).toEqual(['user1@isp', 'user10@isp']);
    expect(tally.skipped).toBe(8);
    const errors: PartError[] = [];
    tally.report(errors, '/ppp/active', rows.length);
    expect(errors).toEqual([
      {
        part: '/ppp/active',
        code: MikrotikErrorCodes.BAD_ROWS,
        message: expect.stringMatching(/^skipped 8 of 10 rows \(.*\); the rest were kept$/),
      },
    ]);
    // The message counts reasons; it never quotes what the router sent.
    expect(errors[0]?.message).not.toMatch(/DROP|forever|not-an-ip|xxxx/);
  });

  it('parses and diffs 8,000 sessions well within a poll', () => {
    const rows = Array.from({ length: 8000 }, (_, i) => session(i));
    const ifs = rows.map((r, i) => pppoeIf(r.name, String(i * 1000), String(i * 5000)));
    const { sessions } = parsePpp(rows, ifs);
    expect(sessions).toHaveLength(8000);
    expect(sessions.every((s) => s.interface !== undefined)).toBe(true);
  });
});

/** A bound lease as parsed: address, MAC, server, host name and the seconds it has left. */
const boundLease = (
  address: string,
  mac: string,
  server: string,
  hostName: string,
  expiresAfterSeconds: number,
) => ({
  address,
  mac,
  server,
  status: 'bound',
  hostName,
  expiresAfterSeconds,
});

describe('parseLeases', () => {
  it('takes the active address and MAC, lower-cases MACs, keeps the expiry; a lease without any MAC is no binding', () => {
    const { leases, bound, tally } = parseLeases([
      {
        address: '10.0.0.9',
        'mac-address': 'AA:BB:CC:00:00:01',
        'active-address': '10.0.0.19',
        'active-mac-address': 'AA:BB:CC:00:00:02',
        server: 'lan',
        status: 'bound',
        'expires-after': '9m59s',
        'host-name': 'laptop',
      },
      { address: '10.0.0.10', server: 'lan', status: 'waiting', 'client-id': '1:aa' },
      { address: '10.0.0.11', 'mac-address': 'AA:BB:CC:00:00:03', server: 'lan', status: 'waiting' },
    ]);
    expect(tally.skipped).toBe(0);
    expect(leases).toEqual([
      boundLease('10.0.0.19', 'aa:bb:cc:00:00:02', 'lan', 'laptop', 599),
      { address: '10.0.0.11', mac: 'aa:bb:cc:00:00:03', server: 'lan', status: 'waiting' },
    ]);
    expect(bound.get('lan')).toBe(1);
  });

  it('a junk host name (the client chooses it) is dropped, the lease kept; a junk address or MAC skips the row', () => {
    const { leases, tally } = parseLeases([
      {
        address: '10.0.0.1',
        'mac-address': 'AA:BB:CC:00:00:01',
        'host-name': 'evil\u0007\u0008',
        status: 'bound',
      },
      {
        address: '10.0.0.2',
        'mac-address': 'AA:BB:CC:00:00:02',
        'host-name': 'h'.repeat(5000),
        status: 'bound',
      },
      { address: '999.0.0.1', 'mac-address': 'AA:BB:CC:00:00:03' },
      { address: '10.0.0.4', 'mac-address': 'ZZ:BB:CC:00:00:04' },
      { 'mac-address': 'AA:BB:CC:00:00:05' },
    ]);
    expect(leases.map((l) => [l.address, l.hostName])).toEqual([
      ['10.0.0.1', undefined],
      ['10.0.0.2', undefined],
    ]);
    expect(tally.skipped).toBe(3);
  });

  it.skipIf(absent)(skipTitle('the captured RouterOS 7.16 leases have their expiry', absent), () => {
    const rows = JSON.parse(readFileSync(join(dataDir, 'telegraf_ip_dhcp_server_lease.json'), 'utf8'));
    const { leases, bound, tally } = parseLeases(rows);
    expect(tally.skipped).toBe(0);
    expect(leases).toEqual([
      boundLease('10.10.10.252', '00:11:22:33:44:55', 'lan_dhcp', 'Mac-mini', 21 * 60 + 57),
      boundLease('10.10.10.253', '00:11:22:33:44:55', 'lan_dhcp', '82xv', 28 * 60 + 58),
    ]);
    expect(bound.get('lan_dhcp')).toBe(2);
  });
});

/** An `/ip/arp` or `/ipv6/neighbor` row on `bridge`, with more attributes. */
const onBridge = (address: string, mac: string, more: Record<string, string> = {}) => ({
  address,
  'mac-address': mac,
  interface: 'bridge',
  ...more,
});

describe('parseArp', () => {
  it('/ip/arp: dynamic and static bindings; incomplete, invalid and all-zero entries are no binding', () => {
    const facts = parseArp(
      [
        onBridge('192.168.88.10', 'E4:8D:8C:00:00:01', { dynamic: 'true' }),
        onBridge('192.168.88.1', 'E4:8D:8C:00:00:02', { dynamic: 'false' }),
        { address: '192.168.88.11', interface: 'bridge', dynamic: 'true' },
        onBridge('192.168.88.12', 'E4:8D:8C:00:00:03', { invalid: 'true' }),
        onBridge('192.168.88.13', '00:00:00:00:00:00'),
        { address: '192.168.88.14', 'mac-address': 'E4:8D:8C:00:00:04' },
      ],
      false,
    );
    expect(facts).toEqual([
      { address: '192.168.88.10', mac: 'e4:8d:8c:00:00:01', interface: 'bridge', type: 'dynamic' },
      { address: '192.168.88.1', mac: 'e4:8d:8c:00:00:02', interface: 'bridge', type: 'static' },
      { address: '192.168.88.14', mac: 'e4:8d:8c:00:00:04' },
    ]);
  });

  it('/ipv6/neighbor: the zone is not part of the address, failed entries are left out, no type', () => {
    const facts = parseArp(
      [
        onBridge('fe80::e68d:8cff:fe00:1%bridge', 'E4:8D:8C:00:00:01', { status: 'reachable' }),
        onBridge('2001:db8::5', 'E4:8D:8C:00:00:05', { status: 'stale' }),
        onBridge('2001:db8::6', 'E4:8D:8C:00:00:06', { status: 'failed' }),
      ],
      true,
    );
    expect(facts).toEqual([
      { address: 'fe80::e68d:8cff:fe00:1', mac: 'e4:8d:8c:00:00:01', interface: 'bridge' },
      { address: '2001:db8::5', mac: 'e4:8d:8c:00:00:05', interface: 'bridge' },
    ]);
  });

  it('skips and counts garbage rows', () => {
    const tally = new RowTally();
    const facts = parseArp(
      [
        { address: '10.0.0.1', 'mac-address': 'E4:8D:8C:00:00:01', interface: 'ether1' },
        { address: 'x', 'mac-address': 'E4:8D:8C:00:00:02', interface: 'ether1' },
        { address: '10.0.0.3', 'mac-address': 'E4:8D:8C:00:00', interface: 'ether1' },
        { address: '10.0.0.4', 'mac-address': 'E4:8D:8C:00:00:04', interface: 'i'.repeat(300) },
        { 'mac-address': 'E4:8D:8C:00:00:05', interface: 'ether1' },
      ],
      false,
      tally,
    );
    expect(facts).toHaveLength(1);
    expect(tally.skipped).toBe(4);
  });
});
